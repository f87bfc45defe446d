namespace HorrorAlign.ML.Modeling;

// CONTRACT STUB (owned by the model helper): members may be added, not renamed or removed.
/// <summary>Shape of the decoder. The defaults are the original pipeline's architecture (d_model 256, 8 heads, 4 blocks).</summary>
public sealed record GptConfig
{
    /// <summary>Number of token ids the embedding and output layer cover (50257 for full GPT-2, smaller when compact).</summary>
    public int VocabSize { get; init; } = 50257;
    /// <summary>Width of the residual stream.</summary>
    public int DModel { get; init; } = 256;
    /// <summary>Attention heads; must divide <see cref="DModel"/>.</summary>
    public int NHeads { get; init; } = 8;
    /// <summary>Transformer blocks.</summary>
    public int NLayers { get; init; } = 4;
    /// <summary>MLP hidden width as a multiple of d_model.</summary>
    public int MlpRatio { get; init; } = 4;
    /// <summary>Dropout on embeddings, attention probabilities and MLP output (training only).</summary>
    public double Dropout { get; init; } = 0.1;
    /// <summary>Maximum sequence length (size of the learned position table).</summary>
    public int ContextLength { get; init; } = 512;
}
