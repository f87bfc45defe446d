using HorrorAlign.ML.Training;
using ScottPlot;

namespace HorrorAlign.ML.Samples.Reporting;

/// <summary>
/// <c>curves.png</c>: the training curves of a run in six panels: SFT train and validation loss; DPO train and
/// validation loss; DPO rewards of chosen and rejected; DPO reward margins; DPO accuracies (reward accuracy and the
/// policy-only preference accuracy); learning rates of both stages. Lines are training log entries (averaged over
/// the logging window), dots are whole-validation-set evaluations.
/// </summary>
public static class CurvesPlot
{
    /// <summary>The file name inside a run folder.</summary>
    public const string FileName = "curves.png";

    /// <summary>Renders the curves of <paramref name="sft"/> and <paramref name="dpo"/> (their histories) into <paramref name="path"/>.</summary>
    public static void Save(string path, IReadOnlyList<TrainingMetrics> sft, IReadOnlyList<TrainingMetrics> dpo)
    {
        ArgumentNullException.ThrowIfNull(sft);
        ArgumentNullException.ThrowIfNull(dpo);
        var plots = new List<Plot>
        {
            Panel("SFT loss (completion tokens)", "loss", p =>
            {
                Train(p, sft, MetricNames.Loss, "train", 0);
                Eval(p, sft, MetricNames.EvalLoss, "validation", 1);
            }),
            Panel("DPO loss", "loss", p =>
            {
                Train(p, dpo, MetricNames.Loss, "train", 0);
                Eval(p, dpo, MetricNames.EvalLoss, "validation", 1);
            }),
            Panel("DPO rewards β·log(π/π_ref)", "reward", p =>
            {
                Train(p, dpo, MetricNames.RewardsChosen, "chosen", 2);
                Train(p, dpo, MetricNames.RewardsRejected, "rejected", 3);
                Eval(p, dpo, MetricNames.Eval(MetricNames.RewardsChosen), "chosen (val)", 2);
                Eval(p, dpo, MetricNames.Eval(MetricNames.RewardsRejected), "rejected (val)", 3);
            }),
            Panel("DPO reward margins", "chosen − rejected", p =>
            {
                Train(p, dpo, MetricNames.RewardsMargins, "train", 0);
                Eval(p, dpo, MetricNames.Eval(MetricNames.RewardsMargins), "validation", 1);
            }),
            Panel("DPO accuracy", "share of pairs", p =>
            {
                Train(p, dpo, MetricNames.RewardsAccuracies, "reward acc.", 0);
                Eval(p, dpo, MetricNames.Eval(MetricNames.RewardsAccuracies), "reward acc. (val)", 0);
                Train(p, dpo, MetricNames.PolicyAccuracy, "policy acc.", 4);
                Eval(p, dpo, MetricNames.Eval(MetricNames.PolicyAccuracy), "policy acc. (val)", 4);
                p.Axes.SetLimitsY(-0.05, 1.35); // headroom for the legend
            }),
            Panel("Learning rate", "learning rate", p =>
            {
                Train(p, sft, MetricNames.LearningRate, "SFT", 0);
                Train(p, dpo, MetricNames.LearningRate, "DPO", 1);
            }),
        };
        PlotGrid.SavePng(path, plots, columns: 2);
    }

    private static Plot Panel(string title, string yLabel, Action<Plot> fill)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel("step");
        plot.YLabel(yLabel);
        fill(plot);
        if (plot.GetPlottables().Any()) plot.ShowLegend(Alignment.UpperRight);
        else plot.Add.Annotation("no data", Alignment.MiddleCenter);
        return plot;
    }

    private static void Train(Plot plot, IReadOnlyList<TrainingMetrics> history, string metric, string label, int color)
    {
        var (xs, ys) = Series(history.Where(m => !m.IsEvaluation), metric);
        if (xs.Length == 0) return;
        var line = plot.Add.Scatter(xs, ys, PlotGrid.SeriesColor(color));
        line.LegendText = label;
        line.MarkerSize = xs.Length == 1 ? 6 : 0;
        line.LineWidth = 1.5f;
    }

    private static void Eval(Plot plot, IReadOnlyList<TrainingMetrics> history, string metric, string label, int color)
    {
        var (xs, ys) = Series(history.Where(m => m.IsEvaluation), metric);
        if (xs.Length == 0) return;
        var points = plot.Add.Scatter(xs, ys, PlotGrid.SeriesColor(color));
        points.LegendText = label;
        points.MarkerSize = 7;
        points.LinePattern = LinePattern.Dashed;
    }

    private static (double[] Xs, double[] Ys) Series(IEnumerable<TrainingMetrics> entries, string metric)
    {
        var points = entries.Select(m => (X: (double)m.Step, Y: m.Get(metric))).Where(p => p.Y is { } y && double.IsFinite(y)).ToArray();
        return ([.. points.Select(p => p.X)], [.. points.Select(p => p.Y!.Value)]);
    }
}
