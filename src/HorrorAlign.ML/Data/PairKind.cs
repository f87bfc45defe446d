using System.Text.Json;
using System.Text.Json.Serialization;
using HorrorAlign.ML.Evaluation;

namespace HorrorAlign.ML.Data;

/// <summary>
/// How a preference pair's rejected story differs from the chosen one. In JSON the kinds are snake_case strings
/// (<c>contrastive</c>, <c>ignores_taboo</c>, …). <see cref="Contrastive"/> is the original pipeline's easy pair; every
/// other kind (seven of them) is HARD: the rejected story is the chosen story's plausible horror twin (same template
/// draws) that fails exactly one constraint, the check <see cref="PairKindExtensions.TargetCheck"/> names. New kinds are
/// added at the end, so the integer values (and the order of per-kind reports) of existing kinds never change.
/// </summary>
[JsonConverter(typeof(PairKindJsonConverter))]
public enum PairKind
{
    /// <summary>The original's wholesome rejection: the taboo a joke, the twist "a harmless coincidence", a cosy ending.</summary>
    Contrastive,
    /// <summary>The taboo is never stated or honoured (fails <see cref="StoryCheck.TabooHonoured"/>).</summary>
    IgnoresTaboo,
    /// <summary>The twist is never paid off (fails <see cref="StoryCheck.TwistPaidOff"/>).</summary>
    MissingTwist,
    /// <summary>One paragraph, or five or more (fails <see cref="StoryCheck.ParagraphCount"/>).</summary>
    WrongParagraphCount,
    /// <summary>A resolved, reassuring ending (fails <see cref="StoryCheck.UnsettlingEnding"/>).</summary>
    HappyEnding,
    /// <summary>Graphic violence (fails <see cref="StoryCheck.NotGraphic"/>).</summary>
    GraphicGore,
    /// <summary>A character named differently from the spec (fails <see cref="StoryCheck.NoWrongCharacter"/>).</summary>
    WrongCharacter,
    /// <summary>A span of words looped, the way a small model repeats itself after copying a spec value (fails
    /// <see cref="StoryCheck.NoRepeatedSpans"/>).</summary>
    RepeatedSpan,
}

/// <summary>Names and check mapping of <see cref="PairKind"/>.</summary>
public static class PairKindExtensions
{
    private static readonly PairKind[] All = Enum.GetValues<PairKind>();
    private static readonly string[] Names = [.. All.Select(k => JsonNamingPolicy.SnakeCaseLower.ConvertName(k.ToString()))];

    /// <summary>Every kind, in declaration order.</summary>
    public static IReadOnlyList<PairKind> Kinds => All;

    /// <summary>The snake_case name used in JSON, e.g. <c>ignores_taboo</c>.</summary>
    public static string ToName(this PairKind kind) => Names[(int)kind];

    /// <summary>Parses a snake_case kind name.</summary>
    /// <exception cref="FormatException">Unknown name; the message lists the valid ones.</exception>
    public static PairKind ParsePairKind(string name)
    {
        int i = Array.IndexOf(Names, name);
        return i >= 0 ? All[i] : throw new FormatException($"Unknown pair kind '{name}'; expected one of: {string.Join(", ", Names)}.");
    }

    /// <summary>True for the hard kinds (all but <see cref="PairKind.Contrastive"/>).</summary>
    public static bool IsHard(this PairKind kind) => kind != PairKind.Contrastive;

    /// <summary>The one check a hard kind's rejected story fails (and the chosen passes); null for
    /// <see cref="PairKind.Contrastive"/>, whose rejected story fails at least one check.</summary>
    public static StoryCheck? TargetCheck(this PairKind kind) => kind switch
    {
        PairKind.IgnoresTaboo => StoryCheck.TabooHonoured,
        PairKind.MissingTwist => StoryCheck.TwistPaidOff,
        PairKind.WrongParagraphCount => StoryCheck.ParagraphCount,
        PairKind.HappyEnding => StoryCheck.UnsettlingEnding,
        PairKind.GraphicGore => StoryCheck.NotGraphic,
        PairKind.WrongCharacter => StoryCheck.NoWrongCharacter,
        PairKind.RepeatedSpan => StoryCheck.NoRepeatedSpans,
        _ => null,
    };
}

/// <summary>Writes <see cref="PairKind"/> as its snake_case name (integers are not accepted).</summary>
public sealed class PairKindJsonConverter() : JsonStringEnumConverter<PairKind>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false);
