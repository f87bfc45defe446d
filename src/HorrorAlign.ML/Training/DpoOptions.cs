using HorrorAlign.ML.Losses;

namespace HorrorAlign.ML.Training;

/// <summary>DPO options. Early stopping and best-weight selection use the validation DPO loss.</summary>
public sealed record DpoOptions : TrainingOptions
{
    /// <summary>Creates DPO options with the default run's settings: 2 epochs at a learning rate of 2e-5 after 10 warm-up
    /// steps, weight decay 0 (as in TRL), validation and a checkpoint every 24 steps, RPO α 1.</summary>
    public DpoOptions()
    {
        LearningRate = 2e-5;
        MaxEpochs = 2;
        WeightDecay = 0.0;
        EvalInterval = 24;
        CheckpointInterval = 24;
    }

    /// <summary>β: strength of the implicit KL constraint to the reference (rewards are β·log-ratio). Default 0.1.</summary>
    public double Beta { get; init; } = 0.1;

    /// <summary>Loss variant. Default <see cref="DpoLossType.Sigmoid"/> (standard DPO).</summary>
    public DpoLossType LossType { get; init; } = DpoLossType.Sigmoid;

    /// <summary>Label smoothing ε (cDPO / robust DPO): the assumed fraction of flipped preference labels. Default 0;
    /// the original used 0.05.</summary>
    public double LabelSmoothing { get; init; }

    /// <summary>
    /// Weight α of a negative log-likelihood term on the CHOSEN responses (per-token mean, as TRL's <c>rpo_alpha</c>;
    /// Pang et al. 2024): loss = DPO + α·NLL(chosen). Plain DPO can raise the margin by pushing BOTH responses down, and
    /// on this task that measurably hurt generation; the NLL term keeps the chosen stories likely. 0 = plain DPO. Default 1.
    /// </summary>
    public double RpoAlpha { get; init; } = 1.0;

    /// <summary>Compute the frozen reference's log-probs of every pair once before training (train and validation sets,
    /// under no_grad), removing one forward pass per step. false = run the reference on each batch (in its own dispose
    /// scope so its activations are freed at once). Default true.</summary>
    public bool PrecomputeReferenceLogProbs { get; init; } = true;

    /// <summary>Keep dropout active in the policy during DPO. Default false (like TRL): with dropout the policy's
    /// log-probs are noisy and the implicit reward at step 0 is not exactly 0.</summary>
    public bool PolicyDropout { get; init; }

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        Require(double.IsFinite(Beta) && Beta > 0, nameof(Beta), $"must be a positive number (got {Beta}).");
        Require(Enum.IsDefined(LossType), nameof(LossType), $"has unknown value {LossType}.");
        Require(LabelSmoothing is >= 0 and < 0.5, nameof(LabelSmoothing), $"must be in [0, 0.5) (got {LabelSmoothing}).");
        Require(double.IsFinite(RpoAlpha) && RpoAlpha >= 0, nameof(RpoAlpha), $"must be a non-negative number (got {RpoAlpha}).");
    }
}
