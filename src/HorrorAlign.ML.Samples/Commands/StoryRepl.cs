using System.CommandLine;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.Generation;
using HorrorAlign.ML.Samples.Cli;
using HorrorAlign.ML.Specs;

namespace HorrorAlign.ML.Samples.Commands;

/// <summary>
/// The read-generate-print loop of <c>generate --interactive</c>. A line is a prompt (<c>\n</c> for a line break, as in
/// the original's examples), a spec as JSON (a line starting with <c>{</c>), or a REPL command: a word starting with
/// <c>:</c>, parsed by System.CommandLine from the definitions below, so <c>:help</c> lists exactly what exists and an
/// unknown <c>:word</c> is an error line, never a prompt. End of input, <c>:quit</c> or Ctrl+C leaves.
/// </summary>
public sealed class StoryRepl
{
    private readonly Func<string, SamplingOptions, string> _generate;
    private readonly SamplingOptions _sampling;
    private readonly CliConsole _console;
    private readonly TextWriter _output;
    private readonly Command _commands;
    private CancellationToken _ct;
    private bool _quit;
    private int _turn;

    /// <summary>A REPL writing stories with <paramref name="generate"/> (prompt, sampling → story; <c>generate</c> passes
    /// the model's <see cref="TextGenerator.Generate"/>), sampled with <paramref name="sampling"/>.</summary>
    public StoryRepl(Func<string, SamplingOptions, string> generate, SamplingOptions sampling, CliConsole console)
    {
        _generate = generate ?? throw new ArgumentNullException(nameof(generate));
        _sampling = sampling ?? throw new ArgumentNullException(nameof(sampling));
        _console = console ?? throw new ArgumentNullException(nameof(console));
        _output = console.Out.Profile.Out.Writer;
        _commands = new Command("repl")
        {
            ReplCommand(":help", "List these commands.", Help),
            ReplCommand(":spec", "Fill in the seven spec fields one by one, then write its story and its checks.", AskSpecAndWrite),
            ReplCommand(":quit", "Leave (so do end of input and Ctrl+C).", () => _quit = true, ":q", "exit", "quit"),
        };
    }

    private static Command ReplCommand(string name, string description, Action run, params string[] aliases)
    {
        var command = new Command(name, description);
        foreach (string alias in aliases) command.Aliases.Add(alias);
        command.SetAction(_ => run());
        return command;
    }

    /// <summary>Runs until end of input, <c>:quit</c> or <paramref name="ct"/>.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled.</exception>
    public void Run(CancellationToken ct)
    {
        _ct = ct;
        _output.WriteLine(@"horroralign interactive: type a prompt (\n = line break), a spec as JSON, :spec to fill one in, :help, or :quit.");
        while (!_quit)
        {
            _output.Write("prompt> ");
            _output.Flush();
            string? line = ReadLine();
            if (line is null) break;
            string trimmed = line.Trim();
            if (trimmed.Length == 0) continue;
            if (trimmed.StartsWith(':') || _commands.Subcommands.Any(c => c.Aliases.Contains(trimmed))) Execute(trimmed);
            else if (trimmed.StartsWith('{')) Turn(() => FromSpec(StorySpec.FromJson(line)));
            else Turn(() => (null, GenerateCommand.Unescape(line)));
        }
    }

    private void Execute(string line)
    {
        var result = _commands.Parse(line, HorrorAlignCli.Parsing);
        if (result.Errors.Count > 0) _output.WriteLine($"error: '{line}' is not a REPL command; :help lists them");
        else result.Invoke(new InvocationConfiguration { Output = _output, Error = _output, EnableDefaultExceptionHandler = false });
    }

    private void Help()
    {
        _output.WriteLine("REPL commands:");
        foreach (var command in _commands.Subcommands)
            _output.WriteLine($"  {string.Join(", ", new[] { command.Name }.Concat(command.Aliases)),-24} {command.Description}");
        _output.WriteLine(@"Any other line is a story prompt (\n = line break); a line starting with { is a spec as JSON.");
    }

    private void AskSpecAndWrite()
    {
        string?[] fields = [.. new[] { "Title", "Setting", "Protagonist", "Supporting character", "Important object", "Taboo rule", "Twist" }.Select(Ask)];
        if (fields.Any(f => f is null))
        {
            _quit = true; // input ended halfway through
            return;
        }
        Turn(() => FromSpec(new StorySpec(fields[0]!, fields[1]!, fields[2]!, fields[3]!, fields[4]!, fields[5]!, fields[6]!).Validate()));
    }

    private string? Ask(string label)
    {
        _output.Write($"  {label}: ");
        _output.Flush();
        return ReadLine()?.Trim();
    }

    /// <summary>Writes the story for the prompt <paramref name="read"/> gives (and its checks when it comes from a spec);
    /// a bad spec or prompt is an error line, and the loop goes on.</summary>
    private void Turn(Func<(StorySpec? Spec, string Prompt)> read)
    {
        try
        {
            var (spec, prompt) = read();
            // A new seed per turn, so asking twice gives two different stories (reproducible from the start seed).
            string story = _generate(prompt, _sampling with { Seed = unchecked(_sampling.Seed + _turn++) });
            _output.WriteLine();
            _output.WriteLine(story);
            if (spec is not null) _output.WriteLine("\n[checks: " + StoryChecks.Check(spec, story) + "]");
            _output.WriteLine();
        }
        catch (Exception e) when (e is FormatException or ArgumentException) // SpecValidationException is a FormatException
        {
            _output.WriteLine("error: " + e.Message);
        }
        _ct.ThrowIfCancellationRequested(); // Ctrl+C while the story was written
    }

    private static (StorySpec? Spec, string Prompt) FromSpec(StorySpec spec) => (spec, spec.ToPrompt());

    /// <summary>The next line, or null at end of input. Console.In cannot be cancelled, so the read waits on the side
    /// and Ctrl+C ends the REPL at once.</summary>
    private string? ReadLine()
    {
        _ct.ThrowIfCancellationRequested(); // a read that finishes at once would not notice an earlier Ctrl+C
        var read = Task.Run(_console.In.ReadLine, CancellationToken.None);
        read.Wait(_ct);
        return read.Result;
    }
}
