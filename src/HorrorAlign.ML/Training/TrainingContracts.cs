using HorrorAlign.ML.Persistence;

namespace HorrorAlign.ML.Training;

// CONTRACT STUB (owned by the training/persistence helper): members may be added, not renamed or removed.

/// <summary>One prompt/response example for SFT.</summary>
public sealed record SftSample(string Prompt, string Response);

/// <summary>One preference pair for DPO.</summary>
public sealed record PreferenceSample(string Prompt, string Chosen, string Rejected);

/// <summary>A named set of metric values at one step (TRL names: loss, learning_rate, grad_norm, rewards/…, eval_…).</summary>
public sealed record TrainingMetrics(string Stage, int Step, int TotalSteps, double Epoch, IReadOnlyDictionary<string, double> Values);

/// <summary>Entry points of the learning core.</summary>
public static class StoryTraining
{
    /// <summary>Supervised fine-tuning. Starts from <paramref name="initial"/> when given (not modified), else builds a
    /// fresh model whose vocabulary is derived from the data per <paramref name="options"/>.</summary>
    public static StoryModel TrainSft(IReadOnlyList<SftSample> train, IReadOnlyList<SftSample> validation, SftOptions options,
        StoryModel? initial = null, IProgress<TrainingMetrics>? progress = null, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();

    /// <summary>DPO from an SFT model (the policy starts as a copy of it; a frozen copy is the reference; the input is not modified).</summary>
    public static StoryModel TrainDpo(StoryModel sftModel, IReadOnlyList<PreferenceSample> train, IReadOnlyList<PreferenceSample> validation,
        DpoOptions options, IProgress<TrainingMetrics>? progress = null, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();
}

/// <summary>Options shared by both stages.</summary>
public abstract record TrainingOptions
{
    /// <summary>Seed for initialisation, shuffling and dropout.</summary>
    public int Seed { get; init; } = 42;
    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Examples per optimizer step (before accumulation).</summary>
    public int BatchSize { get; init; } = 8;
    /// <summary>Maximum epochs.</summary>
    public int MaxEpochs { get; init; } = 10;
    /// <summary>Maximum total tokens per example (prompt + response + EOS).</summary>
    public int MaxTokens { get; init; } = 384;
    /// <summary>Optional folder for resumable checkpoints; null = none.</summary>
    public string? CheckpointDirectory { get; init; }
}

/// <summary>SFT options.</summary>
public sealed record SftOptions : TrainingOptions;

/// <summary>DPO options.</summary>
public sealed record DpoOptions : TrainingOptions;
