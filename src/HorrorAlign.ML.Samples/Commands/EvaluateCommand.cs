using HorrorAlign.ML.Data;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.Generation;
using HorrorAlign.ML.Pipeline;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Samples.Cli;
using HorrorAlign.ML.Samples.Reporting;
using HorrorAlign.ML.Specs;
using Spectre.Console;

namespace HorrorAlign.ML.Samples.Commands;

/// <summary>
/// <c>horroralign evaluate --model PATH [--reference PATH] [--specs FILE.jsonl] [--pairs FILE.jsonl] [--sft FILE.jsonl]
/// [--out FILE.json]</c>: constraint pass rates of stories generated for the specs, preference accuracy and reward
/// margins per pair kind, SFT test loss and perplexity. Prints a table and writes the report as JSON. Given a run's
/// <c>model.zip</c> and no data options, it evaluates on that run's evaluation specs, test pairs and SFT test set, with
/// the run's <c>sft_model.zip</c> as the reference. <c>evaluate --stories FILE.jsonl [--specs FILE.jsonl]</c> grades
/// stories that already exist (rows <c>{"id","prompt","story"}</c> as <c>generate --specs</c> writes them) without a model.
/// <c>--benchmark test|dev|stress</c> takes the specs from <see cref="BenchmarkSpecs"/> instead of <c>--specs</c>.
/// </summary>
public static class EvaluateCommand
{
    /// <summary>Runs the command.</summary>
    public static int Run(CliArgs a, CancellationToken ct) => Run(a, ct, AnsiConsole.Console);

    /// <summary>Runs the command on <paramref name="console"/> (for tests).</summary>
    public static int Run(CliArgs a, CancellationToken ct, IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(console);
        string? modelPath = a.String("model", "checkpoint");
        string? referencePath = a.String("reference");
        string? specsFile = a.String("specs");
        string? benchmark = a.String("benchmark");
        string? pairsFile = a.String("pairs");
        string? sftFile = a.String("sft");
        string? storiesFile = a.String("stories");
        string? outFile = a.String("out");
        var mode = a.Has("json") ? OutputMode.Json : a.Has("quiet") ? OutputMode.Quiet : OutputMode.Rich;
        var defaults = new ModelEvaluationOptions();
        var options = defaults with
        {
            Sampling = GenerateCommand.ReadSampling(a, defaults.Sampling),
            Beta = a.Double("beta") ?? defaults.Beta,
            MaxTokens = a.Int("max-tokens") ?? defaults.MaxTokens,
            BatchSize = a.Int("batch-size") ?? defaults.BatchSize,
            // One story per core at a time (see ParallelPrompts); the stories do not depend on it.
            Parallelism = Environment.ProcessorCount,
        };
        a.ThrowIfUnknown();
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new CliException(e.Message);
        }
        if (benchmark is not null && specsFile is not null)
            throw new CliException("--benchmark and --specs both choose the specs: give one of them");
        var benchmarkSpecs = benchmark is null ? null : Benchmark(benchmark);

        ModelEvaluationReport report;
        string column;
        if (storiesFile is not null)
        {
            if (modelPath is not null || pairsFile is not null || sftFile is not null || referencePath is not null)
                throw new CliException("--stories grades existing stories: it takes only --specs or --benchmark (optional) and --out");
            var (specs, stories) = ReadStories(storiesFile, specsFile is null ? benchmarkSpecs : StorySpecFile.Read(specsFile));
            report = new ModelEvaluationReport(ModelEvaluator.EvaluateStories(specs, stories), null, null, 0);
            column = Path.GetFileName(storiesFile);
        }
        else
        {
            if (modelPath is null) throw new CliException("evaluate needs --model PATH (or --stories FILE.jsonl to grade existing stories)");
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
            var specs = specsFile is null ? benchmarkSpecs : StorySpecFile.Read(specsFile);
            var pairs = pairsFile is null ? null : PreferencePair.ReadJsonl(pairsFile);
            var sft = sftFile is null ? null : SftExample.ReadJsonl(sftFile);
            using var model = ModelArchive.Load(modelPath);
            using var reference = referencePath is null ? null : ModelArchive.Load(referencePath);
            report = RunProgress.Run(mode, console, p =>
            {
                p.Stage("evaluate", "evaluate", specs?.Count ?? 1);
                var r = ModelEvaluator.Evaluate(model, specs, pairs, sft, options, reference,
                    new InlineProgress<EvaluationProgress>(e => p.Evaluation("evaluate", e)), ct);
                p.Complete("evaluate");
                return r;
            });
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
        return 0;
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

        var rows = Jsonl.Read(path, record =>
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
        });
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
