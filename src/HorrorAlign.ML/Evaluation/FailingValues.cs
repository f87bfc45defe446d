using HorrorAlign.ML.Specs;

namespace HorrorAlign.ML.Evaluation;

/// <summary>
/// Which spec values the failures gather on: per field, the values whose stories failed any check most often. A pass
/// rate says how often the model fails; this says on which titles, names, objects, taboos or twists, so a held-out value
/// of an unusual shape (a hyphenated name, a plural object) stands out.
/// </summary>
internal static class FailingValues
{
    /// <summary>Rows kept per field.</summary>
    public const int Top = 10;

    /// <summary>
    /// For every field of <see cref="StorySpec.Fields"/> (keyed by its JSON name, in prompt order), up to
    /// <paramref name="top"/> values with at least one failed story, by failures (descending) then value (ordinal).
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<ValueFailures>> Of(IReadOnlyList<StoryEvaluation> stories, int top = Top)
    {
        ArgumentNullException.ThrowIfNull(stories);
        ArgumentOutOfRangeException.ThrowIfNegative(top);
        var byField = new Dictionary<string, IReadOnlyList<ValueFailures>>(StringComparer.Ordinal);
        foreach (var (json, _, get) in StorySpec.Fields)
        {
            byField[json] = [.. stories
                .GroupBy(s => get(s.Spec), StringComparer.Ordinal)
                .Select(g => new ValueFailures(g.Key, g.Count(), g.Count(s => !s.AllPassed)))
                .Where(v => v.Failed > 0)
                .OrderByDescending(v => v.Failed)
                .ThenBy(v => v.Value, StringComparer.Ordinal)
                .Take(top)];
        }
        return byField;
    }
}
