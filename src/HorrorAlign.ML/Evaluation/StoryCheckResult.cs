namespace HorrorAlign.ML.Evaluation;

/// <summary>The outcome of <see cref="StoryChecks.Check(Specs.StorySpec, string)"/>: one boolean per check (true =
/// passed), plus what was counted or found, for diagnostics.</summary>
public sealed class StoryCheckResult
{
    private readonly bool[] _passed;

    internal StoryCheckResult(bool[] passed, int paragraphs, IReadOnlyList<string> unexpectedNames)
    {
        _passed = passed;
        Paragraphs = paragraphs;
        UnexpectedNames = unexpectedNames;
        Failures = [.. StoryCheckNames.Checks.Where(c => !passed[(int)c])];
    }

    /// <summary>2 to 4 paragraphs that hold a full sentence.</summary>
    public bool ParagraphCount => Passed(StoryCheck.ParagraphCount);
    /// <summary>The protagonist is named.</summary>
    public bool ProtagonistNamed => Passed(StoryCheck.ProtagonistNamed);
    /// <summary>The supporting character is named.</summary>
    public bool SupportingCharacterNamed => Passed(StoryCheck.SupportingCharacterNamed);
    /// <summary>The object appears whole.</summary>
    public bool ObjectUsed => Passed(StoryCheck.ObjectUsed);
    /// <summary>The taboo is stated whole.</summary>
    public bool TabooHonoured => Passed(StoryCheck.TabooHonoured);
    /// <summary>The twist is paid off.</summary>
    public bool TwistPaidOff => Passed(StoryCheck.TwistPaidOff);
    /// <summary>The ending is unsettling and not resolved or happy.</summary>
    public bool UnsettlingEnding => Passed(StoryCheck.UnsettlingEnding);
    /// <summary>No gore words.</summary>
    public bool NotGraphic => Passed(StoryCheck.NotGraphic);
    /// <summary>No other pool name appears.</summary>
    public bool NoWrongCharacter => Passed(StoryCheck.NoWrongCharacter);
    /// <summary>No end-of-sequence markers.</summary>
    public bool NoEndMarkers => Passed(StoryCheck.NoEndMarkers);
    /// <summary>No loop (repeated span).</summary>
    public bool NoRepeatedSpans => Passed(StoryCheck.NoRepeatedSpans);
    /// <summary>No doubled articles.</summary>
    public bool NoDoubledArticles => Passed(StoryCheck.NoDoubledArticles);

    /// <summary>True when every check passed.</summary>
    public bool AllPassed => Failures.Count == 0;

    /// <summary>Whether <paramref name="check"/> passed.</summary>
    public bool Passed(StoryCheck check) => _passed[(int)check];

    /// <summary>The failed checks, in declaration order.</summary>
    public IReadOnlyList<StoryCheck> Failures { get; }

    /// <summary>The failed checks' snake_case names, in declaration order.</summary>
    public IReadOnlyList<string> FailureNames => [.. Failures.Select(f => f.ToName())];

    /// <summary>Number of paragraphs found that count: blocks between blank lines holding a full sentence.</summary>
    public int Paragraphs { get; }

    /// <summary>Pool names found in the story that are not the spec's characters (empty when none).</summary>
    public IReadOnlyList<string> UnexpectedNames { get; }

    /// <inheritdoc/>
    public override string ToString() => AllPassed ? "all checks passed" : "failed: " + string.Join(", ", FailureNames);
}
