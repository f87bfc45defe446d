using System.Globalization;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.Pipeline;
using ScottPlot;

namespace HorrorAlign.ML.Samples.Reporting;

/// <summary>
/// <c>summary.png</c>: a one-page overview of a run comparing the SFT and DPO checkpoints: a text panel (run facts and
/// the quality bar), constraint pass rates per check on held-out specs, preference accuracy per pair kind, SFT test
/// loss, DPO rewards per pair kind and reward margins per pair kind.
/// </summary>
public static class SummaryPlot
{
    /// <summary>The file name inside a run folder.</summary>
    public const string FileName = "summary.png";

    /// <summary>Renders the overview into <paramref name="path"/>.</summary>
    /// <param name="path">The PNG to write.</param>
    /// <param name="facts">Lines for the text panel (run, data, model, steps, quality bar).</param>
    /// <param name="sft">Evaluation of the SFT checkpoint.</param>
    /// <param name="dpo">Evaluation of the DPO checkpoint (rewards relative to the SFT model).</param>
    public static void Save(string path, IReadOnlyList<string> facts, ModelEvaluationReport sft, ModelEvaluationReport dpo)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(sft);
        ArgumentNullException.ThrowIfNull(dpo);
        var plots = new List<Plot>
        {
            Text("Run summary", facts),
            ConstraintPanel(sft.Constraints, dpo.Constraints),
            PairAccuracyPanel(sft.Preferences, dpo.Preferences),
            LossPanel(sft.SftLoss, dpo.SftLoss),
            RewardsPanel(dpo.Preferences),
            MarginsPanel(sft.Preferences, dpo.Preferences),
        };
        PlotGrid.SavePng(path, plots, columns: 3);
    }

    private static Plot Text(string title, IReadOnlyList<string> lines)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.HideAxesAndGrid();
        var note = plot.Add.Annotation(string.Join("\n", lines), Alignment.UpperLeft);
        note.LabelFontSize = 13;
        note.LabelBackgroundColor = Colors.White;
        note.LabelBorderColor = Colors.White;
        return plot;
    }

    private static Plot ConstraintPanel(ConstraintReport? sft, ConstraintReport? dpo)
    {
        var checks = (dpo ?? sft)?.PassRates.Select(r => r.Check).Append("ALL checks").ToArray() ?? [];
        double?[] Rates(ConstraintReport? r) => r is null ? [] : [.. r.PassRates.Select(x => (double?)x.PassRate), r.AllPassedRate];
        return Bars($"Constraint pass rate, held-out specs (n={(dpo ?? sft)?.Count ?? 0})", "pass rate", checks,
            [("SFT", Rates(sft), 0), ("DPO", Rates(dpo), 1)], unitRange: true);
    }

    private static Plot PairAccuracyPanel(PreferenceReport? sft, PreferenceReport? dpo)
    {
        var groups = Groups(dpo ?? sft);
        return Bars($"Preference accuracy per pair kind (test, n={(dpo ?? sft)?.All.Count ?? 0})", "accuracy",
            [.. groups.Select(g => g.Kind)],
            [
                ("SFT policy", Values(sft, groups, g => g.PolicyAccuracy), 0),
                ("DPO policy", Values(dpo, groups, g => g.PolicyAccuracy), 1),
                ("DPO reward", Values(dpo, groups, g => g.RewardAccuracy), 2),
            ], unitRange: true);
    }

    private static Plot LossPanel(SftLossReport? sft, SftLossReport? dpo)
    {
        string Ppl(SftLossReport? r) => r is null ? "n/a" : r.Perplexity.ToString("0.000", CultureInfo.InvariantCulture);
        return Bars($"SFT test loss (perplexity SFT {Ppl(sft)}, DPO {Ppl(dpo)})", "loss (nats/token)", ["SFT", "DPO"],
            [("test loss", [sft?.Loss, dpo?.Loss], 0)], unitRange: false);
    }

    private static Plot RewardsPanel(PreferenceReport? dpo)
    {
        var groups = Groups(dpo);
        return Bars("DPO rewards per pair kind (test)", "β·log(π/π_ref)", [.. groups.Select(g => g.Kind)],
            [("chosen", Values(dpo, groups, g => g.RewardChosen), 2), ("rejected", Values(dpo, groups, g => g.RewardRejected), 3)],
            unitRange: false);
    }

    private static Plot MarginsPanel(PreferenceReport? sft, PreferenceReport? dpo)
    {
        var groups = Groups(dpo ?? sft);
        return Bars("Log-prob margin chosen − rejected per pair kind", "nats", [.. groups.Select(g => g.Kind)],
            [("SFT", Values(sft, groups, g => g.PolicyMargin), 0), ("DPO", Values(dpo, groups, g => g.PolicyMargin), 1)],
            unitRange: false);
    }

    private static IReadOnlyList<PairGroupEvaluation> Groups(PreferenceReport? report) =>
        report is null ? [] : [.. report.PerKind, .. report.Hard is null ? Array.Empty<PairGroupEvaluation>() : [report.Hard], report.All];

    private static double?[] Values(PreferenceReport? report, IReadOnlyList<PairGroupEvaluation> groups, Func<PairGroupEvaluation, double?> get)
    {
        if (report is null) return [];
        var all = Groups(report);
        return [.. groups.Select(g => all.FirstOrDefault(x => x.Kind == g.Kind) is { } found ? get(found) : null)];
    }

    /// <summary>Grouped bars: one group per label, one bar per series (missing values leave a gap).</summary>
    private static Plot Bars(string title, string yLabel, IReadOnlyList<string> groups, IReadOnlyList<(string Label, double?[] Values, int Color)> series,
        bool unitRange)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.YLabel(yLabel);
        if (groups.Count == 0)
        {
            plot.Add.Annotation("no data", Alignment.MiddleCenter);
            return plot;
        }
        int width = series.Count + 1; // one empty slot between groups
        for (int s = 0; s < series.Count; s++)
        {
            var (label, values, color) = series[s];
            var points = Enumerable.Range(0, Math.Min(groups.Count, values.Length))
                .Where(g => values[g] is { } v && double.IsFinite(v)).ToArray();
            if (points.Length == 0) continue;
            var bars = plot.Add.Bars(points.Select(g => (double)(g * width + s)).ToArray(), points.Select(g => values[g]!.Value).ToArray());
            bars.Color = PlotGrid.SeriesColor(color);
            bars.LegendText = label;
        }
        double[] centres = [.. Enumerable.Range(0, groups.Count).Select(g => g * width + (series.Count - 1) / 2.0)];
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(centres, [.. groups]);
        plot.Axes.Bottom.TickLabelStyle.Rotation = 40;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 110;
        // Bars grow from 0, so 0 is always in range; headroom above keeps the legend off the bars.
        var shown = series.SelectMany(x => x.Values).Where(v => v is { } d && double.IsFinite(d)).Select(v => v!.Value).ToList();
        double low = unitRange ? 0 : Math.Min(0, shown.DefaultIfEmpty(0).Min());
        double high = unitRange ? 1 : Math.Max(0, shown.DefaultIfEmpty(1).Max());
        double span = Math.Max(high - low, 1e-9);
        plot.Axes.SetLimitsY(low - (low < 0 ? 0.05 * span : 0), high + 0.3 * span);
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    /// <summary>Short lines for the text panel of summary.png.</summary>
    public static IReadOnlyList<string> Facts(AlignmentRun r)
    {
        ArgumentNullException.ThrowIfNull(r);
        string F(double? v, string format = "0.000") => v?.ToString(format, CultureInfo.InvariantCulture) ?? "n/a";
        var total = r.Seconds.FirstOrDefault(kv => kv.Key == "total").Value;
        var dpo = r.DpoEvaluation;
        var sft = r.SftEvaluation;
        return
        [
            $"config {r.Options.Preset}, {r.Threads} thread(s), {total / 60:0.0} min total",
            $"data: {r.Data.SftTrain.Count} SFT / {r.Data.PrefTrain.Count} pref. train, {r.Data.PrefTest.Count} test pairs",
            $"model: d={r.Model.DModel}, {r.Model.NLayers} layers, {r.Model.NHeads} heads, vocab {r.Model.VocabSize}, {r.Parameters / 1e6:0.00}M params",
            $"SFT: {r.Sft.Steps}/{r.Sft.TotalSteps} steps, {r.Sft.StopReason}, best step {r.Sft.BestStep?.ToString(CultureInfo.InvariantCulture) ?? "n/a"}, val loss {F(r.Sft.BestEvalLoss)}",
            $"DPO: {r.Dpo.Steps}/{r.Dpo.TotalSteps} steps, {r.Dpo.StopReason}, val loss {F(r.Dpo.BestEvalLoss)}",
            $"all checks (held-out): SFT {AllChecks(sft)}, DPO {AllChecks(dpo)}",
            $"hard pairs policy acc.: SFT {EvaluationTable.Percent(sft.Preferences?.Hard?.PolicyAccuracy) ?? "n/a"}, DPO {EvaluationTable.Percent(dpo.Preferences?.Hard?.PolicyAccuracy) ?? "n/a"}",
            $"hard pairs reward acc. (DPO): {EvaluationTable.Percent(dpo.Preferences?.Hard?.RewardAccuracy) ?? "n/a"}",
            $"SFT test loss: SFT {F(sft.SftLoss?.Loss)}, DPO {F(dpo.SftLoss?.Loss)}",
            $"targets: all checks >= {EvaluationTable.Percent(RunMetrics.AllChecksTarget)}, hard pairs >= {EvaluationTable.Percent(RunMetrics.HardPairTarget)}",
        ];
    }

    private static string AllChecks(ModelEvaluationReport report) =>
        report.Constraints is { } c ? EvaluationTable.Percent(c.AllPassedRate, c.AllPassedCi95) : "n/a";
}
