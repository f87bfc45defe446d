using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using HorrorAlign.ML.Samples.Bench;
using HorrorAlign.ML.Samples.Commands;

namespace HorrorAlign.ML.Samples.Cli;

/// <summary>
/// The horroralign command line, on System.CommandLine: the root command with <c>--help</c>, <c>--version</c> and
/// <c>--verbose</c> (for every command), one subcommand per file in Commands/ (help for each comes from its option
/// definitions), and the exit codes: 2 for a usage error, with System.CommandLine's typo suggestions, 130 for Ctrl+C, 1
/// for a runtime failure.
/// </summary>
public sealed class HorrorAlignCli
{
    /// <summary>The tool's command name.</summary>
    public const string Name = "horroralign";

    /// <summary>How every command line is parsed: no <c>@file</c> response files, since a prompt may start with '@'.</summary>
    public static ParserConfiguration Parsing { get; } = new() { ResponseFileTokenReplacer = null };

    private readonly CliConsole _console;

    /// <summary>Builds the commands, writing to <paramref name="console"/>.</summary>
    public HorrorAlignCli(CliConsole console)
    {
        _console = console ?? throw new ArgumentNullException(nameof(console));
        // A plain Command, not RootCommand: that one is named after the running executable (the test host in tests).
        Root = new Command(Name, "SFT then DPO for spec-following horror stories. `horroralign <command> --help` lists a command's options; " +
            "flag names also take underscores (--top_p, --max_new_tokens: the original's spellings).")
        {
            new HelpOption(),
            new VersionOption { Action = new InformationalVersionAction() },
            VerboseOption.Create(),
            new TrainCommand(console),
            new GenerateCommand(console),
            new EvaluateCommand(console),
            new DataCommand(console),
            new ConvertCommand(console),
            new PretrainCommand(console),
            new BenchCommand(console),
            new ServeCommand(console),
        };
    }

    /// <summary>The root command.</summary>
    public Command Root { get; }

    /// <summary>Where the commands write (tests give a command they add the same streams).</summary>
    internal CliConsole Streams => _console;

    /// <summary>Parses <paramref name="args"/> (the arguments after the program name), underscores in flag names read as
    /// dashes (<see cref="FlagSpelling"/>).</summary>
    public ParseResult Parse(IReadOnlyList<string> args) => Root.Parse(FlagSpelling.Normalize(args), Parsing);

    /// <summary>Parses and runs <paramref name="args"/>; the exit code.</summary>
    public Task<int> InvokeAsync(IReadOnlyList<string> args, CancellationToken ct = default) => InvokeAsync(Parse(args), ct);

    /// <summary>Runs a parse; <paramref name="ct"/> is Ctrl+C.</summary>
    public Task<int> InvokeAsync(ParseResult result, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Action is ParseErrorAction errors ? Task.FromResult(ReportUsageError(result, errors)) : result.InvokeAsync(_console.Invocation(), ct);
    }

    /// <summary>The errors and typo suggestions, all on stderr; the whole help only when no command was chosen.</summary>
    private int ReportUsageError(ParseResult result, ParseErrorAction errors)
    {
        var command = result.CommandResult.Command;
        errors.ShowHelp = command == Root;
        result.Invoke(new InvocationConfiguration { Output = _console.Error, Error = _console.Error, ProcessTerminationTimeout = null });
        if (command != Root) _console.Error.WriteLine($"'{Name} {command.Name} --help' lists its options.");
        return ExitCode.Usage;
    }
}
