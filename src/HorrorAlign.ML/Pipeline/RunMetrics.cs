using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Training;

namespace HorrorAlign.ML.Pipeline;

/// <summary>
/// <c>metrics.json</c> of a run: <c>run</c> (settings, wall times, resume facts: the only part that may differ between
/// two runs of the same settings), <c>data</c>, <c>model</c>, <c>sft</c> and <c>dpo</c> (how training ended, best step,
/// last logged values), <c>evaluation</c> (the full reports of both checkpoints, side by side), <c>comparison</c> (the
/// headline figures of SFT vs DPO) and <c>quality_bar</c> (the targets and whether they are met).
/// </summary>
internal static class RunMetrics
{
    /// <summary>The file name inside a run folder.</summary>
    public const string FileName = "metrics.json";

    /// <summary>Target share of held-out stories passing every check.</summary>
    public const double AllChecksTarget = 0.97;

    /// <summary>Target for the low end of that share's 95 % Wilson interval.</summary>
    public const double AllChecksLowTarget = 0.95;

    /// <summary>Target preference accuracy on the hard pair kinds.</summary>
    public const double HardPairTarget = 0.95;

    /// <summary>Target wall time of SFT + DPO + evaluation in seconds.</summary>
    public const double WallTimeTarget = 15 * 60;

    /// <summary>A share as a percentage with one decimal ("97.5%"), or "n/a"; how the run's summaries show rates.</summary>
    internal static string Percent(double? rate) =>
        rate is { } r ? (100 * r).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "n/a";

    /// <summary>Builds the JSON document.</summary>
    public static JsonObject Build(AlignmentRun r)
    {
        ArgumentNullException.ThrowIfNull(r);
        double trainAndEval = r.Seconds.Where(kv => kv.Key is "sft" or "dpo" or "evaluation").Sum(kv => kv.Value);
        var seconds = new JsonObject();
        foreach (var (k, v) in r.Seconds) seconds[k] = Math.Round(v, 2);
        seconds["evaluation_sft"] = Math.Round(r.SftEvaluation.Seconds, 2);
        seconds["evaluation_dpo"] = Math.Round(r.DpoEvaluation.Seconds, 2);

        var sftEval = r.SftEvaluation;
        var dpoEval = r.DpoEvaluation;
        double? sftAll = sftEval.Constraints?.AllPassedRate, dpoAll = dpoEval.Constraints?.AllPassedRate;
        double? sftHard = sftEval.Preferences?.Hard?.PolicyAccuracy, dpoHard = dpoEval.Preferences?.Hard?.PolicyAccuracy;
        double? dpoHardReward = dpoEval.Preferences?.Hard?.RewardAccuracy;

        return new JsonObject
        {
            ["run"] = new JsonObject
            {
                ["config"] = r.Options.Preset,
                ["settings"] = JsonNode.Parse(r.Options.ToJson()),
                ["threads"] = r.Threads,
                ["seconds"] = seconds,
                ["sft_resumed_from_step"] = r.Sft.ResumedFromStep,
                ["dpo_resumed_from_step"] = r.Dpo.ResumedFromStep,
                ["train_and_evaluation_seconds"] = Math.Round(trainAndEval, 2),
                ["within_wall_time_target"] = trainAndEval <= WallTimeTarget,
            },
            ["data"] = new JsonObject
            {
                ["source"] = r.DataSource,
                ["sft_train"] = r.Data.SftTrain.Count,
                ["sft_val"] = r.Data.SftValidation.Count,
                ["sft_test"] = r.Data.SftTest.Count,
                ["pref_train"] = r.Data.PrefTrain.Count,
                ["pref_val"] = r.Data.PrefValidation.Count,
                ["pref_test"] = r.Data.PrefTest.Count,
                ["on_policy_specs"] = r.OnPolicy.Specs,
                ["on_policy_pairs"] = r.OnPolicy.Pairs,
                ["on_policy_repaired"] = r.OnPolicy.Repaired,
                ["heldout_specs"] = r.Data.HeldOutSpecs.Count,
                ["evaluation_specs"] = r.EvalSpecsSource,
            },
            ["model"] = ModelNode(r.Model, r.Parameters),
            ["sft"] = Stage(r.Sft),
            ["dpo"] = Stage(r.Dpo),
            ["evaluation"] = new JsonObject
            {
                ["sft"] = ReportNode(sftEval),
                ["dpo"] = ReportNode(dpoEval),
            },
            ["comparison"] = new JsonObject
            {
                ["all_checks_pass_rate"] = Pair(sftAll, dpoAll),
                ["all_checks_ci95"] = new JsonObject { ["sft"] = Interval(sftEval.Constraints?.AllPassedCi95), ["dpo"] = Interval(dpoEval.Constraints?.AllPassedCi95) },
                ["hard_pair_policy_accuracy"] = Pair(sftHard, dpoHard),
                ["hard_pair_reward_accuracy"] = Pair(null, dpoHardReward),
                ["all_pair_policy_accuracy"] = Pair(sftEval.Preferences?.All.PolicyAccuracy, dpoEval.Preferences?.All.PolicyAccuracy),
                ["sft_test_loss"] = Pair(sftEval.SftLoss?.Loss, dpoEval.SftLoss?.Loss),
                ["sft_test_perplexity"] = Pair(sftEval.SftLoss?.Perplexity, dpoEval.SftLoss?.Perplexity),
                ["all_checks_paired"] = Paired(sftEval.Constraints, dpoEval.Constraints),
                ["all_checks_model_alone"] = new JsonObject
                {
                    ["sft"] = r.ModelAlone.Sft?.AllPassedRate,
                    ["dpo"] = r.ModelAlone.Dpo?.AllPassedRate,
                    ["sft_ci95"] = Interval(r.ModelAlone.Sft?.AllPassedCi95),
                    ["dpo_ci95"] = Interval(r.ModelAlone.Dpo?.AllPassedCi95),
                    ["pass_rates"] = new JsonObject
                    {
                        ["sft"] = RatesNode(r.ModelAlone.Sft),
                        ["dpo"] = RatesNode(r.ModelAlone.Dpo),
                    },
                },
            },
            ["quality_bar"] = new JsonObject
            {
                ["all_checks_target"] = AllChecksTarget,
                ["all_checks_met"] = dpoAll >= AllChecksTarget,
                ["all_checks_ci95_low_target"] = AllChecksLowTarget,
                ["all_checks_ci95_low_met"] = dpoEval.Constraints?.AllPassedCi95 is { Count: 2 } ci && ci[0] >= AllChecksLowTarget,
                ["dpo_at_least_sft"] = dpoAll >= sftAll,
                ["hard_pair_accuracy_target"] = HardPairTarget,
                ["hard_pair_reward_accuracy_met"] = dpoHardReward >= HardPairTarget,
                ["hard_pair_policy_accuracy_met"] = dpoHard >= HardPairTarget,
                ["dpo_improves_pass_rate"] = dpoAll > sftAll,
                ["dpo_improves_hard_pair_accuracy"] = dpoHard > sftHard,
            },
        };
    }

    /// <summary>Spec by spec, which checkpoint's story passed every check, and whether the split could be chance.</summary>
    private static JsonObject? Paired(ConstraintReport? sft, ConstraintReport? dpo)
    {
        if (sft is null || dpo is null) return null;
        var p = PairedComparison.Of(sft, dpo);
        return new JsonObject
        {
            ["both"] = p.BothPassed,
            ["sft_only"] = p.OnlyFirst,
            ["dpo_only"] = p.OnlySecond,
            ["neither"] = p.NeitherPassed,
            ["exact_mcnemar_p"] = Math.Round(p.ExactMcNemarP, 4),
        };
    }

    /// <summary>Writes <see cref="Build"/> indented, atomically.</summary>
    public static void Write(string path, AlignmentRun record) =>
        AtomicFile.WriteAllText(path, Build(record).ToJsonString(ModelEvaluationReport.JsonOptions) + "\n");

    private static JsonObject Stage(TrainingResult result)
    {
        var lastTrain = result.TrainingLog.LastOrDefault();
        var lastEval = result.Evaluations.LastOrDefault();
        return new JsonObject
        {
            ["stop_reason"] = JsonNamingPolicy.SnakeCaseLower.ConvertName(result.StopReason.ToString()),
            ["steps"] = result.Steps,
            ["total_steps"] = result.TotalSteps,
            ["best_step"] = result.BestStep,
            ["best_eval_loss"] = Finite(result.BestEvalLoss),
            ["restored_best"] = result.RestoredBest,
            ["last_log"] = Values(lastTrain),
            ["last_eval"] = Values(lastEval),
        };
    }

    private static JsonObject? Values(TrainingMetrics? m)
    {
        if (m is null) return null;
        var o = new JsonObject { ["step"] = m.Step };
        foreach (var (k, v) in m.Values) o[k] = Finite(v);
        return o;
    }

    private static JsonObject? RatesNode(ConstraintReport? report)
    {
        if (report is null) return null;
        var node = new JsonObject();
        foreach (var rate in report.PassRates) node[rate.Check] = rate.PassRate;
        return node;
    }

    private static JsonArray? Interval(IReadOnlyList<double>? ci) => ci is null ? null : new JsonArray([.. ci.Select(v => JsonValue.Create(v))]);

    private static JsonObject Pair(double? sft, double? dpo) => new() { ["sft"] = Finite(sft), ["dpo"] = Finite(dpo) };

    private static double? Finite(double? v) => v is { } x && double.IsFinite(x) ? x : null;

    /// <summary>An evaluation report without its wall time (kept under run.seconds), so that only "run" varies between
    /// two runs of the same settings.</summary>
    private static JsonObject ReportNode(ModelEvaluationReport report)
    {
        var o = JsonSerializer.SerializeToNode(report, ModelEvaluationReport.JsonOptions)!.AsObject();
        o.Remove("seconds");
        return o;
    }

    private static JsonObject ModelNode(GptConfig config, long parameters)
    {
        var o = JsonSerializer.SerializeToNode(config, ModelEvaluationReport.JsonOptions)!.AsObject();
        o["parameters"] = parameters;
        return o;
    }
}
