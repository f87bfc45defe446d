using System.CommandLine;
using System.Text.Json;

namespace HorrorAlign.ML.Samples.Cli;

/// <summary>
/// How a command's work becomes an exit code: Ctrl+C (a cancelled token) prints one line and exits 130, a usage error
/// (<see cref="CliException"/>) exits 2, and a runtime failure (a file that cannot be read or holds bad contents) exits
/// 1; both print <c>error: message</c>, the message naming the file and line. Anything else is a bug: one line naming
/// the exception and exit 1, with the stack trace only under <c>--verbose</c> (<see cref="VerboseOption"/>) or when the
/// environment sets <c>HORRORALIGN_VERBOSE=1</c>.
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
        command.SetAction((result, ct) => Task.FromResult(Run(command.Name, console.Error, () => run(result, ct), ct, VerboseOption.IsSet(result))));
    }

    /// <summary>Runs <paramref name="work"/> for the command <paramref name="name"/>, guarded as above; <paramref name="verbose"/>
    /// (<c>--verbose</c>) shows an unexpected failure's stack trace.</summary>
    public static int Run(string name, TextWriter error, Func<int> work, CancellationToken ct, bool verbose = false)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(work);
        try
        {
            ct.ThrowIfCancellationRequested(); // Ctrl+C came before the work began
            return work();
        }
        catch (Exception e) when (ct.IsCancellationRequested && IsCancellation(e))
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
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug, but a user still gets one line; the trace is for the bug report.
            bool trace = verbose || Environment.GetEnvironmentVariable(VerboseVariable) == "1";
            error.WriteLine($"error: {name} failed unexpectedly ({e.GetType().Name}): {e.Message}" +
                            (trace ? "\n" + e : $" (run it again with {VerboseOption.Name} or {VerboseVariable}=1 for the stack trace)"));
            return ExitCode.Failure;
        }
    }

    /// <summary>The environment variable that adds the stack trace to an unexpected failure's line.</summary>
    public const string VerboseVariable = "HORRORALIGN_VERBOSE";

    /// <summary>A cancel, possibly wrapped by the parallel loops that saw it.</summary>
    private static bool IsCancellation(Exception e) =>
        e is OperationCanceledException || e is AggregateException a && a.Flatten().InnerExceptions.All(x => x is OperationCanceledException);
}
