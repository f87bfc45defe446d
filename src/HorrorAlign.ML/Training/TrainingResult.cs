using HorrorAlign.ML.Persistence;

namespace HorrorAlign.ML.Training;

/// <summary>Why a training run ended.</summary>
public enum TrainingStopReason
{
    /// <summary>All planned steps ran (MaxEpochs or MaxSteps).</summary>
    Completed,
    /// <summary>The validation loss stopped improving for EarlyStoppingPatience evaluations.</summary>
    EarlyStopped,
    /// <summary>The loss or gradient norm became NaN or infinite (see <see cref="TrainingDivergedException"/>).</summary>
    Diverged,
    /// <summary>The wall-clock budget (<see cref="TrainingOptions.TimeLimit"/>) ran out.</summary>
    TimeLimitReached,
}

/// <summary>The outcome of a training run: the model plus its full metric history and a summary.</summary>
public sealed class TrainingResult
{
    internal TrainingResult(StoryModel model, IReadOnlyList<TrainingMetrics> history, TrainingStopReason stopReason, int steps,
        int totalSteps, int? bestStep, double? bestEvalLoss, bool restoredBest, int? resumedFromStep, string message)
    {
        Model = model;
        History = history;
        StopReason = stopReason;
        Steps = steps;
        TotalSteps = totalSteps;
        BestStep = bestStep;
        BestEvalLoss = bestEvalLoss;
        RestoredBest = restoredBest;
        ResumedFromStep = resumedFromStep;
        Message = message;
    }

    /// <summary>The trained model (the best-validation weights when <see cref="RestoredBest"/>); the caller owns and disposes it.</summary>
    public StoryModel Model { get; }

    /// <summary>Every training log entry and evaluation, in order (a resumed run includes the entries before the resume).</summary>
    public IReadOnlyList<TrainingMetrics> History { get; }

    /// <summary>Why training ended.</summary>
    public TrainingStopReason StopReason { get; }

    /// <summary>Optimizer steps completed.</summary>
    public int Steps { get; }

    /// <summary>Optimizer steps planned.</summary>
    public int TotalSteps { get; }

    /// <summary>Step of the lowest validation loss, or null when nothing was evaluated.</summary>
    public int? BestStep { get; }

    /// <summary>The lowest validation loss seen, or null when nothing was evaluated.</summary>
    public double? BestEvalLoss { get; }

    /// <summary>True when <see cref="Model"/> holds the weights of <see cref="BestStep"/> rather than the last step's.</summary>
    public bool RestoredBest { get; }

    /// <summary>The step a checkpoint resumed this run from, or null for a fresh run.</summary>
    public int? ResumedFromStep { get; }

    /// <summary>One human-readable line: stop reason, steps, best step and loss.</summary>
    public string Message { get; }

    /// <summary>The training log entries only.</summary>
    public IEnumerable<TrainingMetrics> TrainingLog => History.Where(m => !m.IsEvaluation);

    /// <summary>The evaluation entries only.</summary>
    public IEnumerable<TrainingMetrics> Evaluations => History.Where(m => m.IsEvaluation);

    /// <inheritdoc />
    public override string ToString() => Message;
}
