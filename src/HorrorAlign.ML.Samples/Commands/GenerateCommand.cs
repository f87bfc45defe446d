using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.Generation;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Samples.Cli;
using HorrorAlign.ML.Samples.Reporting;
using HorrorAlign.ML.Specs;
using Spectre.Console;

namespace HorrorAlign.ML.Samples.Commands;

/// <summary>
/// <c>horroralign generate --model PATH</c> with one input mode: <c>--prompt TEXT</c>, <c>--spec FILE.json</c>,
/// <c>--specs FILE.jsonl --out FILE.jsonl</c> (batch; rows <c>{"id","prompt","story"}</c>) or <c>--interactive</c>
/// (the <see cref="StoryRepl"/>), with the sampling flags of <see cref="SamplingOptionsBinder"/>. The original's
/// spellings work too: <c>--checkpoint</c> for <c>--model</c>, <c>--mode oneshot|repl</c>, <c>--top_p</c>,
/// <c>--max_new_tokens</c>.
/// </summary>
public sealed class GenerateCommand : Command
{
    private static readonly SamplingOptions Defaults = new();

    private readonly Option<string> _model = CliOption.Create<string>("--model",
        "The model: a run's model.zip, a model file, or a PyTorch checkpoint (.pt with the config.json saved beside it, or .safetensors; " +
        "the original's transformer_*.pt load as they are).", "PATH", "--checkpoint");
    private readonly Option<int> _heads = HeadsOption.Create();
    private readonly Option<string> _prompt = CliOption.Create<string>("--prompt", @"Write one story for this prompt (\n = line break).", "TEXT");
    private readonly Option<string> _spec = CliOption.Create<string>("--spec", "Write one story for the spec in this JSON file; its checks go to stderr.", "FILE.json");
    private readonly Option<string> _specs = CliOption.Create<string>("--specs", "Write one story per spec of this JSONL file into --out.", "FILE.jsonl");
    private readonly Option<string> _out = CliOption.Create<string>("--out", "Where --specs writes its rows {\"id\",\"prompt\",\"story\"}.", "FILE.jsonl");
    private readonly Option<bool> _interactive = CliOption.Create<bool>("--interactive", "Read prompts in a loop (the REPL; :help lists its commands).");
    private readonly Option<string> _mode = CliOption.Create<string>("--mode", "The original's switch: repl = --interactive, oneshot = one input.").OneOf("oneshot", "repl");
    private readonly Option<bool> _quiet = CliOption.Create<bool>("--quiet", "No checks line, progress or summary.");

    /// <summary>The sampling flags.</summary>
    public SamplingOptionsBinder Sampling { get; } = new(shownDefaults: Defaults);

    /// <summary>Defines the command, writing to and reading from <paramref name="console"/>.</summary>
    public GenerateCommand(CliConsole console) : base("generate", "Write stories with a trained model: one prompt, one spec, a file of specs, or interactively.")
    {
        _model.Required = true;
        foreach (var option in new Option[] { _model, _heads, _prompt, _spec, _specs, _out, _interactive, _mode, _quiet }) Options.Add(option);
        Sampling.AddTo(this);
        DeviceOption.AddTo(this);
        Validators.Add(CheckInputs);
        this.SetGuardedAction(console, (result, ct) => Run(Read(result), console, ct));
    }

    /// <summary>The request a parsed command line makes.</summary>
    public GenerateRequest Read(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new GenerateRequest(result.GetRequiredValue(_model), result.GetValue(_prompt) is { } prompt ? Unescape(prompt) : null,
            result.GetValue(_spec), result.GetValue(_specs), result.GetValue(_out), IsInteractive(result.GetValue(_interactive), result.GetValue(_mode)),
            result.GetValue(_quiet), Sampling.Read(result, Defaults), HeadsOption.Read(result, _heads)) { Device = DeviceOption.Read(result) };
    }

    private static bool IsInteractive(bool interactive, string? mode) => interactive || mode == "repl";

    /// <summary>Exactly one input; --out goes with --specs and only with it.</summary>
    private void CheckInputs(CommandResult result)
    {
        bool Given(Option option) => result.GetResult(option) is not null;
        bool interactive = IsInteractive(result.GetValue(_interactive), result.GetValue(_mode));
        int inputs = (Given(_prompt) ? 1 : 0) + (Given(_spec) ? 1 : 0) + (Given(_specs) ? 1 : 0) + (interactive ? 1 : 0);
        if (inputs != 1)
            result.AddError("generate needs exactly one input: --prompt TEXT, --spec FILE.json, --specs FILE.jsonl --out FILE.jsonl, or --interactive");
        else if (Given(_specs) && !Given(_out))
            result.AddError("--specs needs --out FILE.jsonl for the generated rows");
        else if (!Given(_specs) && Given(_out))
            result.AddError("--out is only used with --specs");
    }

    private static int Run(GenerateRequest request, CliConsole console, CancellationToken ct)
    {
        if (request.OutFile is not null) OutputTarget.Check("--out", request.OutFile, ("--specs", request.SpecsFile), ("--model", request.Model));
        using var model = ModelArchive.Load(request.Model, new PyTorchCheckpointOptions { Heads = request.Heads });
        DeviceOption.Place(model, request.Device);
        // One sequence at a time is hundreds of tiny ops, which one intra-op thread runs faster than two (bench, 2 vCPUs,
        // the app's PASSIVE wait policy: 569 vs 357 new tokens/s); --specs writes one story per core instead.
        using var threads = TorchThreads.Use(request.SpecsFile is null ? 1 : 0);
        var output = console.Out.Profile.Out.Writer;
        var sampling = request.Sampling;
        if (request.Prompt is not null)
        {
            output.WriteLine(TextGenerator.Generate(model, request.Prompt, sampling));
        }
        else if (request.SpecFile is not null)
        {
            var spec = StorySpecFile.ReadSingle(request.SpecFile);
            string story = TextGenerator.Generate(model, spec.ToPrompt(), sampling);
            output.WriteLine(story);
            if (!request.Quiet) console.Error.WriteLine("checks: " + StoryChecks.Check(spec, story));
        }
        else if (request.SpecsFile is not null)
        {
            var located = StorySpecFile.ReadRequired(request.SpecsFile);
            List<StorySpec> specs = [.. located.Select(s => s.Spec)];
            PromptFit.Check(model, specs, request.SpecsFile, [.. located.Select(s => s.Line)]); // before any story is written
            int n = GenerateBatch(model, specs, request.OutFile!, sampling, request.Quiet ? null : console.Out, console.Error, ct);
            if (!request.Quiet) console.Out.MarkupLine(Markup.Escape($"wrote {n} stories to {request.OutFile}"));
        }
        else
        {
            new StoryRepl((prompt, options) => TextGenerator.Generate(model, prompt, options), sampling, console).Run(ct);
        }
        return ExitCode.Success;
    }

    /// <summary>
    /// Writes one row <c>{"id","prompt","story"}</c> per spec, in order; story i is sampled with seed
    /// <c>sampling.Seed + i</c> (as <see cref="TextGenerator.GenerateBatch(HorrorAlign.ML.Persistence.StoryModel, IReadOnlyList{string}, SamplingOptions, int, IProgress{int}?, CancellationToken)"/> and the evaluator do). The id is the
    /// spec's own, else its 1-based position. Cancelled, it still writes the rows of the stories finished before (in
    /// input order, with their ids), says so on <paramref name="notes"/>, and rethrows.
    /// </summary>
    public static int GenerateBatch(StoryModel model, IReadOnlyList<StorySpec> specs, string outFile, SamplingOptions sampling,
        IAnsiConsole? console, TextWriter notes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(specs);
        ArgumentNullException.ThrowIfNull(notes);
        string[] prompts = [.. specs.Select(s => s.ToPrompt())];
        IReadOnlyList<string?> stories = [];
        // One story per core at a time (see ParallelPrompts); the stories do not depend on how many run at once.
        void GenerateAll(IProgress<int>? advanced) =>
            stories = TextGenerator.GenerateBatch(model, prompts, sampling, Environment.ProcessorCount, advanced, ct);

        try
        {
            if (console is null) GenerateAll(null);
            else RunProgress.Run(OutputMode.Rich, console, p =>
            {
                p.Stage("generate", "generating", specs.Count);
                GenerateAll(new InlineProgress<int>(done => p.Update("generate", done, detail: $"{done}/{specs.Count}")));
                p.Complete("generate");
                return 0;
            });
        }
        catch (BatchCanceledException e) when (e.Finished > 0)
        {
            int kept = WriteRows(outFile, specs, prompts, e.Stories);
            notes.WriteLine($"generate: Ctrl+C after {kept} of {specs.Count} stories; wrote those {kept} rows (with their ids) to {outFile}");
            throw;
        }
        return WriteRows(outFile, specs, prompts, stories);
    }

    /// <summary>Writes the rows of the specs whose story is there (not null), in input order; returns how many.</summary>
    private static int WriteRows(string outFile, IReadOnlyList<StorySpec> specs, string[] prompts, IReadOnlyList<string?> stories)
    {
        var rows = specs.Select((spec, i) => (Id: spec.Id ?? (i + 1).ToString(CultureInfo.InvariantCulture), Prompt: prompts[i], Story: stories[i]))
            .Where(row => row.Story is not null).ToArray();
        Jsonl.Write(outFile, rows, static (w, row) =>
        {
            w.WriteStartObject();
            w.WriteString("id", row.Id);
            w.WriteString("prompt", row.Prompt);
            w.WriteString("story", row.Story);
            w.WriteEndObject();
        });
        return rows.Length;
    }

    /// <summary>Turns the two-character escapes <c>\n</c>, <c>\t</c> and <c>\\</c> of a command-line prompt into their characters.</summary>
    public static string Unescape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new System.Text.StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is 'n' or 't' or '\\')
            {
                sb.Append(text[++i] switch { 'n' => '\n', 't' => '\t', _ => '\\' });
                continue;
            }
            sb.Append(text[i]);
        }
        return sb.ToString();
    }
}
