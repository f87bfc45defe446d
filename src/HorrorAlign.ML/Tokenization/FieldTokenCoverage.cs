using HorrorAlign.ML.Specs;

namespace HorrorAlign.ML.Tokenization;

/// <summary>
/// How well stories were delexicalized (see <see cref="FieldTokens.Delexicalize"/>): for bring-your-own data, the
/// rows where a value of the spec could not be found in the story (a paraphrased object, a nickname) train that field
/// as plain text, so they are counted, per field.
/// </summary>
/// <param name="Stories">Stories looked at.</param>
/// <param name="Plain">Stories whose prompt is not a story spec: trained as plain text.</param>
/// <param name="Complete">Stories in which every field that <see cref="FieldTokens"/> tracks was found.</param>
/// <param name="MissingByField">Per field (JSON name), the stories in which none of its forms was found.</param>
internal sealed record FieldTokenCoverage(int Stories, int Plain, int Complete, IReadOnlyDictionary<string, int> MissingByField)
{
    /// <summary>Delexicalizes every (prompt, story) and counts what was not found.</summary>
    public static FieldTokenCoverage Measure(IEnumerable<(string Prompt, string Story)> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var missing = FieldTokens.Fields.ToDictionary(f => f.Field, _ => 0);
        int stories = 0, plain = 0, complete = 0;
        foreach (var (prompt, story) in rows)
        {
            stories++;
            if (!StorySpec.TryFromPrompt(prompt, out var spec) || spec is null)
            {
                plain++;
                continue;
            }
            FieldTokens.Delexicalize(spec, story, out var absent);
            if (absent.Count == 0) complete++;
            foreach (string field in absent) missing[field]++;
        }
        return new FieldTokenCoverage(stories, plain, complete, missing);
    }
}
