using System.Text.Json;
using System.Text.Json.Serialization;

namespace HorrorAlign.ML.Data;

/// <summary>
/// How a preference pair's rejected story differs from the chosen one. In JSON the kinds are snake_case strings
/// (<c>contrastive</c>, <c>ignores_taboo</c>, …). The template writer makes the first eight
/// (<see cref="PairKindExtensions.TemplateKinds"/>): <see cref="Contrastive"/> is the original pipeline's easy pair; the
/// seven after it are HARD: the rejected story is the chosen story's plausible horror twin (same template draws) that
/// fails exactly one constraint (the evaluation maps each hard kind to its check: <c>PairKindChecks.TargetCheck</c>).
/// <see cref="OnPolicy"/> pairs are mined from a model's own failing stories. New kinds are added at the end, so the
/// integer values (and the order of per-kind reports) of existing kinds never change.
/// </summary>
[JsonConverter(typeof(PairKindJsonConverter))]
public enum PairKind
{
    /// <summary>The original's wholesome rejection: the taboo a joke, the twist "a harmless coincidence", a cosy ending.</summary>
    Contrastive,
    /// <summary>The taboo is never stated or honoured (fails <c>taboo_honoured</c>).</summary>
    IgnoresTaboo,
    /// <summary>The twist is never paid off (fails <c>twist_paid_off</c>).</summary>
    MissingTwist,
    /// <summary>One paragraph, or five or more (fails <c>paragraph_count</c>).</summary>
    WrongParagraphCount,
    /// <summary>A resolved, reassuring ending (fails <c>unsettling_ending</c>).</summary>
    HappyEnding,
    /// <summary>Graphic violence (fails <c>not_graphic</c>).</summary>
    GraphicGore,
    /// <summary>A character named differently from the spec (fails <c>no_wrong_character</c>).</summary>
    WrongCharacter,
    /// <summary>A span of words looped, the way a small model repeats itself after copying a spec value (fails
    /// <c>no_repeated_spans</c>).</summary>
    RepeatedSpan,
    /// <summary>Mined, not written from templates: the rejected story is a model's own story that failed the checks the
    /// pair's <see cref="PreferencePair.Failures"/> lists, the chosen one its repaired twin or a reference story.</summary>
    OnPolicy,
}

/// <summary>Names and groups of <see cref="PairKind"/>.</summary>
public static class PairKindExtensions
{
    private static readonly PairKind[] All = Enum.GetValues<PairKind>();
    private static readonly PairKind[] Template = [.. All.Where(IsTemplate)];
    private static readonly string[] Names = [.. All.Select(k => JsonNamingPolicy.SnakeCaseLower.ConvertName(k.ToString()))];

    /// <summary>Every kind, in declaration order.</summary>
    public static IReadOnlyList<PairKind> Kinds => All;

    /// <summary>The kinds the template writer makes (every kind but <see cref="PairKind.OnPolicy"/>), in declaration
    /// order: the kinds a pair-kind mix weighs and the generated dataset holds.</summary>
    public static IReadOnlyList<PairKind> TemplateKinds => Template;

    /// <summary>True for the kinds the template writer makes (every kind but <see cref="PairKind.OnPolicy"/>).</summary>
    public static bool IsTemplate(this PairKind kind) => kind != PairKind.OnPolicy;

    /// <summary>The snake_case name used in JSON, e.g. <c>ignores_taboo</c>.</summary>
    public static string ToName(this PairKind kind) => Names[(int)kind];

    /// <summary>Parses a snake_case kind name.</summary>
    /// <exception cref="FormatException">Unknown name; the message lists the valid ones.</exception>
    public static PairKind ParsePairKind(string name)
    {
        int i = Array.IndexOf(Names, name);
        return i >= 0 ? All[i] : throw new FormatException($"Unknown pair kind '{name}'; expected one of: {string.Join(", ", Names)}.");
    }

    /// <summary>True for the seven hard template kinds, whose rejected story fails exactly one check (all but
    /// <see cref="PairKind.Contrastive"/> and <see cref="PairKind.OnPolicy"/>).</summary>
    public static bool IsHard(this PairKind kind) => kind is not (PairKind.Contrastive or PairKind.OnPolicy);
}

/// <summary>Writes <see cref="PairKind"/> as its snake_case name (integers are not accepted).</summary>
internal sealed class PairKindJsonConverter() : JsonStringEnumConverter<PairKind>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false);
