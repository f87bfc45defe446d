using HorrorAlign.ML.Data;

namespace HorrorAlign.ML.Evaluation;

/// <summary>How the template <see cref="PairKind"/>s map onto the <see cref="StoryCheck"/>s.</summary>
internal static class PairKindChecks
{
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
