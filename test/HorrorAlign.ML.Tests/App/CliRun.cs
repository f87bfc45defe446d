using HorrorAlign.ML.Samples.Cli;

namespace HorrorAlign.ML.Tests.App;

/// <summary>One horroralign command line run in process, as the tool runs it (System.CommandLine's parse and
/// invocation), with its standard output, standard error and exit code.</summary>
internal sealed record CliRun(int ExitCode, string Out, string Error)
{
    /// <summary>Runs <paramref name="args"/>; <paramref name="input"/> is standard input, <paramref name="ct"/> Ctrl+C, and
    /// <paramref name="setup"/> sees the commands before the run (to hook a command's test seam).</summary>
    public static CliRun Invoke(string[] args, TextReader? input = null, CancellationToken ct = default, Action<HorrorAlignCli>? setup = null)
    {
        var console = new AppConsole();
        var error = new StringWriter();
        var cli = new HorrorAlignCli(new CliConsole(console.Console, error, input ?? TextReader.Null));
        setup?.Invoke(cli);
        int code = cli.InvokeAsync(args, ct).GetAwaiter().GetResult();
        return new CliRun(code, console.Text, error.ToString());
    }

    /// <summary>Everything the run printed, for failure messages.</summary>
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Out}\n--- stderr ---\n{Error}";
}
