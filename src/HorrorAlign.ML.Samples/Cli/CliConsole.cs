using System.CommandLine;
using Spectre.Console;

namespace HorrorAlign.ML.Samples.Cli;

/// <summary>
/// Where a command writes and reads: results and help on <paramref name="Out"/>, errors and the interruption line on
/// <paramref name="Error"/>, REPL input from <paramref name="In"/>. Tests pass string-backed ones to run the whole
/// command line in process.
/// </summary>
/// <param name="Out">Standard output, as a Spectre console (tables, progress).</param>
/// <param name="Error">Standard error.</param>
/// <param name="In">Standard input.</param>
public sealed record CliConsole(IAnsiConsole Out, TextWriter Error, TextReader In)
{
    /// <summary>The process's own console.</summary>
    public static CliConsole System => new(AnsiConsole.Console, Console.Error, Console.In);

    /// <summary>
    /// System.CommandLine's view of the same streams. Its own Ctrl+C handling stays off: the app cancels through the
    /// token it passes in (see <see cref="CtrlCCancellation"/>), which tests can cancel too.
    /// </summary>
    public InvocationConfiguration Invocation() => new()
    {
        Output = Out.Profile.Out.Writer,
        Error = Error,
        ProcessTerminationTimeout = null,
    };
}
