using System.Globalization;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Samples.Cli;
using Spectre.Console;

namespace HorrorAlign.ML.Samples.Bench;

/// <summary>
/// <c>horroralign bench [--json FILE] [--threads N] [--quick]</c>: throughput of the core on this machine (GEMM roofline,
/// SFT and DPO steps, generation with and without KV cache), printed as a table with the targets marked
/// PASS/FAIL, and optionally written as JSON. Not part of the test suite: a full run takes a few minutes.
/// </summary>
public static class BenchCommand
{
    /// <summary>Runs the command.</summary>
    public static int Run(CliArgs a, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(a);
        string? jsonPath = a.String("json");
        int threads = a.Int("threads") ?? Environment.ProcessorCount;
        bool quick = a.Has("quick");
        a.ThrowIfUnknown();
        if (threads < 1) throw new CliException($"--threads must be at least 1 (got {threads})");

        // torch's thread count is process-wide: set it for the run and put the old value back (the smoke test runs in-process).
        using var scope = TorchThreads.Use(threads);
        try
        {
            var settings = quick ? BenchSettings.QuickRun : BenchSettings.Full;
            var suite = new BenchSuite(settings, step => AnsiConsole.MarkupLine($"[grey]… {Markup.Escape(step.Trim())}[/]"), ct);
            var report = suite.Run();
            Print(report);
            if (jsonPath is not null)
            {
                report.WriteJson(jsonPath);
                AnsiConsole.MarkupLine($"wrote {Markup.Escape(Path.GetFullPath(jsonPath))}");
            }
            return 0;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            AnsiConsole.MarkupLine("[yellow]bench cancelled[/]");
            return 130;
        }
    }

    private static void Print(BenchReport report)
    {
        // Redirected output (logs, CI) would otherwise be wrapped at 80 columns.
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 150);
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(report.Machine)}[/]");
        if (report.Quick) AnsiConsole.MarkupLine("[yellow]--quick: tiny shapes, one iteration each; the figures are NOT meaningful.[/]");

        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("measurement").AddColumn("model").AddColumn(new TableColumn("value").RightAligned()).AddColumn("how");
        foreach (var row in report.Rows)
            table.AddRow(Markup.Escape(row.Measurement), Markup.Escape(row.Model), Markup.Escape(row.Value), Markup.Escape(row.Detail));
        AnsiConsole.Write(table);

        var targets = new Table().Border(TableBorder.Rounded)
            .AddColumn("target (ratios from this run)").AddColumn(new TableColumn("measured").RightAligned())
            .AddColumn(new TableColumn("needed").RightAligned()).AddColumn("");
        foreach (var t in report.Targets())
        {
            targets.AddRow(Markup.Escape(t.Name), Markup.Escape(Show(t.Measured, t.Unit)), Markup.Escape("≥ " + Show(t.Required, t.Unit)),
                t.Passed ? "[green]PASS[/]" : "[red]FAIL[/]");
        }
        AnsiConsole.Write(targets);
        foreach (string note in report.Notes) AnsiConsole.MarkupLine($"[grey]{Markup.Escape(note)}[/]");
    }

    private static string Show(double value, string unit) => unit switch
    {
        "×" => value.ToString("F1", CultureInfo.InvariantCulture) + "×",
        "" => value.ToString("P1", CultureInfo.InvariantCulture),
        _ => value.ToString("N0", CultureInfo.InvariantCulture) + " " + unit,
    };
}
