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
                Row("  " + rate.Check, r => Percent(r.Constraints?.PassRates.FirstOrDefault(x => x.Check == rate.Check)?.PassRate));
            Row("ALL checks passed", r => Percent(r.Constraints?.AllPassedRate));
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
                Row($"pairs {kind} (n={n}) policy acc.", r => Percent(Group(r)?.PolicyAccuracy));
                Row($"  reward acc. (margin)", r => Group(r) is { RewardAccuracy: { } acc, RewardMargin: { } margin }
                    ? $"{Percent(acc)} ({margin.ToString("+0.000;-0.000", CultureInfo.InvariantCulture)})" : null);
            }
        }

        Row("SFT test loss", r => Number(r.SftLoss?.Loss));
        Row("SFT test perplexity", r => Number(r.SftLoss?.Perplexity));
        return table;
    }

    /// <summary>A share as a percentage with one decimal, or null.</summary>
    public static string? Percent(double? v) => v is { } x ? (100 * x).ToString("0.0", CultureInfo.InvariantCulture) + "%" : null;

    /// <summary>A number with four decimals, or null.</summary>
    public static string? Number(double? v) => v is { } x ? x.ToString("0.0000", CultureInfo.InvariantCulture) : null;
}
