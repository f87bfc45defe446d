using System.Diagnostics;
using System.Text.Json;
using HorrorAlign.ML.Mining;
using HorrorAlign.ML.Data;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Synthesis;
using HorrorAlign.ML.Tokenization;
using HorrorAlign.ML.Training;

namespace HorrorAlign.ML.Pipeline;

/// <summary>
/// The whole alignment pipeline: data → SFT → on-policy mining → DPO → evaluation of both checkpoints → a run folder.
/// <c>horroralign train</c> is a thin caller of it.
/// </summary>
/// <remarks>
/// The run folder holds <c>model.zip</c> (the DPO model as an ML.NET zip), <c>sft_model.zip</c>, <c>data/</c> (the
/// dataset, the mined pairs, field-token coverage), <c>metrics.json</c>, <c>train.log.jsonl</c>, <c>samples.md</c>,
/// <c>evaluation_specs.jsonl</c> and <c>run.json</c> (the <see cref="RunOptions"/>). Cancelling writes a checkpoint into
/// <c>checkpoints/</c>; <see cref="Resume"/> continues from it with the stored options, to the same result.
/// </remarks>
public static class AlignmentPipeline
{
    /// <summary>The options file of a run folder (what <see cref="Resume"/> reads back).</summary>
    public const string RunFile = "run.json";
    /// <summary>The data folder of a run.</summary>
    public const string DataFolder = "data";
    /// <summary>The on-policy DPO pairs, in the data folder.</summary>
    public const string OnPolicyFile = "dpo_on_policy.jsonl";
    /// <summary>The specs the run's stories were evaluated on, so <c>evaluate</c> can repeat it.</summary>
    public const string EvaluationSpecsFile = "evaluation_specs.jsonl";
    /// <summary>How many SFT stories had each spec value found for field tokens (see <see cref="FieldTokenCoverage"/>).</summary>
    public const string FieldCoverageFile = "field_tokens.json";
    /// <summary>The checkpoint folder of a run (removed when the run completes, unless kept).</summary>
    public const string CheckpointFolder = "checkpoints";
    /// <summary>The DPO model, an ML.NET zip.</summary>
    public const string ModelFile = "model.zip";
    /// <summary>The SFT model, an ML.NET zip (the reference for DPO rewards).</summary>
    public const string SftModelFile = "sft_model.zip";
    /// <summary>Where the run's data came from, in the data folder; written last, so its presence means the data is whole.</summary>
    internal const string SourceFile = "source.txt";

    /// <summary>Everything <see cref="Run"/> writes into <paramref name="runFolder"/>: a caller refuses inputs among it.</summary>
    internal static FolderWrites Writes(string runFolder)
    {
        string data = Path.Combine(runFolder, DataFolder), checkpoints = Path.Combine(runFolder, CheckpointFolder);
        string[] top = [RunFile, RunLock.FileName, RunLock.OwnerFileName, EvaluationSpecsFile, ModelFile, SftModelFile,
            TrainingLogFile.FileName, RunMetrics.FileName, SamplesMarkdown.FileName];
        return new FolderWrites([.. top.Select(f => Path.Combine(runFolder, f)), .. DataFiles(data)], [runFolder, data, checkpoints], [checkpoints]);
    }

    /// <summary>The files a run writes into its data folder <paramref name="dataDir"/> (the dataset, then the mined pairs).</summary>
    internal static IEnumerable<string> DataFiles(string dataDir) =>
        Dataset.FileNames.Append(SourceFile).Append(FieldCoverageFile).Append(OnPolicyFile).Select(f => Path.Combine(dataDir, f));

    /// <summary>Runs the pipeline into a new run folder.</summary>
    /// <param name="options">What to run (<see cref="RunOptions.Default"/>, <see cref="RunOptions.Tiny"/> or your own).</param>
    /// <param name="runFolder">Created if needed; must not hold a run already.</param>
    /// <param name="progress">Receives every stage, training log entry and evaluation step.</param>
    /// <param name="keepCheckpoints">Keep <c>checkpoints/</c> after the run completes.</param>
    /// <param name="cancellationToken">Stops at the next step, after writing a checkpoint; <see cref="Resume"/> continues.</param>
    /// <exception cref="ArgumentException">Invalid options (the message names the option), or a run folder that would write
    /// into, over or delete the <see cref="RunOptions.DataDirectory"/> or <see cref="RunOptions.BaseModel"/>.</exception>
    /// <exception cref="IOException">The folder already holds a run.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the run folder can be resumed.</exception>
    public static AlignmentRun Run(RunOptions options, string runFolder, IProgress<PipelineProgress>? progress = null,
        bool keepCheckpoints = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(runFolder);
        options.Validate();
        // The CLI refuses these as usage errors; an app calling the library gets the same check.
        var writes = Writes(runFolder);
        foreach (var (name, input) in new[] { (nameof(RunOptions.DataDirectory), options.DataDirectory), (nameof(RunOptions.BaseModel), options.BaseModel) })
            if (input is not null && writes.Reach(input) is { } reach)
                throw new ArgumentException($"The run folder {runFolder} {reach} RunOptions.{name} {input}: an input must not be among the outputs.", nameof(runFolder));
        using var held = RunLock.Acquire(runFolder);
        string runFile = Path.Combine(runFolder, RunFile);
        if (File.Exists(runFile))
            throw new IOException($"{runFolder} already holds a run; resume it, or choose another folder");
        AtomicFile.WriteAllText(runFile, options.ToJson());
        return RunRecord.RemovedIfFailedBeforeTraining(runFile, Path.Combine(runFolder, CheckpointFolder),
            () => Execute(options, runFolder, resume: false, progress, keepCheckpoints, cancellationToken));
    }

    /// <summary>Continues an interrupted run with the options stored in its <c>run.json</c>; a finished stage is not
    /// repeated, and the result is the uninterrupted run's.</summary>
    /// <exception cref="InvalidDataException">The folder holds no run, or its run.json is not valid.</exception>
    public static AlignmentRun Resume(string runFolder, IProgress<PipelineProgress>? progress = null, bool keepCheckpoints = false,
        CancellationToken cancellationToken = default)
    {
        var options = ReadOptions(runFolder);
        using var held = RunLock.Acquire(runFolder);
        return Execute(options, runFolder, resume: true, progress, keepCheckpoints, cancellationToken);
    }

    /// <summary>The options stored in a run folder.</summary>
    /// <exception cref="InvalidDataException">No run.json there, or not valid run options (not UTF-8 JSON of at most
    /// 1 MiB, a field of the wrong type, null or out of range); the message starts with the file.</exception>
    public static RunOptions ReadOptions(string runFolder)
    {
        ArgumentException.ThrowIfNullOrEmpty(runFolder);
        string path = Path.Combine(runFolder, RunFile);
        if (!File.Exists(path)) throw new InvalidDataException($"{runFolder} is not a run folder (no {RunFile}); nothing to resume");
        JsonElement json;
        try
        {
            json = Jsonl.ReadObjectFile(path); // strict UTF-8, at most 1 MiB: a run.json is a few KB
        }
        catch (JsonlFormatException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
        var options = RunOptions.FromJson(json, path);
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
        return options;
    }

    /// <summary>True when the folder holds a finished run (metrics and model written, no checkpoint left to resume from).</summary>
    public static bool IsComplete(string runFolder) =>
        File.Exists(Path.Combine(runFolder, RunMetrics.FileName)) && File.Exists(Path.Combine(runFolder, ModelFile))
        && !Directory.Exists(Path.Combine(runFolder, CheckpointFolder));

    private static AlignmentRun Execute(RunOptions stored, string outDir, bool resume, IProgress<PipelineProgress>? progress,
        bool keepCheckpoints, CancellationToken ct)
    {
        var s = stored.Resolved();
        var report = new Reporter(progress);
        var total = Stopwatch.StartNew();
        var seconds = new List<KeyValuePair<string, double>>();
        var clock = Stopwatch.StartNew();
        void Lap(string phase)
        {
            seconds.Add(new(phase, clock.Elapsed.TotalSeconds));
            clock.Restart();
        }

        var (data, source) = PrepareData(s, outDir, resume, report);
        Lap("data");

        // Specs no training or tuning decision has seen (test), or their tuning twin (dev): never the data's own pools.
        var (evalSpecs, evalSpecsSource) = s.Benchmark == BenchmarkSet.Dev
            ? (BenchmarkSpecs.DevSpecs(s.EvalSpecs), "benchmark_dev")
            : (BenchmarkSpecs.TestSpecs(s.EvalSpecs), "benchmark_test");
        StorySpecFile.Write(Path.Combine(outDir, EvaluationSpecsFile), evalSpecs);
        string checkpoints = Path.Combine(outDir, CheckpointFolder);

        using var threads = TorchThreads.Use(s.Threads);
        var sftOptions = SftOptions(s) with { CheckpointDirectory = checkpoints, ResumeFromCheckpoint = resume };
        using var baseModel = s.BaseModel is null ? null : ModelArchive.LoadBase(s.BaseModel, s.Sft.FieldTokens);
        report.Started("sft", "SFT", 1);
        var sftResult = StoryTraining.RunSft(data.SftTrain, data.SftValidation, sftOptions, baseModel, report.Training("sft"), ct);
        report.Completed("sft", sftResult.Message);
        Lap("sft");

        TrainingResult? dpoResult = null;
        try
        {
            var sftModel = sftResult.Model;
            var onPolicy = Mine(s, sftModel, Path.Combine(outDir, DataFolder, OnPolicyFile), resume, report, ct);
            Lap("on_policy");

            report.Started("dpo", "DPO", 1);
            dpoResult = StoryTraining.RunDpo(sftModel,
                OnPolicyPairs.TrainingPairs(data.PrefTrain, onPolicy.Pairs, s.OnPolicy.Repeats), data.PrefValidation,
                s.Dpo with { CheckpointDirectory = checkpoints, ResumeFromCheckpoint = resume }, report.Training("dpo"), ct);
            var dpoModel = dpoResult.Model;
            report.Completed("dpo", dpoResult.Message);
            Lap("dpo");

            // Both checkpoints on the same specs, pairs and examples; DPO rewards are relative to the SFT model.
            ModelEvaluationReport Evaluate(string key, string title, StoryModel model, StoryModel? reference)
            {
                report.Started(key, title, evalSpecs.Count);
                var result = ModelEvaluator.Evaluate(model, evalSpecs, data.PrefTest, data.SftTest, s.Evaluation, reference, report.Evaluation(key), ct);
                report.Completed(key, $"all checks {RunMetrics.Percent(result.Constraints?.AllPassedRate)}");
                return result;
            }
            var sftEval = Evaluate("eval-sft", "evaluate SFT", sftModel, null);
            var dpoEval = Evaluate("eval-dpo", "evaluate DPO", dpoModel, sftModel);
            // Decoding enforces the fields by default: the same specs sampled without it show what the model itself learned.
            ConstraintReport? Alone(string key, string title, StoryModel model)
            {
                if (!model.Vocabulary.HasFieldTokens || !s.Evaluation.Sampling.EnforceFields) return null;
                report.Started(key, title, evalSpecs.Count);
                var options = s.Evaluation with { Sampling = s.Evaluation.Sampling with { EnforceFields = false } };
                var result = ModelEvaluator.Evaluate(model, evalSpecs, null, null, options, null, report.Evaluation(key), ct).Constraints;
                report.Completed(key, $"all checks {RunMetrics.Percent(result?.AllPassedRate)}");
                return result;
            }
            var alone = (Sft: Alone("alone-sft", "SFT, model alone", sftModel), Dpo: Alone("alone-dpo", "DPO, model alone", dpoModel));
            Lap("evaluation");

            report.Started("write", "artefacts", 4);
            ModelArchive.Save(dpoModel, Path.Combine(outDir, ModelFile), s.Evaluation.Sampling);
            ModelArchive.Save(sftModel, Path.Combine(outDir, SftModelFile), s.Evaluation.Sampling);
            report.Advanced("write", 2);
            TrainingLogFile.Write(Path.Combine(outDir, TrainingLogFile.FileName), sftResult.History.Concat(dpoResult.History));
            seconds.Add(new("artefacts", clock.Elapsed.TotalSeconds));
            seconds.Add(new("total", total.Elapsed.TotalSeconds));
            var run = new AlignmentRun(outDir, stored, data, source, evalSpecsSource, sftModel.Config, sftModel.Model.ParameterCount(),
                sftResult, dpoResult, sftEval, dpoEval, seconds, TorchSharp.torch.get_num_threads(),
                (onPolicy.Specs, onPolicy.Pairs.Count, onPolicy.Pairs.Count(p => p.Repaired)), alone);
            RunMetrics.Write(Path.Combine(outDir, RunMetrics.FileName), run);
            report.Advanced("write", 3);
            if (sftEval.Constraints is { } sc && dpoEval.Constraints is { } dc)
                SamplesMarkdown.Write(Path.Combine(outDir, SamplesMarkdown.FileName), [("SFT", sc), ("DPO", dc)], s.Samples);
            if (!keepCheckpoints && Directory.Exists(checkpoints)) Directory.Delete(checkpoints, recursive: true);
            report.Completed("write", outDir);
            return run;
        }
        catch
        {
            // The run owns its models only once it returns them.
            sftResult.Model.Dispose();
            dpoResult?.Model.Dispose();
            throw;
        }
    }

    /// <summary>SFT's options in a run: without field tokens, extra vocabulary text gives the project's own pool values
    /// ids (the model spells them); the evaluation's specs get none, as a user's spec would not.</summary>
    internal static SftOptions SftOptions(RunOptions s) =>
        s.Sft with { ExtraVocabularyText = s.Sft.FieldTokens ? [] : [.. ValuePools.AllValues, .. ProbeValues.Pools.Values] };

    /// <summary>The dataset: generated, or read from <see cref="RunOptions.DataDirectory"/>; a resumed run reads back
    /// exactly what it trained on. Written into the run's data folder with its stats and field-token coverage.</summary>
    internal static (Dataset Data, string Source) PrepareData(RunOptions s, string outDir, bool resume, Reporter report)
    {
        string dataDir = Path.Combine(outDir, DataFolder);
        report.Started("data", "data", 1);
        // source.txt is written last: without it the folder may hold some files but not all (a crash between them),
        // and the data is made again, the same from the same options.
        bool written = resume && File.Exists(Path.Combine(dataDir, SourceFile));
        Dataset data;
        string source;
        if (written) (data, source) = (Dataset.ReadFrom(dataDir), ReadSource(dataDir));
        else if (s.DataDirectory is not null) (data, source) = (Dataset.ReadFrom(s.DataDirectory), Path.GetFullPath(s.DataDirectory));
        else (data, source) = (Dataset.Generate(s.Dataset), "generated");
        if (!written)
        {
            data.WriteTo(dataDir);
            data.WriteStats(dataDir, t => Gpt2Tokenizer.Shared.Encode(t).Length);
            AtomicFile.WriteAllText(Path.Combine(dataDir, SourceFile), source + "\n");
        }
        string fields = "";
        if (s.Sft.FieldTokens)
        {
            // Bring-your-own stories may word a value differently: such rows train that field as plain text.
            var coverage = FieldTokenCoverage.Measure(data.SftTrain.Select(r => (r.Prompt, r.Response)));
            AtomicFile.WriteAllText(Path.Combine(dataDir, FieldCoverageFile),
                JsonSerializer.Serialize(coverage, ModelEvaluationReport.JsonOptions) + "\n");
            fields = $"; field tokens: every value found in {coverage.Complete} of {coverage.Stories - coverage.Plain} stories";
        }
        report.Completed("data", $"{data.SftTrain.Count} SFT / {data.PrefTrain.Count} pairs ({source}){fields}");
        return (data, source);
    }

    /// <summary>The SFT model's failing stories on probe specs as DPO pairs, saved in the data folder; a resumed run
    /// reads them back instead of mining again.</summary>
    private static (int Specs, IReadOnlyList<PreferencePair> Pairs) Mine(RunOptions s, StoryModel sftModel, string file, bool resume,
        Reporter report, CancellationToken ct)
    {
        var sources = OnPolicyPairs.ProbeSources(s.OnPolicy.Specs, s.Dpo.Seed);
        if (sources.Count == 0) return (0, []);
        if (resume && File.Exists(file)) return (sources.Count, PreferencePair.ReadJsonl(file));

        int stories = sources.Count * s.OnPolicy.SamplesPerSource;
        report.Started("on-policy", "on-policy pairs", stories);
        var pairs = OnPolicyPairs.Mine(sftModel, sources, s.OnPolicy, new InlineProgress<int>(n =>
        {
            if (n <= stories) report.Advanced("on-policy", n);
            else report.Advanced("on-policy", stories, detail: $"repaired {n - stories}");
        }), ct);
        PreferencePair.WriteJsonl(file, pairs);
        report.Completed("on-policy", $"{pairs.Count} of {stories} stories failed a check, {pairs.Count(p => p.Repaired)} repaired");
        return (sources.Count, pairs);
    }

    private static string ReadSource(string dataDir)
    {
        string path = Path.Combine(dataDir, SourceFile);
        return File.Exists(path) ? File.ReadAllText(path).Trim() : "generated";
    }

    /// <summary>Null-safe reporting of <see cref="PipelineProgress"/>.</summary>
    internal sealed class Reporter(IProgress<PipelineProgress>? progress)
    {
        public void Started(string stage, string title, int total) => progress?.Report(new(PipelineProgressKind.Started, stage, title, 0, total));

        public void Advanced(string stage, int done, string? detail = null) =>
            progress?.Report(new(PipelineProgressKind.Advanced, stage, Done: done, Detail: detail));

        public void Completed(string stage, string? detail) => progress?.Report(new(PipelineProgressKind.Completed, stage, Detail: detail));

        public IProgress<TrainingMetrics> Training(string stage) => new InlineProgress<TrainingMetrics>(m =>
            progress?.Report(new(PipelineProgressKind.Training, stage, Done: m.Step, Total: m.TotalSteps) { Metrics = m }));

        public IProgress<EvaluationProgress> Evaluation(string stage) => new InlineProgress<EvaluationProgress>(e =>
            progress?.Report(new(PipelineProgressKind.Evaluation, stage, Done: e.Done, Total: e.Total) { Evaluation = e }));
    }
}
