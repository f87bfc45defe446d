using System.Globalization;
using HorrorAlign.ML.Evaluation;
using Spectre.Console;

namespace HorrorAlign.ML.Samples.Reporting;

/// <summary>Prints evaluation reports side by side (one column per model) as a Spectre.Console table.</summary>
public static class EvaluationTable
{
    /// <summary>Builds the table: constraint pass rates, preference accuracy and margins per pair kind, SFT loss.</summary>
    public static Table Build(IReadOnlyList<(string Name, ModelEvaluationReport Report)> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        var table = new Table().Border(TableBorder.Rounded).AddColumn("metric");
        foreach (var (name, _) in reports) table.AddColumn(new TableColumn(Markup.Escape(name)).RightAligned());

        void Row(string label, Func<ModelEvaluationReport, string?> cell)
        {
            var cells = reports.Select(r => cell(r.Report)).ToArray();
            if (cells.All(c => c is null)) return;
            table.AddRow([Markup.Escape(label), .. cells.Select(c => Markup.Escape(c ?? "–"))]);
        }

        var first = reports.Select(r => r.Report).FirstOrDefault(r => r.Constraints is not null)?.Constraints;
        if (first is not null)
        {
            Row("stories checked", r => r.Constraints?.Count.ToString(CultureInfo.InvariantCulture));
            foreach (var rate in first.PassRates)
                Row("  " + rate.Check, r => r.Constraints?.PassRates.FirstOrDefault(x => x.Check == rate.Check) is { } x ? Percent(x.PassRate, x.Ci95) : null);
            Row("ALL checks passed", r => r.Constraints is { } c ? Percent(c.AllPassedRate, c.AllPassedCi95) : null);
        }

        var pairs = reports.Select(r => r.Report).FirstOrDefault(r => r.Preferences is not null)?.Preferences;
        if (pairs is not null)
        {
            var kinds = pairs.PerKind.Select(g => g.Kind).Concat(pairs.Hard is null ? [] : ["hard"]).Append("all").ToArray();
            foreach (var kind in kinds)
            {
                PairGroupEvaluation? Group(ModelEvaluationReport r) => r.Preferences is not { } p ? null
                    : kind == "all" ? p.All : kind == "hard" ? p.Hard : p.PerKind.FirstOrDefault(g => g.Kind == kind);
                string n = Group(reports.First(r => r.Report.Preferences is not null).Report)?.Count.ToString(CultureInfo.InvariantCulture) ?? "?";
                Row($"pairs {kind} (n={n}) policy acc.", r => Group(r) is { } g ? Percent(g.PolicyAccuracy, g.PolicyAccuracyCi95) : null);
                Row($"  reward acc. (margin)", r => Group(r) is { RewardAccuracy: { } acc, RewardMargin: { } margin } g
                    ? $"{Percent(acc, g.RewardAccuracyCi95)} ({margin.ToString("+0.000;-0.000", CultureInfo.InvariantCulture)})" : null);
            }
        }

        Row("SFT test loss", r => Number(r.SftLoss?.Loss));
        Row("SFT test perplexity", r => Number(r.SftLoss?.Perplexity));
        return table;
    }

    /// <summary>A share as a percentage with one decimal, or null.</summary>
    public static string? Percent(double? v) => v is { } x ? (100 * x).ToString("0.0", CultureInfo.InvariantCulture) + "%" : null;

    /// <summary>A share as a percentage followed by its 95 % interval, e.g. "97.0% [91.5–99.0]" (no interval when the
    /// report predates them).</summary>
    public static string Percent(double rate, IReadOnlyList<double>? ci95) =>
        ci95 is [var low, var high]
            ? $"{Percent(rate)} [{(100 * low).ToString("0.0", CultureInfo.InvariantCulture)}–{(100 * high).ToString("0.0", CultureInfo.InvariantCulture)}]"
            : Percent(rate)!;

    /// <summary>A number with four decimals, or null.</summary>
    public static string? Number(double? v) => v is { } x ? x.ToString("0.0000", CultureInfo.InvariantCulture) : null;
}
