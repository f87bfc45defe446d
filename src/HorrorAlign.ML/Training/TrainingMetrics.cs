namespace HorrorAlign.ML.Training;

/// <summary>
/// A named set of metric values at one step, using TRL's names (see <see cref="MetricNames"/>): a training log entry
/// (<c>loss</c>, <c>learning_rate</c>, <c>grad_norm</c>, <c>epoch</c>, and for DPO <c>rewards/…</c>, <c>logps/…</c>,
/// <c>policy_accuracy</c>) or an evaluation entry whose names carry the <c>eval_</c> prefix.
/// </summary>
/// <param name="Stage">"sft" or "dpo".</param>
/// <param name="Step">Optimizer steps completed when the values were taken (1-based).</param>
/// <param name="TotalSteps">Optimizer steps the run was planned for.</param>
/// <param name="Epoch">Fractional epochs completed (Step / steps per epoch).</param>
/// <param name="Values">Metric values by name, in a stable order.</param>
public sealed record TrainingMetrics(string Stage, int Step, int TotalSteps, double Epoch, IReadOnlyDictionary<string, double> Values)
{
    /// <summary>True for an evaluation entry (its values are over the whole validation set).</summary>
    public bool IsEvaluation => Values.ContainsKey(MetricNames.EvalLoss);

    /// <summary>The value of <paramref name="name"/>, or null when this entry does not have it.</summary>
    public double? Get(string name) => Values.TryGetValue(name, out double v) ? v : null;
}

/// <summary>Metric names, as TRL logs them.</summary>
public static class MetricNames
{
    /// <summary>Prefix of every evaluation metric.</summary>
    public const string EvalPrefix = "eval_";
    /// <summary>Training loss (SFT: completion token-mean cross-entropy; DPO: the preference loss), mean over the logging window.</summary>
    public const string Loss = "loss";
    /// <summary>Learning rate used by the latest step.</summary>
    public const string LearningRate = "learning_rate";
    /// <summary>Global L2 norm of the gradient of the latest step, before clipping.</summary>
    public const string GradNorm = "grad_norm";
    /// <summary>Fractional epochs completed.</summary>
    public const string Epoch = "epoch";
    /// <summary>DPO: mean β·(log π(chosen) − log π_ref(chosen)).</summary>
    public const string RewardsChosen = "rewards/chosen";
    /// <summary>DPO: mean β·(log π(rejected) − log π_ref(rejected)).</summary>
    public const string RewardsRejected = "rewards/rejected";
    /// <summary>DPO: mean of rewards/chosen − rewards/rejected.</summary>
    public const string RewardsMargins = "rewards/margins";
    /// <summary>DPO: fraction of pairs whose chosen reward exceeds the rejected reward.</summary>
    public const string RewardsAccuracies = "rewards/accuracies";
    /// <summary>DPO: mean summed log-probability of the chosen completion under the policy.</summary>
    public const string LogpsChosen = "logps/chosen";
    /// <summary>DPO: mean summed log-probability of the rejected completion under the policy.</summary>
    public const string LogpsRejected = "logps/rejected";
    /// <summary>DPO: the original project's "preference accuracy": fraction of pairs where the POLICY alone gives the
    /// chosen completion a higher summed log-probability than the rejected one (no reference involved).</summary>
    public const string PolicyAccuracy = "policy_accuracy";
    /// <summary>Validation loss over the whole validation set (the early-stopping criterion).</summary>
    public const string EvalLoss = EvalPrefix + Loss;

    /// <summary>The evaluation twin of a training metric name (e.g. "rewards/accuracies" → "eval_rewards/accuracies").</summary>
    public static string Eval(string name) => EvalPrefix + name;
}
