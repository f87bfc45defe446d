namespace HorrorAlign.ML.Training;

/// <summary>
/// Thrown when the loss or the gradient norm of a step is NaN or infinite. The offending update is NOT applied;
/// <see cref="Result"/> carries the best validated weights (or, when nothing was validated yet, the weights from before
/// the failing step), the history so far and the step, so the work is not lost. The caller owns
/// <see cref="TrainingResult.Model"/>.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TrainingDivergedException(string message, int step, string quantity, double value, TrainingResult result)
        : base(message)
    {
        Step = step;
        Quantity = quantity;
        Value = value;
        Result = result;
    }

    /// <summary>The 1-based optimizer step whose loss or gradient was not finite.</summary>
    public int Step { get; }

    /// <summary>Which quantity was not finite: "loss", "grad_norm" or "eval_loss".</summary>
    public string Quantity { get; }

    /// <summary>Its value (NaN or ±infinity).</summary>
    public double Value { get; }

    /// <summary>The run up to the failure, with <see cref="TrainingStopReason.Diverged"/> and the kept weights.</summary>
    public TrainingResult Result { get; }
}
