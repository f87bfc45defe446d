using System.Text.Json;

namespace HorrorAlign.ML.Evaluation;

/// <summary>The constraint checks of <see cref="StoryChecks"/>. Their stable snake_case names (<see
/// cref="StoryCheckNames.ToName"/>) are used in reports and JSON: <c>paragraph_count</c>, <c>protagonist_named</c>, …</summary>
public enum StoryCheck
{
    /// <summary>2 to 4 paragraphs (separated by blank lines), each holding a full sentence.</summary>
    ParagraphCount,
    /// <summary>The protagonist's name appears.</summary>
    ProtagonistNamed,
    /// <summary>The supporting character's name appears.</summary>
    SupportingCharacterNamed,
    /// <summary>The important object appears whole (without its leading article).</summary>
    ObjectUsed,
    /// <summary>The taboo rule is stated whole.</summary>
    TabooHonoured,
    /// <summary>The twist is paid off: stated whole.</summary>
    TwistPaidOff,
    /// <summary>The last paragraph has unsettling cues and no resolution or happy cues.</summary>
    UnsettlingEnding,
    /// <summary>No word of the gore lexicon.</summary>
    NotGraphic,
    /// <summary>No first name from the name pools other than the spec's two characters.</summary>
    NoWrongCharacter,
    /// <summary>No end-of-sequence or special-token markers such as "&lt;|endoftext|&gt;".</summary>
    NoEndMarkers,
    /// <summary>No loop: no span of 8 or more words (a spec value counting as one) occurs twice, no run of 3 or more
    /// words is immediately repeated.</summary>
    NoRepeatedSpans,
    /// <summary>No doubled articles such as "the a", "a the", "the the".</summary>
    NoDoubledArticles,
    /// <summary>The taboo is never stated the wrong way round ("Always look…" for "never look…").</summary>
    TabooNotInverted,
    /// <summary>No copy of a spec value is cut or spliced, and the characters' names are not fused.</summary>
    NoSplicedValues,
    /// <summary>No text of the prompt: field labels, instruction or constraint lines, a title of three or more words.</summary>
    NoPromptText,
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
