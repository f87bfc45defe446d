using System.CommandLine;
using System.Text.Json;

namespace HorrorAlign.ML.Samples.Cli;

/// <summary>
/// How a command's work becomes an exit code: Ctrl+C (a cancelled token) prints one line and exits 130, a usage error
/// (<see cref="CliException"/>) exits 2, and a runtime failure (a file that cannot be read or holds bad contents) exits
/// 1; both print <c>error: message</c>, the message naming the file and line. Anything else is a bug and keeps its
/// stack trace.
/// </summary>
public static class GuardedAction
{
    /// <summary>Sets <paramref name="run"/> as the action of <paramref name="command"/>, guarded as above.</summary>
    public static void SetGuardedAction(this Command command, CliConsole console, Func<ParseResult, CancellationToken, int> run)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(run);
        // The work is synchronous (torch): the task is done when the action returns.
        command.SetAction((result, ct) => Task.FromResult(Run(command.Name, console.Error, () => run(result, ct), ct)));
    }

    /// <summary>Runs <paramref name="work"/> for the command <paramref name="name"/>, guarded as above.</summary>
    public static int Run(string name, TextWriter error, Func<int> work, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(work);
        try
        {
            ct.ThrowIfCancellationRequested(); // Ctrl+C came before the work began
            return work();
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            error.WriteLine($"interrupted: {name} stopped (Ctrl+C)");
            return ExitCode.Interrupted;
        }
        catch (CliException e)
        {
            error.WriteLine("error: " + e.Message);
            return ExitCode.Usage;
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or IOException or UnauthorizedAccessException
                                      or JsonException or ArgumentException or InvalidOperationException)
        {
            error.WriteLine("error: " + e.Message);
            return ExitCode.Failure;
        }
    }
}
