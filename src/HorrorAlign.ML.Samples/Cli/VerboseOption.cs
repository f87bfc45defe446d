using System.CommandLine;

namespace HorrorAlign.ML.Samples.Cli;

/// <summary>
/// <c>--verbose</c>, on the root command and so on every command under it: an unexpected failure's line gets the stack
/// trace, as the environment's <c>HORRORALIGN_VERBOSE=1</c> does (<see cref="GuardedAction"/>).
/// </summary>
public static class VerboseOption
{
    /// <summary>The flag.</summary>
    public const string Name = "--verbose";

    /// <summary>The option, recursive: given before or after the command's name.</summary>
    public static Option<bool> Create()
    {
        var option = CliOption.Create<bool>(Name, $"Show the stack trace of an unexpected failure (as {GuardedAction.VerboseVariable}=1 does).");
        option.Recursive = true;
        return option;
    }

    /// <summary>Whether the command line gave the flag (found on its root command, where <see cref="Create"/>'s option lives).</summary>
    public static bool IsSet(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.RootCommandResult.Command.Options.FirstOrDefault(o => o.Name == Name) is Option<bool> option && result.GetValue(option);
    }
}
