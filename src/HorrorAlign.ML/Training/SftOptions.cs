using HorrorAlign.ML.Modeling;

namespace HorrorAlign.ML.Training;

/// <summary>Which id space a freshly built SFT model uses.</summary>
public enum SftVocabulary
{
    /// <summary>Only the GPT-2 ids of the training corpus (plus <see cref="SftOptions.ExtraVocabularyText"/>, the 256
    /// byte tokens and end-of-text): about 10× faster than the full vocabulary on a template corpus, still lossless.</summary>
    Compact,
    /// <summary>All 50,257 GPT-2 ids (needed to load the original PyTorch weights).</summary>
    Full,
}

/// <summary>SFT options (completion-only loss: the token mean of the response and EOS cross-entropy).</summary>
public sealed record SftOptions : TrainingOptions
{
    /// <summary>Creates SFT options with the default run's schedule: 2 epochs at a learning rate of 3e-3 after 50 warm-up
    /// steps, validation and a checkpoint every 128 steps, early stopping after 3 evaluations without improvement.</summary>
    public SftOptions()
    {
        LearningRate = 3e-3;
        MaxEpochs = 2;
        WarmupSteps = 50;
        EvalInterval = 128;
        CheckpointInterval = 128;
    }

    /// <summary>
    /// Shape of a freshly built model (ignored when training starts from an existing model). VocabSize is replaced by
    /// the vocabulary's size; ContextLength must be at least <see cref="TrainingOptions.MaxTokens"/>. Default: the shape
    /// of <c>horroralign train</c>'s default run — d_model 128, 4 heads, 4 blocks, MLP ×4, no dropout, context 384, tied
    /// embeddings and fused attention; about 0.8M parameters plus the embeddings. No copy head and no unseen-token
    /// embedding: with <see cref="FieldTokens"/> the model neither reads nor spells a value, so there is nothing to copy
    /// and no unseen word to read.
    /// </summary>
    public GptConfig Model { get; init; } = new()
    {
        DModel = 128, NHeads = 4, NLayers = 4, MlpRatio = 4, Dropout = 0, ContextLength = 384, TieEmbeddings = true, FusedAttention = true,
    };

    /// <summary>
    /// Write spec values in responses as field tokens (<see cref="Tokenization.FieldTokens"/>): the model learns where
    /// a value goes, and generation writes the exact value there, whatever its length, script or tokenization. Off
    /// trains on plain text, as the original does (a model that must spell values, e.g. from a pretrained base).
    /// Default on.
    /// </summary>
    public bool FieldTokens { get; init; } = true;

    /// <summary>
    /// Token dropout that teaches a model with <see cref="GptConfig.UnseenTokenEmbedding"/> what an unseen token is:
    /// in each training batch, every RARE id (held by at most 5 % of the training examples: spec values, not template
    /// words) is read through the shared unseen-token embedding with this probability, at all its occurrences — the
    /// situation of a held-out name, which the model meets in the prompt and must carry through the story. Targets
    /// are unchanged. Ignored for models without the embedding. Default 0.25.
    /// </summary>
    public double UnseenTokenDropout { get; init; } = 0.25;

    /// <summary>Id space of a freshly built model. Default <see cref="SftVocabulary.Compact"/>.</summary>
    public SftVocabulary Vocabulary { get; init; } = SftVocabulary.Compact;

    /// <summary>Extra text whose tokens a compact vocabulary must cover besides the training and validation texts,
    /// e.g. every value of every spec field so that held-out names get ids of their own. Default none.</summary>
    public IReadOnlyList<string> ExtraVocabularyText { get; init; } = [];

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        Require(Model is not null, nameof(Model), "must be set.");
        Require(Enum.IsDefined(Vocabulary), nameof(Vocabulary), $"has unknown value {Vocabulary}.");
        Require(UnseenTokenDropout is >= 0 and < 1, nameof(UnseenTokenDropout), $"must be in [0, 1) (got {UnseenTokenDropout}).");
        Require(ExtraVocabularyText is not null, nameof(ExtraVocabularyText), "must not be null (use an empty list).");
    }
}
