namespace HorrorAlign.ML.Evaluation;

/// <summary>Progress of a <see cref="ModelEvaluator"/> phase, reported as the phase starts (done 0) and after each story or batch.</summary>
/// <param name="Phase">"stories" (generating and checking), "pairs" (scoring preference pairs) or "sft_loss".</param>
/// <param name="Done">Items finished in this phase.</param>
/// <param name="Total">Items in this phase.</param>
public sealed record EvaluationProgress(string Phase, int Done, int Total);
