using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using HorrorAlign.ML.Data;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Training;

namespace HorrorAlign.ML.Samples.Reporting;

/// <summary>What a finished <c>train</c> run hands to <see cref="RunMetrics"/>.</summary>
/// <param name="Config">Preset name ("tiny" or "default").</param>
/// <param name="Settings">The options the run was started with (name → value), as stored for <c>--resume</c>.</param>
/// <param name="Data">The dataset used.</param>
/// <param name="DataSource">"generated" or the folder it was read from.</param>
/// <param name="EvalSpecsSource">Where the evaluation specs came from ("heldout_specs" or "sft_test").</param>
/// <param name="Model">The decoder's shape (VocabSize is the compact vocabulary's).</param>
/// <param name="Parameters">Trainable parameters.</param>
/// <param name="Sft">The SFT run.</param>
/// <param name="Dpo">The DPO run.</param>
/// <param name="SftEvaluation">Evaluation of the SFT checkpoint (no reference).</param>
/// <param name="DpoEvaluation">Evaluation of the DPO checkpoint (rewards relative to the SFT checkpoint).</param>
/// <param name="Seconds">Wall time per phase: data, sft, dpo, evaluation, total.</param>
/// <param name="Threads">torch intra-op threads during the run.</param>
/// <param name="OnPolicy">How many probe specs the SFT model wrote for, how many of its stories failed a check and
/// became DPO pairs, and how many of those got a repaired chosen side (see <c>OnPolicyPairs</c>).</param>
/// <param name="ModelAlone">The constraint checks of both checkpoints' stories for the same specs sampled without
/// <c>SamplingOptions.EnforceFields</c> (null when decoding enforced nothing).</param>
public sealed record TrainRunRecord(string Config, IReadOnlyList<KeyValuePair<string, string>> Settings, Dataset Data, string DataSource,
    string EvalSpecsSource, GptConfig Model, long Parameters, TrainingResult Sft, TrainingResult Dpo,
    ModelEvaluationReport SftEvaluation, ModelEvaluationReport DpoEvaluation, IReadOnlyList<KeyValuePair<string, double>> Seconds, int Threads,
    (int Specs, int Pairs, int Repaired) OnPolicy, (ConstraintReport? Sft, ConstraintReport? Dpo) ModelAlone = default);

/// <summary>
/// <c>metrics.json</c> of a run: <c>run</c> (settings, wall times, resume facts: the only part that may differ between
/// two runs of the same settings), <c>data</c>, <c>model</c>, <c>sft</c> and <c>dpo</c> (how training ended, best step,
/// last logged values), <c>evaluation</c> (the full reports of both checkpoints, side by side), <c>comparison</c> (the
/// headline figures of SFT vs DPO) and <c>quality_bar</c> (the issue's targets and whether they are met).
/// </summary>
public static class RunMetrics
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

    /// <summary>Builds the JSON document.</summary>
    public static JsonObject Build(TrainRunRecord r)
    {
        ArgumentNullException.ThrowIfNull(r);
        double trainAndEval = r.Seconds.Where(kv => kv.Key is "sft" or "dpo" or "evaluation").Sum(kv => kv.Value);
        var settings = new JsonObject();
        foreach (var (k, v) in r.Settings) settings[k] = v;
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
                ["config"] = r.Config,
                ["settings"] = settings,
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
    public static void Write(string path, TrainRunRecord record) =>
        AtomicFile.WriteAllText(path, Build(record).ToJsonString(ModelEvaluationReport.JsonOptions) + "\n");

    /// <summary>Short lines for the text panel of summary.png.</summary>
    public static IReadOnlyList<string> Facts(TrainRunRecord r)
    {
        ArgumentNullException.ThrowIfNull(r);
        string F(double? v, string format = "0.000") => v?.ToString(format, CultureInfo.InvariantCulture) ?? "n/a";
        var total = r.Seconds.FirstOrDefault(kv => kv.Key == "total").Value;
        var dpo = r.DpoEvaluation;
        var sft = r.SftEvaluation;
        return
        [
            $"config {r.Config}, {r.Threads} thread(s), {total / 60:0.0} min total",
            $"data: {r.Data.SftTrain.Count} SFT / {r.Data.PrefTrain.Count} pref. train, {r.Data.PrefTest.Count} test pairs",
            $"model: d={r.Model.DModel}, {r.Model.NLayers} layers, {r.Model.NHeads} heads, vocab {r.Model.VocabSize}, {r.Parameters / 1e6:0.00}M params",
            $"SFT: {r.Sft.Steps}/{r.Sft.TotalSteps} steps, {r.Sft.StopReason}, best step {r.Sft.BestStep?.ToString(CultureInfo.InvariantCulture) ?? "n/a"}, val loss {F(r.Sft.BestEvalLoss)}",
            $"DPO: {r.Dpo.Steps}/{r.Dpo.TotalSteps} steps, {r.Dpo.StopReason}, val loss {F(r.Dpo.BestEvalLoss)}",
            $"all checks (held-out): SFT {AllChecks(sft)}, DPO {AllChecks(dpo)}",
            $"hard pairs policy acc.: SFT {EvaluationTable.Percent(sft.Preferences?.Hard?.PolicyAccuracy) ?? "n/a"}, DPO {EvaluationTable.Percent(dpo.Preferences?.Hard?.PolicyAccuracy) ?? "n/a"}",
            $"hard pairs reward acc. (DPO): {EvaluationTable.Percent(dpo.Preferences?.Hard?.RewardAccuracy) ?? "n/a"}",
            $"SFT test loss: SFT {F(sft.SftLoss?.Loss)}, DPO {F(dpo.SftLoss?.Loss)}",
            $"targets: all checks >= {EvaluationTable.Percent(AllChecksTarget)}, hard pairs >= {EvaluationTable.Percent(HardPairTarget)}",
        ];
    }

    private static string AllChecks(ModelEvaluationReport report) =>
        report.Constraints is { } c ? EvaluationTable.Percent(c.AllPassedRate, c.AllPassedCi95) : "n/a";

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
