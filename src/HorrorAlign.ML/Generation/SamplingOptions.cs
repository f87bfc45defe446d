namespace HorrorAlign.ML.Generation;

// CONTRACT STUB (owned by the model/generation helper): members may be added, not renamed or removed.
/// <summary>How to sample a story.</summary>
public sealed record SamplingOptions
{
    /// <summary>Maximum number of new tokens.</summary>
    public int MaxNewTokens { get; init; } = 200;
    /// <summary>Softmax temperature; 0 means greedy.</summary>
    public double Temperature { get; init; } = 1.0;
    /// <summary>Keep only the k most likely tokens (0 = off).</summary>
    public int TopK { get; init; }
    /// <summary>Nucleus threshold in (0,1]; 1 = off. The original's default is 0.95.</summary>
    public double TopP { get; init; } = 0.95;
    /// <summary>CTRL-style repetition penalty (1 = off).</summary>
    public double RepetitionPenalty { get; init; } = 1.0;
    /// <summary>Seed for reproducible sampling.</summary>
    public int Seed { get; init; } = 42;
    /// <summary>Extra strings that end generation (EOS always does).</summary>
    public IReadOnlyList<string> StopStrings { get; init; } = [];
    /// <summary>Use the key/value cache (on by default; off re-runs the whole context each token, like the original).</summary>
    public bool UseKvCache { get; init; } = true;
}
