using static TorchSharp.torch;

namespace HorrorAlign.ML.Losses;

/// <summary>DPO loss variants (golden dpo_loss.json). h = (pc - rc) - (pr - rr), e = label smoothing.</summary>
public enum DpoLossType
{
    /// <summary>-(1-e)·logσ(βh) - e·logσ(-βh); with label smoothing e &gt; 0 this is cDPO.</summary>
    Sigmoid,
    /// <summary>Robust DPO: (-(1-e)·logσ(βh) + e·logσ(-βh)) / (1-2e).</summary>
    Robust,
    /// <summary>IPO: (h - 1/(2β))² on the given (summed) log-probs; label smoothing is not used.</summary>
    Ipo,
    /// <summary>relu(1 - βh); label smoothing is not used.</summary>
    Hinge,
}

/// <summary>Loss and the TRL-style statistics of one batch of preference pairs.</summary>
/// <param name="Loss">Scalar mean loss over the batch (differentiable).</param>
/// <param name="RewardsChosen">[B] β(pc - rc), detached (TRL: rewards/chosen).</param>
/// <param name="RewardsRejected">[B] β(pr - rr), detached (TRL: rewards/rejected).</param>
internal sealed record DpoLossOutput(Tensor Loss, Tensor RewardsChosen, Tensor RewardsRejected)
{
    /// <summary>Per-row rewards_chosen - rewards_rejected [B]; TRL logs its mean (<see cref="MarginMean"/>) as rewards/margins.</summary>
    public Tensor Margins => RewardsChosen - RewardsRejected;

    /// <summary>Scalar mean of <see cref="Margins"/> (TRL: rewards/margins).</summary>
    public Tensor MarginMean => Margins.mean();

    /// <summary>Scalar share of rows whose chosen reward beats the rejected one (TRL: rewards/accuracies).</summary>
    public Tensor RewardAccuracy => DpoLoss.RewardAccuracy(RewardsChosen, RewardsRejected);
}

/// <summary>h = (pc - rc) - (pr - rr); rewards are β(pc - rc) and β(pr - rr).</summary>
internal static class DpoLoss
{
    /// <summary>Per-batch mean loss and per-row rewards (rewards detached).</summary>
    /// <param name="policyChosen">[B] summed completion log-probs of the chosen answers under the policy (pc).</param>
    /// <param name="policyRejected">[B] same for the rejected answers (pr).</param>
    /// <param name="referenceChosen">[B] chosen answers under the frozen reference (rc).</param>
    /// <param name="referenceRejected">[B] rejected answers under the reference (rr).</param>
    /// <param name="type">Loss variant.</param>
    /// <param name="beta">β &gt; 0: strength of the implicit KL constraint (the original: 0.1).</param>
    /// <param name="labelSmoothing">e in [0, 0.5): assumed share of flipped labels (Sigmoid/Robust; the original: 0.05).</param>
    public static DpoLossOutput Compute(Tensor policyChosen, Tensor policyRejected, Tensor referenceChosen, Tensor referenceRejected,
        DpoLossType type, double beta, double labelSmoothing)
    {
        ArgumentNullException.ThrowIfNull(policyChosen);
        ArgumentNullException.ThrowIfNull(policyRejected);
        ArgumentNullException.ThrowIfNull(referenceChosen);
        ArgumentNullException.ThrowIfNull(referenceRejected);
        if (!(beta > 0) || double.IsInfinity(beta)) throw new ArgumentOutOfRangeException(nameof(beta), beta, "beta must be a positive finite number.");
        if (!(labelSmoothing is >= 0 and < 0.5)) throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "labelSmoothing must be in [0, 0.5).");

        var chosenLogRatio = policyChosen - referenceChosen;
        var rejectedLogRatio = policyRejected - referenceRejected;
        var h = chosenLogRatio - rejectedLogRatio;
        var betaH = h * beta;
        double e = labelSmoothing;

        var losses = type switch
        {
            DpoLossType.Sigmoid => -(1 - e) * nn.functional.logsigmoid(betaH) - e * nn.functional.logsigmoid(-betaH),
            DpoLossType.Robust => (-(1 - e) * nn.functional.logsigmoid(betaH) + e * nn.functional.logsigmoid(-betaH)) / (1 - 2 * e),
            DpoLossType.Ipo => (h - 1 / (2 * beta)).square(),
            DpoLossType.Hinge => (1 - betaH).relu(),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown DPO loss type."),
        };
        return new DpoLossOutput(losses.mean(), (chosenLogRatio * beta).detach(), (rejectedLogRatio * beta).detach());
    }

    /// <summary>Scalar share of rows with rewardsChosen &gt; rewardsRejected (TRL's rewards/accuracies).</summary>
    public static Tensor RewardAccuracy(Tensor rewardsChosen, Tensor rewardsRejected)
        => (rewardsChosen > rewardsRejected).to_type(rewardsChosen.dtype).mean();

    /// <summary>
    /// The ORIGINAL pipeline's "preference accuracy": share of rows whose POLICY log-prob of the chosen answer exceeds
    /// that of the rejected one, with no reference. Kept for comparison with its reported figures only: it also
    /// rewards plain length or style differences the reference already had, so it reads 1.0 even before DPO on easy
    /// pairs (the poster's SFT checkpoint scores 1.0). Prefer <see cref="RewardAccuracy"/>.
    /// </summary>
    public static Tensor PolicyPreferenceAccuracy(Tensor policyChosen, Tensor policyRejected)
        => (policyChosen > policyRejected).to_type(policyChosen.dtype).mean();
}
