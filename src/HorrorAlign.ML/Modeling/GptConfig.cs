namespace HorrorAlign.ML.Modeling;

/// <summary>
/// Shape of the decoder. The defaults are the original pipeline's architecture (d_model 256, 8 heads, 4 blocks, learned
/// positions, untied output layer), so a default model loads the original PyTorch state dict by name.
/// </summary>
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

    /// <summary>
    /// Dropout on the attention probabilities only; null (the default, as in the original) uses <see cref="Dropout"/>.
    /// Setting it to 0 keeps the other dropouts: attention dropout draws B·H·T² random numbers per layer and keeps
    /// fused attention off its fast kernel, which costs about a third of an SFT step at these sizes.
    /// </summary>
    public double? AttentionDropout { get; init; }
    /// <summary>Maximum sequence length (size of the learned position table).</summary>
    public int ContextLength { get; init; } = 512;

    /// <summary>
    /// Share the token embedding with the output layer (logits = h · Eᵀ). Off in the original. With a compact vocabulary
    /// it helps the model copy names from the prompt that it rarely saw as targets, because the output row of a token
    /// is trained whenever the token is READ, not only when it is predicted. A tied model has no
    /// <c>output_layer.weight</c> in its state dict, and both embeddings start at N(0, 1/d_model) instead of N(0, 1), so
    /// the initial logits have a standard deviation near 1.
    /// </summary>
    public bool TieEmbeddings { get; init; }

    /// <summary>
    /// Use libtorch's fused <c>scaled_dot_product_attention</c> instead of the explicit softmax(q·kᵀ/√d)·v. Same maths
    /// (results agree to float rounding); fewer native calls, which matters most when decoding one token at a time.
    /// </summary>
    public bool FusedAttention { get; init; }

    /// <summary>
    /// Add a pointer-sentinel <see cref="Modeling.CopyHead"/>: the next token is either generated from the vocabulary
    /// or copied from the context, one softmax deciding. Off in the original (and then the model is exactly the
    /// original's). On in <c>horroralign train</c>'s default model: it is what lets stories repeat names, objects,
    /// taboos and twists the model never saw in training.
    /// </summary>
    public bool CopyHead { get; init; }

    /// <summary>
    /// Read token ids that never occurred in the training data through one shared, learned "unseen token" embedding
    /// instead of their own (untrained, random) rows — the pointer-generator's UNK trick, with the difference that the
    /// id itself is kept: the output layer and the <see cref="CopyHead"/>'s exact-match features still see it, so an
    /// unseen name is still copied exactly. Training teaches the shared embedding by reading rare training ids through
    /// it at random (<c>SftOptions.UnseenTokenDropout</c>). Off in the original; on in <c>horroralign train</c>'s
    /// default model, whose held-out specs are full of names and words the model never read.
    /// </summary>
    public bool UnseenTokenEmbedding { get; init; }

    /// <summary>Width of the copy head's keys and queries (<see cref="DModel"/> / 2).</summary>
    public int CopyDim => Math.Max(1, DModel / 2);

    /// <summary>Width of one attention head (<see cref="DModel"/> / <see cref="NHeads"/>).</summary>
    public int HeadDim => NHeads > 0 ? DModel / NHeads : 0;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first field that cannot build a model, or that is
    /// beyond the hard limits of <see cref="GptLimits"/>.</summary>
    public void Validate()
    {
        static void Require(bool ok, string field, string message)
        {
            if (!ok) throw new ArgumentException($"GptConfig.{field}: {message}", field);
        }

        static void InRange(int value, int max, string field) =>
            Require(value is > 0 && value <= max, field, $"must be in 1..{max:N0} (got {value:N0}).");

        InRange(VocabSize, GptLimits.MaxVocabSize, nameof(VocabSize));
        InRange(DModel, GptLimits.MaxDModel, nameof(DModel));
        InRange(NHeads, DModel > 0 ? DModel : int.MaxValue, nameof(NHeads));
        Require(DModel % NHeads == 0, nameof(NHeads), $"must divide DModel (DModel {DModel} is not a multiple of NHeads {NHeads}).");
        InRange(NLayers, GptLimits.MaxLayers, nameof(NLayers));
        InRange(MlpRatio, GptLimits.MaxMlpRatio, nameof(MlpRatio));
        Require(Dropout is >= 0 and < 1, nameof(Dropout), $"must be in [0, 1) (got {Dropout}).");
        Require(AttentionDropout is null or (>= 0 and < 1), nameof(AttentionDropout), $"must be in [0, 1) (got {AttentionDropout}).");
        InRange(ContextLength, GptLimits.MaxContextLength, nameof(ContextLength));
    }
}
