using System.Text.Json;

namespace HorrorAlign.ML.Evaluation;

/// <summary>The constraint checks of <see cref="StoryChecks"/>. Their stable snake_case names (<see
/// cref="StoryCheckNames.ToName"/>) are used in reports and JSON: <c>paragraph_count</c>, <c>protagonist_named</c>, …</summary>
public enum StoryCheck
{
    /// <summary>2 to 4 non-empty paragraphs (separated by blank lines).</summary>
    ParagraphCount,
    /// <summary>The protagonist's name appears.</summary>
    ProtagonistNamed,
    /// <summary>The supporting character's name appears.</summary>
    SupportingCharacterNamed,
    /// <summary>The head noun of the important object appears.</summary>
    ObjectUsed,
    /// <summary>The taboo rule is stated or clearly referenced (its key content words together in one sentence).</summary>
    TabooHonoured,
    /// <summary>The twist is paid off (its key content words together in one sentence).</summary>
    TwistPaidOff,
    /// <summary>The last paragraph has unsettling cues and no resolution or happy cues.</summary>
    UnsettlingEnding,
    /// <summary>No word of the gore lexicon.</summary>
    NotGraphic,
    /// <summary>No first name from the name pools other than the spec's two characters.</summary>
    NoWrongCharacter,
    /// <summary>No end-of-sequence or special-token markers such as "&lt;|endoftext|&gt;".</summary>
    NoEndMarkers,
    /// <summary>No span of 8 or more words occurs twice.</summary>
    NoRepeatedSpans,
    /// <summary>No doubled articles such as "the a", "a the", "the the".</summary>
    NoDoubledArticles,
}

/// <summary>Stable snake_case names of <see cref="StoryCheck"/> values.</summary>
public static class StoryCheckNames
{
    private static readonly StoryCheck[] All = Enum.GetValues<StoryCheck>();
    private static readonly string[] Names = [.. All.Select(c => JsonNamingPolicy.SnakeCaseLower.ConvertName(c.ToString()))];

    /// <summary>Every check, in declaration order.</summary>
    public static IReadOnlyList<StoryCheck> Checks => All;

    /// <summary>The snake_case name, e.g. <c>taboo_honoured</c>.</summary>
    public static string ToName(this StoryCheck check) => Names[(int)check];

    /// <summary>Parses a snake_case check name.</summary>
    /// <exception cref="FormatException">Unknown name; the message lists the valid ones.</exception>
    public static StoryCheck Parse(string name)
    {
        int i = Array.IndexOf(Names, name);
        return i >= 0 ? All[i] : throw new FormatException($"Unknown story check '{name}'; expected one of: {string.Join(", ", Names)}.");
    }
}
