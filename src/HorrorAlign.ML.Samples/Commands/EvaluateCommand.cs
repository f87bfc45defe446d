using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.Json.Nodes;
using HorrorAlign.ML.Data;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.Generation;
using HorrorAlign.ML.Pipeline;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Samples.Cli;
using HorrorAlign.ML.Samples.Reporting;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Synthesis;
using Spectre.Console;

namespace HorrorAlign.ML.Samples.Commands;

/// <summary>
/// <c>horroralign evaluate --model PATH [--reference PATH] [--specs FILE.jsonl] [--pairs FILE.jsonl] [--sft FILE.jsonl]
/// [--out FILE.json]</c>: constraint pass rates of stories generated for the specs, preference accuracy and reward
/// margins per pair kind, SFT test loss and perplexity. Prints a table and writes the report as JSON. Given a run's
/// <c>model.zip</c> and no data options, it evaluates on that run's evaluation specs, test pairs and SFT test set, with
/// the run's <c>sft_model.zip</c> as the reference. <c>evaluate --stories FILE.jsonl [--specs FILE.jsonl]</c> grades
/// stories that already exist (rows <c>{"id","prompt","story"}</c> as <c>generate --specs</c> writes them) without a model.
/// <c>--benchmark test|dev|stress</c> takes the specs from <see cref="BenchmarkSpecs"/> instead of <c>--specs</c>. Sampling
/// flags as for <c>generate</c> (<see cref="SamplingOptionsBinder"/>). Ctrl+C with <c>--out</c> writes what was finished
/// in any phase (whole phases, and the stories finished), marked <c>interrupted</c> with the phase.
/// </summary>
public sealed class EvaluateCommand : Command
{
    private static readonly ModelEvaluationOptions Defaults = new();

    private readonly Option<string> _model = CliOption.Create<string>("--model", "The model to evaluate (a run's model.zip: its run's data and SFT model by default).", "PATH", "--checkpoint");
    private readonly Option<string> _reference = CliOption.Create<string>("--reference", "The reference model for DPO rewards (default: the run's sft_model.zip).", "PATH");
    private readonly Option<string> _specs = CliOption.Create<string>("--specs", "Specs to write and check stories for.", "FILE.jsonl");
    private readonly Option<string> _benchmark = CliOption.Create<string>("--benchmark",
        "The frozen benchmark's specs instead: test (400 held-out, for reporting), dev (200, for decisions) or stress.").OneOf("test", "dev", "stress");
    private readonly Option<string> _pairs = CliOption.Create<string>("--pairs", "Preference pairs for accuracy and reward margins.", "FILE.jsonl");
    private readonly Option<string> _sft = CliOption.Create<string>("--sft", "SFT examples for test loss and perplexity.", "FILE.jsonl");
    private readonly Option<string> _stories = CliOption.Create<string>("--stories",
        "Grade existing stories (rows as generate --specs writes them) instead of a model.", "FILE.jsonl");
    private readonly Option<string> _out = CliOption.Create<string>("--out", "Also write the report as JSON.", "FILE.json");
    private readonly Option<bool> _json = CliOption.Create<bool>("--json", "Print the report as one JSON line instead of a table.");
    private readonly Option<bool> _quiet = CliOption.Create<bool>("--quiet", "No progress or table.");
    private readonly Option<double> _beta = CliOption.Create<double>("--beta", "DPO beta of the reward margins.", "X")
        .Require(v => v > 0 && double.IsFinite(v), "must be a positive number");
    private readonly Option<int> _maxTokens = CliOption.Create<int>("--max-tokens", "Most tokens per scored example (default: the model's context).", "N").AtLeast(2);
    private readonly Option<int> _batchSize = CliOption.Create<int>("--batch-size", "Examples per scoring batch.", "N").AtLeast(1);

    /// <summary>The sampling flags of the stories.</summary>
    public SamplingOptionsBinder Sampling { get; } = new(shownDefaults: Defaults.Sampling);

    /// <summary>Sees every progress report of the evaluation (tests press Ctrl+C at a chosen phase through it).</summary>
    internal Action<EvaluationProgress>? Progressed { get; set; }

    /// <summary>Defines the command, writing to <paramref name="console"/>.</summary>
    public EvaluateCommand(CliConsole console)
        : base("evaluate", "Constraint pass rates, preference accuracy and SFT loss of a model, or grade existing stories (--stories).")
    {
        _beta.DefaultValueFactory = _ => Defaults.Beta;
        _batchSize.DefaultValueFactory = _ => Defaults.BatchSize;
        foreach (var option in new Option[] { _model, _reference, _specs, _benchmark, _pairs, _sft, _stories, _out, _json, _quiet, _beta, _maxTokens, _batchSize })
            Options.Add(option);
        Sampling.AddTo(this);
        Validators.Add(CheckInputs);
        this.SetGuardedAction(console, (result, ct) => Run(result, console.Out, console.Error, ct));
    }

    /// <summary>A model or stories; the specs from --specs or --benchmark, not both; --stories only with those and --out.</summary>
    private void CheckInputs(CommandResult result)
    {
        bool Given(Option option) => result.GetResult(option) is not null;
        if (Given(_benchmark) && Given(_specs))
            result.AddError("--benchmark and --specs both choose the specs: give one of them");
        if (Given(_stories) && (Given(_model) || Given(_pairs) || Given(_sft) || Given(_reference)))
            result.AddError("--stories grades existing stories: it takes only --specs or --benchmark (optional) and --out");
        if (!Given(_stories) && !Given(_model))
            result.AddError("evaluate needs --model PATH (or --stories FILE.jsonl to grade existing stories)");
    }

    private int Run(ParseResult result, IAnsiConsole console, TextWriter notes, CancellationToken ct)
    {
        string? referencePath = result.GetValue(_reference);
        string? specsFile = result.GetValue(_specs);
        string? pairsFile = result.GetValue(_pairs);
        string? sftFile = result.GetValue(_sft);
        string? storiesFile = result.GetValue(_stories);
        string? outFile = result.GetValue(_out);
        var mode = result.GetValue(_json) ? OutputMode.Json : result.GetValue(_quiet) ? OutputMode.Quiet : OutputMode.Rich;
        var options = Defaults with
        {
            Sampling = Sampling.Read(result, Defaults.Sampling),
            Beta = result.GetValue(_beta),
            MaxTokens = result.GetResult(_maxTokens) is null ? Defaults.MaxTokens : result.GetValue(_maxTokens),
            BatchSize = result.GetValue(_batchSize),
            // One story per core at a time (see ParallelPrompts); the stories do not depend on it.
            Parallelism = Environment.ProcessorCount,
        };
        var benchmarkSpecs = result.GetValue(_benchmark) is { } benchmark ? Benchmark(benchmark) : null;
        if (outFile is not null)
            OutputTarget.Check("--out", outFile, ("--specs", specsFile), ("--pairs", pairsFile), ("--sft", sftFile), ("--stories", storiesFile),
                ("--model", result.GetValue(_model)), ("--reference", referencePath));

        ModelEvaluationReport report;
        string column;
        if (storiesFile is not null)
        {
            var (specs, stories) = ReadStories(storiesFile, specsFile is null ? benchmarkSpecs : ReadSpecs(specsFile));
            ct.ThrowIfCancellationRequested();
            report = new ModelEvaluationReport(ModelEvaluator.EvaluateStories(specs, stories), null, null, 0);
            column = Path.GetFileName(storiesFile);
        }
        else
        {
            string modelPath = result.GetRequiredValue(_model); // CheckInputs: there is one when there are no stories
            // A run's model.zip: default to that run's evaluation data and its SFT model as the reference.
            string? runData = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath)) ?? ".", AlignmentPipeline.DataFolder);
            if (specsFile is null && benchmarkSpecs is null && pairsFile is null && sftFile is null)
            {
                if (!Directory.Exists(runData))
                    throw new CliException("nothing to evaluate: give --specs, --pairs and/or --sft (or a model inside a run folder)");
                specsFile = OptionalFile(Path.GetDirectoryName(runData)!, AlignmentPipeline.EvaluationSpecsFile) ?? OptionalFile(runData, Dataset.HeldOutSpecsFile);
                pairsFile = OptionalFile(runData, Dataset.PrefTestFile);
                sftFile = OptionalFile(runData, Dataset.SftTestFile);
                if (referencePath is null && Path.GetFileName(modelPath) == AlignmentPipeline.ModelFile)
                    referencePath = OptionalFile(Path.GetDirectoryName(runData)!, AlignmentPipeline.SftModelFile);
            }
            var specs = specsFile is null ? benchmarkSpecs : ReadSpecs(specsFile);
            var pairs = pairsFile is null ? null : PreferencePair.ReadJsonl(pairsFile);
            var sft = sftFile is null ? null : SftExample.ReadJsonl(sftFile);
            using var model = ModelArchive.Load(modelPath);
            using var reference = referencePath is null ? null : ModelArchive.Load(referencePath);
            try
            {
                report = RunProgress.Run(mode, console, p =>
                {
                    p.Stage("evaluate", "evaluate", specs?.Count ?? 1);
                    var r = ModelEvaluator.Evaluate(model, specs, pairs, sft, options, reference, new InlineProgress<EvaluationProgress>(e =>
                    {
                        p.Evaluation("evaluate", e);
                        Progressed?.Invoke(e);
                    }), ct);
                    p.Complete("evaluate");
                    return r;
                });
            }
            catch (EvaluationCanceledException e) when (outFile is not null && e.HasResults)
            {
                KeepFinished(e, specs?.Count ?? 0, pairs is { Count: > 0 }, sft is { Count: > 0 }, outFile, notes);
                throw;
            }
            column = Path.GetFileName(modelPath);
        }

        if (outFile is not null) AtomicFile.WriteAllText(outFile, report.ToJson() + "\n");
        switch (mode)
        {
            case OutputMode.Rich:
                console.Write(EvaluationTable.Build([(column, report)]));
                if (outFile is not null) console.MarkupLine(Markup.Escape($"wrote {outFile}"));
                break;
            case OutputMode.Json:
                console.Profile.Out.Writer.WriteLine(System.Text.Json.JsonSerializer.Serialize(report,
                    new System.Text.Json.JsonSerializerOptions(ModelEvaluationReport.JsonOptions) { WriteIndented = false }));
                break;
        }
        return ExitCode.Success;
    }

    /// <summary>The specs of --specs (or a run's spec file): at least one, each checked here at its line.</summary>
    private static List<StorySpec> ReadSpecs(string path) => [.. StorySpecFile.ReadRequired(path).Select(s => s.Spec)];

    /// <summary>Ctrl+C: writes the results finished before it (the phases done, and in the story phase the stories
    /// finished) to <paramref name="outFile"/> with an <c>interrupted</c> note naming the phase, and says so on
    /// <paramref name="notes"/>.</summary>
    private static void KeepFinished(EvaluationCanceledException e, int specCount, bool hasPairs, bool hasSft, string outFile, TextWriter notes)
    {
        var report = e.Finished;
        var missing = new List<string>();
        if (hasPairs && report.Preferences is null) missing.Add("preference");
        if (hasSft && report.SftLoss is null) missing.Add("SFT");
        string lacking = missing.Count == 0 ? "" : $" (no {string.Join(" or ", missing)} results)";
        string stopped, held;
        if (e.Phase == ModelEvaluator.StoriesPhase)
        {
            int done = report.Constraints!.Count; // HasResults: in the story phase only stories can be finished
            (stopped, held) = ($"Ctrl+C after {done} of {specCount} stories", $"the constraint report of those {done}");
        }
        else
        {
            var kept = new List<string>();
            if (report.Constraints is not null) kept.Add("constraint");
            if (report.Preferences is not null) kept.Add("preference");
            (stopped, held) = ($"Ctrl+C in the {e.Phase} phase", $"the {string.Join(" and ", kept)} results finished before it");
        }
        var json = JsonNode.Parse(report.ToJson())!.AsObject();
        // The file says itself that it is partial: a missing part would otherwise read as data that was not given.
        json["interrupted"] = new JsonObject { ["phase"] = e.Phase, ["note"] = $"{stopped}; this report holds {held}{lacking}" };
        AtomicFile.WriteAllText(outFile, json.ToJsonString(ModelEvaluationReport.JsonOptions) + "\n");
        notes.WriteLine($"evaluate: {stopped}; wrote {held} to {outFile}{lacking}");
    }

    /// <summary>
    /// Reads stories to grade. Each row needs a <c>story</c>; its spec is the row's <c>spec</c> object, else the spec of
    /// <paramref name="specs"/> with the row's <c>id</c>, else the row's <c>prompt</c> read back as a spec.
    /// </summary>
    public static (List<StorySpec> Specs, List<string> Stories) ReadStories(string path, IReadOnlyList<StorySpec>? specs)
    {
        var byId = new Dictionary<string, StorySpec>(StringComparer.Ordinal);
        if (specs is not null)
            for (int i = 0; i < specs.Count; i++)
                byId.TryAdd(specs[i].Id ?? (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), specs[i]);

        var rows = Jsonl.ReadNonEmpty(path, record =>
        {
            string story = record.GetString("story");
            string? id = record.GetOptionalString("id");
            StorySpec? spec = null;
            if (record.GetOptional("spec") is { } element)
            {
                try
                {
                    spec = StorySpec.FromJson(element.GetRawText());
                }
                catch (FormatException e)
                {
                    throw record.Error("spec", e.Message);
                }
            }
            else if (id is not null && byId.TryGetValue(id, out var known)) spec = known;
            else if (record.GetOptionalString("prompt") is { } prompt)
            {
                try
                {
                    spec = StorySpec.FromPrompt(prompt);
                }
                catch (FormatException e)
                {
                    throw record.Error("prompt", "field 'prompt' is not a story prompt: " + e.Message);
                }
            }
            if (spec is null)
                throw record.Error(null, $"no spec for this story: give the row a 'spec' or a story 'prompt', or pass --specs with id '{id}'");
            return (Spec: spec with { Id = spec.Id ?? id }, Story: story);
        }, "stories");
        return ([.. rows.Select(r => r.Spec)], [.. rows.Select(r => r.Story)]);
    }

    /// <summary>The specs of a benchmark set by its name: <c>test</c> (400 frozen held-out specs, for reporting),
    /// <c>dev</c> (200 specs for decisions) or <c>stress</c> (the stress specs).</summary>
    /// <exception cref="CliException">Any other name.</exception>
    public static IReadOnlyList<StorySpec> Benchmark(string name) => name switch
    {
        "test" => BenchmarkSpecs.TestSpecs(),
        "dev" => BenchmarkSpecs.DevSpecs(),
        "stress" => BenchmarkSpecs.StressSpecs,
        _ => throw new CliException($"--benchmark takes test, dev or stress, not '{name}'"),
    };

    private static string? OptionalFile(string folder, string name)
    {
        string path = Path.Combine(folder, name);
        return File.Exists(path) ? path : null;
    }
}
