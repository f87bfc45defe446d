using HorrorAlign.ML.Generation;

namespace HorrorAlign.ML.Evaluation;

/// <summary>Settings of <see cref="ModelEvaluator"/>.</summary>
public sealed record ModelEvaluationOptions
{
    /// <summary>How stories are sampled for the constraint checks (story i uses seed <c>Sampling.Seed + i</c>, as
    /// <see cref="TextGenerator.GenerateBatch(HorrorAlign.ML.Persistence.StoryModel, IReadOnlyList{string}, SamplingOptions, int, IProgress{int}?, CancellationToken)"/> does). Default: <see cref="SamplingOptions"/>' defaults (top-p 0.95,
    /// temperature 1, 200 new tokens), the setting the quality bar is stated for.</summary>
    public SamplingOptions Sampling { get; init; } = new();

    /// <summary>Token limit per example when scoring pairs and SFT examples (prompt + response + EOS, cut like
    /// training does); null = the model's context length. Use the training runs' MaxTokens to score exactly what was
    /// trained on.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>Examples per forward pass when scoring. Default 16.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>β that scales rewards (β·log-ratio to the reference); use the DPO run's. Default 0.1.</summary>
    public double Beta { get; init; } = 0.1;

    /// <summary>Names that count as a wrong character when they appear besides the spec's two; null = every name of
    /// the built-in pools (held-out ones included).</summary>
    public IReadOnlyList<string>? KnownNames { get; init; }

    /// <summary>How many stories are written at once (see <see cref="ParallelPrompts"/>: each on one torch thread, so
    /// up to the number of cores pays). The stories do not depend on it. Default 1.</summary>
    public int Parallelism { get; init; } = 1;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Sampling is null) throw new ArgumentException("ModelEvaluationOptions.Sampling must be set.", nameof(Sampling));
        Sampling.Validate();
        if (MaxTokens is < 2) throw new ArgumentException($"ModelEvaluationOptions.MaxTokens must be at least 2 when set (got {MaxTokens}).", nameof(MaxTokens));
        if (BatchSize < 1) throw new ArgumentException($"ModelEvaluationOptions.BatchSize must be at least 1 (got {BatchSize}).", nameof(BatchSize));
        if (Parallelism < 1) throw new ArgumentException($"ModelEvaluationOptions.Parallelism must be at least 1 (got {Parallelism}).", nameof(Parallelism));
        if (!(Beta > 0) || double.IsInfinity(Beta)) throw new ArgumentException($"ModelEvaluationOptions.Beta must be a positive number (got {Beta}).", nameof(Beta));
    }
}
