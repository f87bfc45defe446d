using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.Training;

namespace HorrorAlign.ML.Pipeline;

/// <summary>What a progress report of <see cref="AlignmentPipeline"/> says.</summary>
public enum PipelineProgressKind
{
    /// <summary>A stage began; <see cref="PipelineProgress.Total"/> units (steps, stories) lie ahead.</summary>
    Started,
    /// <summary>A stage moved to <see cref="PipelineProgress.Done"/> units.</summary>
    Advanced,
    /// <summary>A stage ended; <see cref="PipelineProgress.Detail"/> sums it up.</summary>
    Completed,
    /// <summary>A training log entry or evaluation (<see cref="PipelineProgress.Metrics"/>).</summary>
    Training,
    /// <summary>Evaluation progress (<see cref="PipelineProgress.Evaluation"/>).</summary>
    Evaluation,
}

/// <summary>One progress report of <see cref="AlignmentPipeline"/>. Stages are keyed <c>data</c>, <c>sft</c>,
/// <c>on-policy</c>, <c>dpo</c>, <c>eval-sft</c>, <c>eval-dpo</c>, <c>alone-sft</c>, <c>alone-dpo</c>, <c>write</c>.
/// Reports come synchronously from the thread doing the work.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Stage">The stage's key.</param>
/// <param name="Title">The stage's human name (set on <see cref="PipelineProgressKind.Started"/>).</param>
/// <param name="Done">Units done.</param>
/// <param name="Total">Units in the stage.</param>
/// <param name="Detail">A short description (the latest figures, or the stage's summary).</param>
public sealed record PipelineProgress(PipelineProgressKind Kind, string Stage, string Title = "", int Done = 0, int Total = 0, string? Detail = null)
{
    /// <summary>The training log entry, for <see cref="PipelineProgressKind.Training"/>.</summary>
    public TrainingMetrics? Metrics { get; init; }

    /// <summary>The evaluation's progress, for <see cref="PipelineProgressKind.Evaluation"/>.</summary>
    public EvaluationProgress? Evaluation { get; init; }
}
