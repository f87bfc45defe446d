using static TorchSharp.torch;

namespace HorrorAlign.ML.Losses;

// CONTRACT STUB (owned by the model helper).
/// <summary>DPO loss variants (golden dpo_loss.json).</summary>
public enum DpoLossType
{
    /// <summary>-(1-e)·logσ(βh) - e·logσ(-βh); with label smoothing e &gt; 0 this is cDPO.</summary>
    Sigmoid,
    /// <summary>Robust DPO: (-(1-e)·logσ(βh) + e·logσ(-βh)) / (1-2e).</summary>
    Robust,
    /// <summary>IPO: (h - 1/(2β))².</summary>
    Ipo,
    /// <summary>relu(1 - βh).</summary>
    Hinge,
}

/// <summary>Loss and the TRL-style statistics of one batch of preference pairs.</summary>
public sealed record DpoLossOutput(Tensor Loss, Tensor RewardsChosen, Tensor RewardsRejected)
{
    /// <summary>Mean of rewards_chosen - rewards_rejected.</summary>
    public Tensor Margins => (RewardsChosen - RewardsRejected);
}

/// <summary>h = (pc - rc) - (pr - rr); rewards are β(pc - rc) and β(pr - rr).</summary>
public static class DpoLoss
{
    /// <summary>Per-batch mean loss and per-row rewards (rewards detached).</summary>
    public static DpoLossOutput Compute(Tensor policyChosen, Tensor policyRejected, Tensor referenceChosen, Tensor referenceRejected,
        DpoLossType type, double beta, double labelSmoothing) => throw new NotImplementedException();
}
