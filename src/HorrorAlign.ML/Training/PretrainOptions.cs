using HorrorAlign.ML.Modeling;

namespace HorrorAlign.ML.Training;

/// <summary>
/// Pretraining options: next-token cross-entropy on every token of a plain-text corpus, cut into windows of
/// <see cref="BlockSize"/> tokens (documents separated by end-of-text), as the original pretrains its base on
/// TinyStories before SFT. The result is a base for <c>train --base</c>.
/// </summary>
public sealed record PretrainOptions : TrainingOptions
{
    /// <summary>Creates pretraining options: one epoch at 3e-3 after 50 warm-up steps, 16 windows a step, validation
    /// and a checkpoint every 200 steps, no early stopping.</summary>
    public PretrainOptions()
    {
        LearningRate = 3e-3;
        MaxEpochs = 1;
        BatchSize = 16;
        WarmupSteps = 50;
        EvalInterval = 200;
        CheckpointInterval = 200;
        EarlyStoppingPatience = 0;
    }

    /// <summary>Shape of the model (VocabSize is replaced by the vocabulary's). Default: the default run's SFT model, so
    /// that the base goes straight into <c>train --base</c>.</summary>
    public GptConfig Model { get; init; } = new SftOptions().Model;

    /// <summary>Tokens per training window (at most the model's context length). Default 256.</summary>
    public int BlockSize { get; init; } = 256;

    /// <summary>Id space: the corpus's own GPT-2 ids (compact, the default) or all of GPT-2.</summary>
    public SftVocabulary Vocabulary { get; init; } = SftVocabulary.Compact;

    /// <summary>Give the vocabulary the field tokens (untrained here) so that SFT with field tokens starts from this base
    /// without growing it. Default true.</summary>
    public bool FieldTokens { get; init; } = true;

    /// <summary>Share of windows held out for validation (every k-th window). Default 0.02.</summary>
    public double ValidationShare { get; init; } = 0.02;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        Require(Model is not null, nameof(Model), "must be set.");
        Require(BlockSize >= 2, nameof(BlockSize), $"must be at least 2 (got {BlockSize}).");
        Require(BlockSize <= Model!.ContextLength, nameof(BlockSize), $"must not exceed Model.ContextLength {Model.ContextLength} (got {BlockSize}).");
        Require(Enum.IsDefined(Vocabulary), nameof(Vocabulary), $"has unknown value {Vocabulary}.");
        Require(ValidationShare is >= 0 and < 0.5, nameof(ValidationShare), $"must be in [0, 0.5) (got {ValidationShare}).");
    }
}
