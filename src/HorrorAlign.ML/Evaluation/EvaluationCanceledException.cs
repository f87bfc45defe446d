namespace HorrorAlign.ML.Evaluation;

/// <summary>
/// An evaluation stopped by its cancellation token, with what was finished before it: the whole phases, and in the story
/// phase the stories finished so far, graded. A caller can keep them (<c>evaluate --out</c> writes them) instead of
/// losing an hour of stories to a Ctrl+C in the scoring that follows.
/// </summary>
internal sealed class EvaluationCanceledException(ModelEvaluationReport finished, string phase, OperationCanceledException inner)
    : OperationCanceledException($"Evaluation stopped in the {phase} phase.", inner, inner.CancellationToken)
{
    /// <summary>The finished results: a phase that did not finish is null (the story phase: the stories finished, or null).</summary>
    public ModelEvaluationReport Finished { get; } = finished;

    /// <summary>The phase that was stopped: <see cref="ModelEvaluator.StoriesPhase"/>, <see cref="ModelEvaluator.PairsPhase"/>
    /// or <see cref="ModelEvaluator.SftLossPhase"/>.</summary>
    public string Phase { get; } = phase;

    /// <summary>Whether anything was finished.</summary>
    public bool HasResults => Finished.Constraints is not null || Finished.Preferences is not null || Finished.SftLoss is not null;
}
