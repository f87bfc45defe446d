namespace HorrorAlign.ML.Training;

/// <summary>
/// Options shared by both stages. The defaults suit a CPU run of a few minutes on a small model with a compact
/// vocabulary; every option is validated before training starts and a bad value is reported by name.
/// </summary>
public abstract record TrainingOptions
{
    /// <summary>Seed for initialisation, shuffling (epoch e uses System.Random(Seed + e)) and dropout (step s reseeds
    /// torch with Seed·1000003 + s, so a resumed run draws the same dropout masks). Default 42.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Peak learning rate of AdamW (reached after warmup, then cosine-decayed). Default 1e-3 (SFT).</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Examples per forward pass (a micro-batch); one optimizer step sees
    /// BatchSize × <see cref="GradientAccumulationSteps"/> examples. For DPO an example is a pair. Default 8.</summary>
    public int BatchSize { get; init; } = 8;

    /// <summary>Maximum passes over the training set. Default 10.</summary>
    public int MaxEpochs { get; init; } = 10;

    /// <summary>Optional cap on optimizer steps (wins over <see cref="MaxEpochs"/> when smaller); null = no cap.</summary>
    public int? MaxSteps { get; init; }

    /// <summary>Maximum total tokens per example (prompt + response + EOS); longer examples are cut (response
    /// truncated with EOS re-appended, prompt left-truncated). Default 384.</summary>
    public int MaxTokens { get; init; } = 384;

    /// <summary>Micro-batches whose gradients are summed before each optimizer step. The loss is normalised over the
    /// whole effective batch (tokens for SFT, pairs for DPO), so accumulation equals one big batch. Default 1.</summary>
    public int GradientAccumulationSteps { get; init; } = 1;

    /// <summary>Decoupled AdamW weight decay, applied only to parameters with two or more dimensions (matrices and
    /// embeddings; not biases or norm scales). Default 0.01, PyTorch's default and the original's (TorchSharp's own
    /// AdamW default is 0).</summary>
    public double WeightDecay { get; init; } = 0.01;

    /// <summary>AdamW β1. Default 0.9.</summary>
    public double AdamBeta1 { get; init; } = 0.9;

    /// <summary>AdamW β2. Default 0.999.</summary>
    public double AdamBeta2 { get; init; } = 0.999;

    /// <summary>AdamW ε. Default 1e-8.</summary>
    public double AdamEpsilon { get; init; } = 1e-8;

    /// <summary>Steps of linear warmup from LearningRate/WarmupSteps to LearningRate. Default 10.</summary>
    public int WarmupSteps { get; init; } = 10;

    /// <summary>Floor of the cosine decay as a fraction of <see cref="LearningRate"/> (nanoGPT uses 0.1); 1 = constant
    /// learning rate after warmup. Default 0.1.</summary>
    public double MinLearningRateRatio { get; init; } = 0.1;

    /// <summary>Clip the global gradient L2 norm to this value; 0 = no clipping (grad_norm is still reported). Default 1.</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>Evaluate on the whole validation set every this many steps (and always at each epoch end and at the last
    /// step); 0 = only at epoch ends. Default 50.</summary>
    public int EvalInterval { get; init; } = 50;

    /// <summary>Examples per forward pass during evaluation and reference precomputation; 0 = <see cref="BatchSize"/>.</summary>
    public int EvalBatchSize { get; init; }

    /// <summary>Emit a training log entry every this many steps (values averaged over the window; learning_rate and
    /// grad_norm of the latest step). Default 1.</summary>
    public int LoggingInterval { get; init; } = 1;

    /// <summary>Stop after this many consecutive evaluations without a validation-loss improvement larger than
    /// <see cref="EarlyStoppingMinDelta"/>; 0 = never stop early. Default 3.</summary>
    public int EarlyStoppingPatience { get; init; } = 3;

    /// <summary>Smallest decrease of the validation loss that counts as an improvement. Default 0.</summary>
    public double EarlyStoppingMinDelta { get; init; }

    /// <summary>At the end, put back the weights of the evaluation with the lowest validation loss (kept in memory) instead
    /// of keeping the last weights (the original kept the last, overfit ones). Default true.</summary>
    public bool RestoreBestModel { get; init; } = true;

    /// <summary>Optional folder for resumable checkpoints (one file per stage, "sft.checkpoint" / "dpo.checkpoint",
    /// replaced atomically); null = none.</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Write a checkpoint every this many steps (besides on cancellation and at the end); 0 = only then.
    /// Needs <see cref="CheckpointDirectory"/>. Default 50.</summary>
    public int CheckpointInterval { get; init; } = 50;

    /// <summary>Stop after the step during which this much wall-clock time has passed (this session's time, not counting
    /// steps a resumed run had already done), with a final evaluation and checkpoint; null = no limit. Default null.
    /// A run cut by time is not reproducible step for step: use <see cref="MaxSteps"/> for that.</summary>
    public TimeSpan? TimeLimit { get; init; }

    /// <summary>When a checkpoint of this stage exists in <see cref="CheckpointDirectory"/>, continue from it (weights,
    /// optimizer moments, step, early-stopping state, best weights, history). Default true.</summary>
    public bool ResumeFromCheckpoint { get; init; } = true;

    /// <summary>An explicit checkpoint file to resume from (must exist); wins over the automatic lookup.</summary>
    public string? ResumeFrom { get; init; }

    /// <summary>Intra-op threads for torch during this run (torch.set_num_threads is process-wide; the previous value is
    /// restored afterwards); 0 = leave the current setting. On a busy machine, fewer threads than cores is often faster.</summary>
    public int Threads { get; init; }

    /// <summary>Where the model trains and its batches are made: "cpu" (default), "cuda" (GPU 0) or "cuda:N"; the trained
    /// model stays there. CUDA needs the app to reference a CUDA backend of TorchSharp (TorchSharp-cuda-linux or
    /// TorchSharp-cuda-windows) instead of TorchSharp-cpu, and a GPU: without them training fails at its start, saying so.
    /// The ML.NET trainers set it from <c>MLContext.GpuDeviceId</c> when that is set.</summary>
    public string Device { get; init; } = Modeling.ComputeDevice.Cpu;

    /// <summary>Examples per evaluation forward pass.</summary>
    internal int EffectiveEvalBatchSize => EvalBatchSize > 0 ? EvalBatchSize : BatchSize;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public virtual void Validate()
    {
        Require(double.IsFinite(LearningRate) && LearningRate > 0, nameof(LearningRate), $"must be a positive number (got {LearningRate}).");
        Require(BatchSize >= 1, nameof(BatchSize), $"must be at least 1 (got {BatchSize}).");
        Require(MaxEpochs >= 1, nameof(MaxEpochs), $"must be at least 1 (got {MaxEpochs}).");
        Require(MaxSteps is null or >= 1, nameof(MaxSteps), $"must be at least 1 when set (got {MaxSteps}).");
        Require(MaxTokens >= 2, nameof(MaxTokens), $"must be at least 2 (got {MaxTokens}).");
        Require(GradientAccumulationSteps >= 1, nameof(GradientAccumulationSteps), $"must be at least 1 (got {GradientAccumulationSteps}).");
        Require(WeightDecay >= 0 && double.IsFinite(WeightDecay), nameof(WeightDecay), $"must be ≥ 0 (got {WeightDecay}).");
        Require(AdamBeta1 is >= 0 and < 1, nameof(AdamBeta1), $"must be in [0, 1) (got {AdamBeta1}).");
        Require(AdamBeta2 is >= 0 and < 1, nameof(AdamBeta2), $"must be in [0, 1) (got {AdamBeta2}).");
        Require(AdamEpsilon > 0, nameof(AdamEpsilon), $"must be positive (got {AdamEpsilon}).");
        Require(WarmupSteps >= 0, nameof(WarmupSteps), $"must be ≥ 0 (got {WarmupSteps}).");
        Require(MinLearningRateRatio is >= 0 and <= 1, nameof(MinLearningRateRatio), $"must be in [0, 1] (got {MinLearningRateRatio}).");
        Require(MaxGradNorm >= 0, nameof(MaxGradNorm), $"must be ≥ 0 (got {MaxGradNorm}).");
        Require(EvalInterval >= 0, nameof(EvalInterval), $"must be ≥ 0 (got {EvalInterval}).");
        Require(EvalBatchSize >= 0, nameof(EvalBatchSize), $"must be ≥ 0 (got {EvalBatchSize}).");
        Require(LoggingInterval >= 1, nameof(LoggingInterval), $"must be at least 1 (got {LoggingInterval}).");
        Require(EarlyStoppingPatience >= 0, nameof(EarlyStoppingPatience), $"must be ≥ 0 (got {EarlyStoppingPatience}).");
        Require(EarlyStoppingMinDelta >= 0, nameof(EarlyStoppingMinDelta), $"must be ≥ 0 (got {EarlyStoppingMinDelta}).");
        Require(CheckpointInterval >= 0, nameof(CheckpointInterval), $"must be ≥ 0 (got {CheckpointInterval}).");
        Require(TimeLimit is null || TimeLimit > TimeSpan.Zero, nameof(TimeLimit), $"must be positive when set (got {TimeLimit}).");
        Require(Threads >= 0, nameof(Threads), $"must be ≥ 0 (got {Threads}).");
        Require(Modeling.ComputeDevice.IsWellFormed(Device), nameof(Device), $"must be {Modeling.ComputeDevice.Forms} (got '{Device}').");
    }

    /// <summary>Throws an <see cref="ArgumentException"/> for option <paramref name="name"/> unless <paramref name="ok"/>.</summary>
    protected void Require(bool ok, string name, string message)
    {
        if (!ok) throw new ArgumentException($"{GetType().Name}.{name} {message}", name);
    }
}
