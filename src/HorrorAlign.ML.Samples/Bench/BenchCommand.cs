using System.CommandLine;
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
public sealed class BenchCommand : Command
{
    private readonly Option<string> _json = CliOption.Create<string>("--json", "Also write the figures as JSON.", "FILE");
    private readonly Option<int> _threads = CliOption.Create<int>("--threads", "torch intra-op threads.", "N").AtLeast(1);
    private readonly Option<bool> _quick = CliOption.Create<bool>("--quick", "Tiny shapes, one iteration each: checks the plumbing in seconds (figures NOT meaningful).");

    /// <summary>Defines the command, writing to <paramref name="console"/>.</summary>
    public BenchCommand(CliConsole console)
        : base("bench", "Throughput benchmark (GEMM, SFT, DPO, generation) with the PASS/FAIL targets of this project.")
    {
        _threads.DefaultValueFactory = _ => Environment.ProcessorCount;
        Options.Add(_json);
        Options.Add(_threads);
        Options.Add(_quick);
        this.SetGuardedAction(console, (result, ct) => Run(result.GetValue(_json), result.GetValue(_threads), result.GetValue(_quick), console.Out, ct));
    }

    private static int Run(string? jsonPath, int threads, bool quick, IAnsiConsole console, CancellationToken ct)
    {
        // torch's thread count is process-wide: set it for the run and put the old value back (the smoke test runs in-process).
        using var scope = TorchThreads.Use(threads);
        var settings = quick ? BenchSettings.QuickRun : BenchSettings.Full;
        var suite = new BenchSuite(settings, step => console.MarkupLine($"[grey]… {Markup.Escape(step.Trim())}[/]"), ct);
        var report = suite.Run();
        Print(report, console);
        if (jsonPath is not null)
        {
            report.WriteJson(jsonPath);
            console.MarkupLine($"wrote {Markup.Escape(Path.GetFullPath(jsonPath))}");
        }
        return ExitCode.Success;
    }

    private static void Print(BenchReport report, IAnsiConsole console)
    {
        // Redirected output (logs, CI) would otherwise be wrapped at 80 columns.
        if (Console.IsOutputRedirected) console.Profile.Width = Math.Max(console.Profile.Width, 150);
        console.MarkupLine($"[bold]{Markup.Escape(report.Machine)}[/]");
        if (report.Quick) console.MarkupLine("[yellow]--quick: tiny shapes, one iteration each; the figures are NOT meaningful.[/]");

        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("measurement").AddColumn("model").AddColumn(new TableColumn("value").RightAligned()).AddColumn("how");
        foreach (var row in report.Rows)
            table.AddRow(Markup.Escape(row.Measurement), Markup.Escape(row.Model), Markup.Escape(row.Value), Markup.Escape(row.Detail));
        console.Write(table);
        foreach (string note in report.Notes) console.MarkupLine($"[grey]{Markup.Escape(note)}[/]");
        if (report.Quick) return; // a smoke run: its figures say nothing about the targets

        var targets = new Table().Border(TableBorder.Rounded)
            .AddColumn("target (ratios from this run)").AddColumn(new TableColumn("measured").RightAligned())
            .AddColumn(new TableColumn("needed").RightAligned()).AddColumn("").AddColumn("this machine allows");
        foreach (var t in report.Targets())
        {
            targets.AddRow(Markup.Escape(t.Name), Markup.Escape(Show(t.Measured, t.Unit)), Markup.Escape("≥ " + Show(t.Required, t.Unit)),
                t.Passed ? "[green]PASS[/]" : "[red]FAIL[/]", Markup.Escape(t.Allowed ?? ""));
        }
        console.Write(targets);
    }

    private static string Show(double value, string unit) => unit switch
    {
        "×" => value.ToString("F1", CultureInfo.InvariantCulture) + "×",
        "" => value.ToString("P1", CultureInfo.InvariantCulture),
        _ => value.ToString("N0", CultureInfo.InvariantCulture) + " " + unit,
    };
}
