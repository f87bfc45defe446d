using HorrorAlign.ML.Losses;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using HorrorAlign.ML.Data;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.Generation;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Samples.Cli;
using HorrorAlign.ML.Samples.Reporting;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Tokenization;
using HorrorAlign.ML.Training;
using Spectre.Console;

namespace HorrorAlign.ML.Samples.Commands;

/// <summary>
/// <c>horroralign train [--out runs/NAME] [--seed N] [--config tiny|default] [overrides…]</c>: the whole pipeline in
/// one command. It generates the data (or reads <c>--data DIR</c>), runs SFT with early stopping, then DPO from the SFT
/// model, evaluates BOTH checkpoints (held-out specs, test pairs, SFT test loss) and writes the run folder:
/// <c>model.zip</c> (the DPO model as an ML.NET zip), <c>sft_model.zip</c>, <c>data/</c>, <c>metrics.json</c>,
/// <c>train.log.jsonl</c>, <c>curves.png</c>, <c>summary.png</c>, <c>samples.md</c> and <c>run.json</c> (its settings).
/// Ctrl+C writes a checkpoint (in <c>checkpoints/</c>) and <c>train --resume DIR</c> continues with the stored settings.
/// </summary>
public static class TrainCommand
{
    /// <summary>The settings file of a run folder (what <c>--resume</c> reads back).</summary>
    public const string RunFile = "run.json";
    /// <summary>The data folder of a run.</summary>
    public const string DataFolder = "data";
    /// <summary>The on-policy DPO pairs, in the data folder (see <see cref="OnPolicyPairs"/>).</summary>
    public const string OnPolicyFile = "dpo_on_policy.jsonl";
    /// <summary>The specs the run's stories were evaluated on (the benchmark's), so <c>evaluate</c> can repeat it.</summary>
    public const string EvaluationSpecsFile = "evaluation_specs.jsonl";
    /// <summary>How many SFT training stories had each spec value found for field tokens (see <see cref="FieldTokenCoverage"/>).</summary>
    public const string FieldCoverageFile = "field_tokens.json";
    /// <summary>The checkpoint folder of a run (removed when the run completes, unless --keep-checkpoints).</summary>
    public const string CheckpointFolder = "checkpoints";
    /// <summary>The DPO model, an ML.NET zip.</summary>
    public const string ModelFile = "model.zip";
    /// <summary>The SFT model, an ML.NET zip (the reference for DPO rewards).</summary>
    public const string SftModelFile = "sft_model.zip";
    /// <summary>Exit code of an interrupted run (128 + SIGINT, as shells report Ctrl+C).</summary>
    public const int InterruptedExitCode = 130;

    /// <summary>The options that define a run (stored in run.json; <c>--resume</c> restores them). Display options
    /// (--quiet, --json, --keep-checkpoints) are not part of a run.</summary>
    private static readonly string[] SettingNames =
    [
        "config", "data", "seed", "sft-train", "sft-val", "sft-test", "pref-train", "pref-val", "pref-test", "heldout-fraction", "fresh-share",
        "heldout-specs", "d-model", "layers", "heads", "dropout", "tie-embeddings", "copy-head", "field-tokens", "unseen-embedding", "unseen-dropout", "max-tokens", "sft-epochs", "lr",
        "batch-size", "patience", "eval-interval", "dpo-epochs", "dpo-lr", "dpo-batch-size", "beta", "label-smoothing", "rpo-alpha", "dpo-loss",
        "threads", "eval-specs", "samples", "on-policy-specs", "on-policy-samples", "on-policy-repeats", "repair-tries", "temperature", "top-p", "top-k", "repetition-penalty", "no-repeat-ngram", "max-new-tokens", "enforce-fields",
        "benchmark",
    ];

    /// <summary>Everything a run needs, resolved from a preset and the overrides.</summary>
    /// <param name="Config">Preset name.</param>
    /// <param name="Dataset">Options of the generated dataset.</param>
    /// <param name="DataDirectory">Read the dataset from this folder instead of generating it.</param>
    /// <param name="Sft">SFT options (model shape included).</param>
    /// <param name="Dpo">DPO options.</param>
    /// <param name="Evaluation">Sampling and scoring settings of the evaluation.</param>
    /// <param name="EvalSpecs">How many specs of the benchmark to write and check stories for (400: all of the test set).</param>
    /// <param name="Samples">How many specs samples.md shows.</param>
    /// <param name="Threads">torch intra-op threads for the run (0 = leave torch's default).</param>
    /// <param name="OnPolicySpecs">How many probe specs (see <see cref="ProbeValues"/>) the SFT model writes stories for
    /// before DPO; each story that fails a check becomes an extra DPO pair (its rejected side). 0 = template pairs only.</param>
    /// <param name="OnPolicy">How those stories are written and repaired (see <see cref="OnPolicyPairs"/>).</param>
    /// <param name="OnPolicyRepeats">How many times each on-policy pair enters the DPO training set (its weight next to
    /// the template pairs).</param>
    /// <param name="Benchmark">The spec set evaluation writes for: <c>test</c>, the frozen held-out benchmark (the number
    /// to report), or <c>dev</c>, its disjoint twin for tuning decisions (see <see cref="BenchmarkSpecs"/>).</param>
    public sealed record Settings(string Config, DatasetOptions Dataset, string? DataDirectory, SftOptions Sft, DpoOptions Dpo,
        ModelEvaluationOptions Evaluation, int EvalSpecs, int Samples, int Threads, int OnPolicySpecs, OnPolicyOptions OnPolicy,
        int OnPolicyRepeats, string Benchmark = "test");

    /// <summary>
    /// The presets. <c>tiny</c>: a 1-layer, 32-wide model on a few dozen examples, for CI (seconds). <c>default</c>:
    /// the quality run, sized for about 6 minutes on 2 CPU cores (docs/experiments.md has how each choice was measured).
    /// A 128-wide, 4-layer model with field tokens in prompt and story (it never reads or spells a value), two SFT
    /// epochs (the dev benchmark passed every story after two), then DPO: sigmoid loss at β 0.1 with an NLL term on the
    /// chosen stories (RPO α 1), at a learning rate of 2e-5, on 128 template pairs dominated by hard kinds plus the SFT
    /// model's own failing stories on 96 probe specs (see <see cref="OnPolicyPairs"/>; with field tokens it rarely
    /// fails). Evaluation: the 400 specs of the frozen test benchmark, each checkpoint with and without field
    /// enforcement. Two torch threads: the app sets OMP_WAIT_POLICY=PASSIVE, so a busy machine no longer makes OpenMP
    /// spin.
    /// </summary>
    public static Settings Preset(string name) => name switch
    {
        "tiny" => new Settings("tiny",
            new DatasetOptions
            {
                SftTrainSize = 24, SftValidationSize = 8, SftTestSize = 8,
                PrefTrainSize = 14, PrefValidationSize = 7, PrefTestSize = 14, HeldOutSpecCount = 3,
                FreshValueShare = 0.5,
            },
            null,
            new SftOptions
            {
                Model = new GptConfig { DModel = 32, NHeads = 2, NLayers = 1, MlpRatio = 2, Dropout = 0, ContextLength = 384, TieEmbeddings = true },
                MaxTokens = 384, BatchSize = 8, MaxEpochs = 2, LearningRate = 3e-3, WarmupSteps = 2, EvalInterval = 0,
                EarlyStoppingPatience = 0, CheckpointInterval = 2,
            },
            new DpoOptions
            {
                MaxTokens = 384, BatchSize = 7, MaxEpochs = 1, LearningRate = 1e-3, WarmupSteps = 1, EvalInterval = 0,
                EarlyStoppingPatience = 0, CheckpointInterval = 1,
            },
            new ModelEvaluationOptions { Sampling = new SamplingOptions { MaxNewTokens = 40 }, MaxTokens = 384, BatchSize = 8 },
            EvalSpecs: 3, Samples: 2, Threads: 1, OnPolicySpecs: 4, new OnPolicyOptions { SamplesPerSource = 1, RepairTries = 1 },
            OnPolicyRepeats: 1),
        "default" => new Settings("default",
            new DatasetOptions
            {
                SftTrainSize = 3072, SftValidationSize = 64, SftTestSize = 64,
                PrefTrainSize = 128, PrefValidationSize = 64, PrefTestSize = 128, HeldOutSpecCount = 256,
                FreshValueShare = 0.5,
            },
            null,
            new SftOptions
            {
                Model = new SftOptions().Model, // the library's default shape is this run's
                MaxTokens = 384, BatchSize = 8, MaxEpochs = 2, LearningRate = 3e-3, WarmupSteps = 50, EvalInterval = 128,
                EarlyStoppingPatience = 3, CheckpointInterval = 128,
            },
            new DpoOptions
            {
                MaxTokens = 384, BatchSize = 8, MaxEpochs = 2, LearningRate = 2e-5, WarmupSteps = 10, EvalInterval = 24,
                EarlyStoppingPatience = 3, CheckpointInterval = 24, Beta = 0.1, RpoAlpha = 1.0,
            },
            new ModelEvaluationOptions { Sampling = new SamplingOptions(), MaxTokens = 384, BatchSize = 16 },
            EvalSpecs: 400, Samples: 5, Threads: 2, OnPolicySpecs: 96, new OnPolicyOptions { SamplesPerSource = 1, RepairTries = 1 },
            OnPolicyRepeats: 3),
        _ => throw new CliException($"--config must be 'tiny' or 'default', got '{name}'"),
    };

    /// <summary>Reads a run's settings: the preset, then every override.</summary>
    public static Settings ReadSettings(CliArgs a)
    {
        ArgumentNullException.ThrowIfNull(a);
        var p = Preset(a.String("config") ?? "default");
        int? seed = a.Int("seed");
        var dataset = DataCommand.ReadOptions(a, p.Dataset);
        var model = p.Sft.Model with
        {
            DModel = a.Int("d-model") ?? p.Sft.Model.DModel,
            NLayers = a.Int("layers") ?? p.Sft.Model.NLayers,
            NHeads = a.Int("heads") ?? p.Sft.Model.NHeads,
            Dropout = a.Double("dropout") ?? p.Sft.Model.Dropout,
            TieEmbeddings = a.Bool("tie-embeddings") ?? p.Sft.Model.TieEmbeddings,
            CopyHead = a.Bool("copy-head") ?? p.Sft.Model.CopyHead,
            UnseenTokenEmbedding = a.Bool("unseen-embedding") ?? p.Sft.Model.UnseenTokenEmbedding,
        };
        int maxTokens = a.Int("max-tokens") ?? p.Sft.MaxTokens;
        if (maxTokens > model.ContextLength) model = model with { ContextLength = maxTokens };
        var sft = p.Sft with
        {
            Model = model,
            MaxTokens = maxTokens,
            MaxEpochs = a.Int("sft-epochs") ?? p.Sft.MaxEpochs,
            UnseenTokenDropout = a.Double("unseen-dropout") ?? p.Sft.UnseenTokenDropout,
            FieldTokens = a.Bool("field-tokens") ?? p.Sft.FieldTokens,
            LearningRate = a.Double("lr") ?? p.Sft.LearningRate,
            BatchSize = a.Int("batch-size") ?? p.Sft.BatchSize,
            EarlyStoppingPatience = a.Int("patience") ?? p.Sft.EarlyStoppingPatience,
            EvalInterval = a.Int("eval-interval") ?? p.Sft.EvalInterval,
            Seed = seed ?? p.Sft.Seed,
        };
        var dpo = p.Dpo with
        {
            MaxTokens = maxTokens,
            MaxEpochs = a.Int("dpo-epochs") ?? p.Dpo.MaxEpochs,
            LearningRate = a.Double("dpo-lr") ?? p.Dpo.LearningRate,
            BatchSize = a.Int("dpo-batch-size") ?? p.Dpo.BatchSize,
            Beta = a.Double("beta") ?? p.Dpo.Beta,
            LabelSmoothing = a.Double("label-smoothing") ?? p.Dpo.LabelSmoothing,
            RpoAlpha = a.Double("rpo-alpha") ?? p.Dpo.RpoAlpha,
            LossType = a.String("dpo-loss") is { } loss ? ParseLossType(loss) : p.Dpo.LossType,
            Seed = seed ?? p.Dpo.Seed,
        };
        var sampling = GenerateCommand.ReadSampling(a, p.Evaluation.Sampling with { Seed = seed ?? p.Evaluation.Sampling.Seed }, readSeed: false);
        int threads = a.Int("threads") ?? p.Threads;
        // Stories are written one per thread, side by side (see ParallelPrompts): as many at once as training's threads.
        var evaluation = p.Evaluation with
        {
            Sampling = sampling, MaxTokens = maxTokens, Beta = dpo.Beta,
            Parallelism = threads > 0 ? threads : Environment.ProcessorCount,
        };
        try
        {
            model.Validate();
            sft.Validate();
            dpo.Validate();
            evaluation.Validate();
        }
        catch (ArgumentException e)
        {
            throw new CliException(e.Message);
        }
        int evalSpecs = a.Int("eval-specs") ?? p.EvalSpecs;
        int samples = a.Int("samples") ?? p.Samples;
        int onPolicy = a.Int("on-policy-specs") ?? p.OnPolicySpecs;
        if (onPolicy < 0) throw new CliException($"--on-policy-specs must not be negative, got {onPolicy}");
        int repeats = a.Int("on-policy-repeats") ?? p.OnPolicyRepeats;
        if (repeats < 1) throw new CliException($"--on-policy-repeats must be at least 1, got {repeats}");
        var mining = p.OnPolicy with
        {
            // Mining looks for the model's own failures, which field enforcement would hide from it.
            Sampling = evaluation.Sampling with { EnforceFields = false },
            SamplesPerSource = a.Int("on-policy-samples") ?? p.OnPolicy.SamplesPerSource,
            RepairTries = a.Int("repair-tries") ?? p.OnPolicy.RepairTries,
            KnownNames = evaluation.KnownNames,
            Parallelism = evaluation.Parallelism,
        };
        try
        {
            mining.Validate();
        }
        catch (ArgumentException e)
        {
            throw new CliException(e.Message.Replace("OnPolicyOptions.SamplesPerSource", "--on-policy-samples", StringComparison.Ordinal)
                .Replace("OnPolicyOptions.RepairTries", "--repair-tries", StringComparison.Ordinal));
        }
        if (evalSpecs < 1) throw new CliException($"--eval-specs must be at least 1, got {evalSpecs}");
        string benchmark = a.String("benchmark") ?? p.Benchmark;
        if (benchmark is not ("test" or "dev")) throw new CliException($"--benchmark takes test or dev, not '{benchmark}'");
        if (samples < 0) throw new CliException($"--samples must not be negative, got {samples}");
        if (threads < 0) throw new CliException($"--threads must not be negative, got {threads}");
        return new Settings(p.Config, dataset, a.String("data"), sft, dpo, evaluation, evalSpecs, samples, threads, onPolicy, mining, repeats, benchmark);
    }

    /// <summary>
    /// The SFT model writes stories for <see cref="Settings.OnPolicySpecs"/> probe specs (every field from
    /// <see cref="ProbeValues"/>, so every value is as new to it as a held-out spec's); the failing ones become DPO pairs,
    /// their chosen side repaired by the model itself (see <see cref="OnPolicyPairs"/>), saved in the run's data folder.
    /// A resumed run reads them back instead of mining again.
    /// </summary>
    private static (int Specs, IReadOnlyList<OnPolicyPair> Pairs) MineOnPolicyPairs(Settings s, StoryModel sftModel,
        string file, bool resume, RunProgress progress, CancellationToken ct)
    {
        if (s.OnPolicySpecs == 0) return (0, []);
        var rng = new Random(s.Dpo.Seed);
        var writer = new StoryWriter();
        var sources = new List<OnPolicySource>();
        foreach (var spec in ProbeValues.Pools.GenerateSpecs(s.OnPolicySpecs, s.Dpo.Seed))
        {
            // The reference story: the chosen side when a failing story cannot be repaired.
            if (writer.TryWriteChosen(spec, rng, out var chosen))
                sources.Add(new OnPolicySource($"probe-{sources.Count + 1:D4}", spec, chosen));
        }
        if (sources.Count == 0) return (0, []);
        if (resume && File.Exists(file)) return (sources.Count, OnPolicyPairs.ReadJsonl(file));

        int stories = sources.Count * s.OnPolicy.SamplesPerSource;
        progress.Stage("on-policy", "on-policy pairs", stories);
        var pairs = OnPolicyPairs.Mine(sftModel, sources, s.OnPolicy, new InlineProgress<int>(n =>
        {
            if (n <= stories) progress.Update("on-policy", n);
            else progress.Update("on-policy", stories, detail: $"repaired {n - stories}");
        }), ct);
        OnPolicyPairs.WriteJsonl(file, pairs);
        progress.Complete("on-policy", $"{pairs.Count} of {stories} stories failed a check, {pairs.Count(p => p.Repaired)} repaired");
        return (sources.Count, pairs);
    }

    private static DpoLossType ParseLossType(string name) => name switch
    {
        "sigmoid" => DpoLossType.Sigmoid,
        "robust" => DpoLossType.Robust,
        "ipo" => DpoLossType.Ipo,
        "hinge" => DpoLossType.Hinge,
        _ => throw new CliException($"--dpo-loss must be sigmoid, robust, ipo or hinge, got '{name}'"),
    };

    /// <summary>Runs the command.</summary>
    public static int Run(CliArgs a, CancellationToken ct) => Run(a, ct, AnsiConsole.Console);

    /// <summary>Runs the command on <paramref name="console"/>; <paramref name="observer"/> sees every training log
    /// entry as it is made (tests use it to interrupt at a chosen step).</summary>
    public static int Run(CliArgs a, CancellationToken ct, IAnsiConsole console, Action<TrainingMetrics>? observer = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(console);
        var mode = a.Has("json") ? OutputMode.Json : a.Has("quiet") ? OutputMode.Quiet : OutputMode.Rich;
        bool keepCheckpoints = a.Has("keep-checkpoints");
        string? resumeValue = a.OptionalString("resume");
        bool resume = resumeValue is not null;
        string? outDir = a.String("out");

        List<KeyValuePair<string, string>> stored;
        Settings settings;
        if (resume)
        {
            outDir = resumeValue is { Length: > 0 } dir ? dir : outDir
                ?? throw new CliException("--resume needs the run folder: --resume DIR (or --out DIR --resume)");
            stored = ReadRunFile(outDir);
            var given = SettingNames.Where(a.Has).ToArray();
            if (given.Length > 0)
                throw new CliException($"a resumed run keeps the settings stored in {Path.Combine(outDir, RunFile)}; drop " +
                    string.Join(", ", given.Select(g => "--" + g)));
            a.ThrowIfUnknown();
            settings = ReadSettings(ToArgs(stored));
        }
        else
        {
            stored = [.. SettingNames.Select(n => (Name: n, Value: a.String(n))).Where(x => x.Value is not null).Select(x => new KeyValuePair<string, string>(x.Name, x.Value!))];
            settings = ReadSettings(a);
            a.ThrowIfUnknown();
            outDir ??= Path.Combine("runs", DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
            if (File.Exists(Path.Combine(outDir, RunFile)))
                throw new CliException($"{outDir} already holds a run; continue it with --resume {outDir}, or choose another --out");
            Directory.CreateDirectory(outDir);
            WriteRunFile(outDir, stored);
        }

        if (resume && File.Exists(Path.Combine(outDir, RunMetrics.FileName)) && !Directory.Exists(Path.Combine(outDir, CheckpointFolder)))
        {
            console.MarkupLine(Markup.Escape($"{outDir} is already complete (see {Path.Combine(outDir, RunMetrics.FileName)})."));
            return 0;
        }

        try
        {
            var run = RunProgress.Run(mode, console, p => Execute(settings, stored, outDir, resume, p, observer, ct));
            if (!keepCheckpoints && Directory.Exists(Path.Combine(outDir, CheckpointFolder)))
                Directory.Delete(Path.Combine(outDir, CheckpointFolder), recursive: true);
            Finish(mode, console, outDir, run);
            return 0;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            string message = $"interrupted: checkpoint saved in {Path.Combine(outDir, CheckpointFolder)}; continue with: horroralign train --resume {outDir}";
            if (mode == OutputMode.Json) console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(new { @event = "interrupted", @out = outDir }));
            else Console.Error.WriteLine(message);
            return InterruptedExitCode;
        }
        catch (TrainingDivergedException e)
        {
            Console.Error.WriteLine($"error: training diverged: {e.Message} (lower --lr / --dpo-lr, or check the data)");
            return 1;
        }
    }

    /// <summary>The pipeline proper: data → SFT → DPO → evaluation of both checkpoints → artefacts.</summary>
    private static TrainRunRecord Execute(Settings s, IReadOnlyList<KeyValuePair<string, string>> stored, string outDir, bool resume,
        RunProgress progress, Action<TrainingMetrics>? observer, CancellationToken ct)
    {
        var total = Stopwatch.StartNew();
        var seconds = new List<KeyValuePair<string, double>>();
        var clock = Stopwatch.StartNew();
        void Lap(string phase)
        {
            seconds.Add(new(phase, clock.Elapsed.TotalSeconds));
            clock.Restart();
        }

        // Data: a resumed run reads back exactly what it trained on.
        string dataDir = Path.Combine(outDir, DataFolder);
        progress.Stage("data", "data", 1);
        Dataset data;
        string source;
        if (resume && File.Exists(Path.Combine(dataDir, Dataset.SftTrainFile))) (data, source) = (Dataset.ReadFrom(dataDir), ReadSource(outDir));
        else if (s.DataDirectory is not null) (data, source) = (Dataset.ReadFrom(s.DataDirectory), Path.GetFullPath(s.DataDirectory));
        else (data, source) = (Dataset.Generate(s.Dataset), "generated");
        if (!resume || !File.Exists(Path.Combine(dataDir, Dataset.SftTrainFile)))
        {
            data.WriteTo(dataDir);
            data.WriteStats(dataDir, t => Gpt2Tokenizer.Shared.Encode(t).Length);
            AtomicFile.WriteAllText(Path.Combine(dataDir, "source.txt"), source + "\n");
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
        progress.Complete("data", $"{data.SftTrain.Count} SFT / {data.PrefTrain.Count} pairs ({source}){fields}");
        Lap("data");

        // Specs no training or tuning decision has seen (test), or their tuning twin (dev): never the data's own pools.
        var (evalSpecs, evalSpecsSource) = s.Benchmark == "dev"
            ? (BenchmarkSpecs.DevSpecs(s.EvalSpecs), "benchmark_dev")
            : (BenchmarkSpecs.TestSpecs(s.EvalSpecs), "benchmark_test");
        StorySpecFile.Write(Path.Combine(outDir, EvaluationSpecsFile), evalSpecs);
        string checkpoints = Path.Combine(outDir, CheckpointFolder);

        using var threads = TorchThreads.Use(s.Threads);
        // SFT. Without field tokens, extra vocabulary text gives the project's own pool values ids (the model spells
        // them); the evaluation's specs get none, as a user's spec would not.
        var sftOptions = s.Sft with
        {
            CheckpointDirectory = checkpoints,
            ResumeFromCheckpoint = resume,
            ExtraVocabularyText = s.Sft.FieldTokens ? [] : [.. ValuePools.AllValues, .. ProbeValues.Pools.Values],
        };
        progress.Stage("sft", "SFT", 1);
        var sftResult = StoryTraining.RunSft(
            [.. data.SftTrain.Select(e => new SftSample(e.Prompt, e.Response))],
            [.. data.SftValidation.Select(e => new SftSample(e.Prompt, e.Response))],
            sftOptions, initial: null, Observer("sft", progress, observer), ct);
        progress.Complete("sft", sftResult.Message);
        Lap("sft");

        using var sftModel = sftResult.Model;
        var onPolicy = MineOnPolicyPairs(s, sftModel, Path.Combine(dataDir, OnPolicyFile), resume, progress, ct);
        Lap("on_policy");

        progress.Stage("dpo", "DPO", 1);
        var dpoResult = StoryTraining.RunDpo(sftModel,
            [.. data.PrefTrain.Select(p => new PreferenceSample(p.Prompt, p.Chosen, p.Rejected)),
             .. Enumerable.Repeat(onPolicy.Pairs, s.OnPolicyRepeats).SelectMany(pairs => pairs.Select(p => p.ToSample()))],
            [.. data.PrefValidation.Select(p => new PreferenceSample(p.Prompt, p.Chosen, p.Rejected))],
            s.Dpo with { CheckpointDirectory = checkpoints, ResumeFromCheckpoint = resume }, Observer("dpo", progress, observer), ct);
        using var dpoModel = dpoResult.Model;
        progress.Complete("dpo", dpoResult.Message);
        Lap("dpo");

        // Both checkpoints on the same specs, pairs and examples; DPO rewards are relative to the SFT model.
        ModelEvaluationReport Evaluate(string key, string title, StoryModel model, StoryModel? reference)
        {
            progress.Stage(key, title, evalSpecs.Count);
            var report = ModelEvaluator.Evaluate(model, evalSpecs, data.PrefTest, data.SftTest, s.Evaluation, reference,
                new InlineProgress<EvaluationProgress>(e => progress.Evaluation(key, e)), ct);
            progress.Complete(key, $"all checks {EvaluationTable.Percent(report.Constraints?.AllPassedRate) ?? "n/a"}");
            return report;
        }
        var sftEval = Evaluate("eval-sft", "evaluate SFT", sftModel, null);
        var dpoEval = Evaluate("eval-dpo", "evaluate DPO", dpoModel, sftModel);
        // Decoding enforces the fields by default: the same specs sampled without it show what the model itself learned.
        ConstraintReport? Alone(string key, string title, StoryModel model)
        {
            if (!model.Vocabulary.HasFieldTokens || !s.Evaluation.Sampling.EnforceFields) return null;
            progress.Stage(key, title, evalSpecs.Count);
            var options = s.Evaluation with { Sampling = s.Evaluation.Sampling with { EnforceFields = false } };
            var report = ModelEvaluator.Evaluate(model, evalSpecs, null, null, options, null,
                new InlineProgress<EvaluationProgress>(e => progress.Evaluation(key, e)), ct).Constraints;
            progress.Complete(key, $"all checks {EvaluationTable.Percent(report?.AllPassedRate) ?? "n/a"}");
            return report;
        }
        var alone = (Sft: Alone("alone-sft", "SFT, model alone", sftModel), Dpo: Alone("alone-dpo", "DPO, model alone", dpoModel));
        Lap("evaluation");

        progress.Stage("write", "artefacts", 7);
        ModelArchive.Save(dpoModel, Path.Combine(outDir, ModelFile), s.Evaluation.Sampling);
        ModelArchive.Save(sftModel, Path.Combine(outDir, SftModelFile), s.Evaluation.Sampling);
        progress.Update("write", 2);
        TrainingLogFile.Write(Path.Combine(outDir, TrainingLogFile.FileName), sftResult.History.Concat(dpoResult.History));
        seconds.Add(new("artefacts", clock.Elapsed.TotalSeconds)); // written before the plots, so metrics.json can hold it
        seconds.Add(new("total", total.Elapsed.TotalSeconds));
        var run = new TrainRunRecord(s.Config, stored, data, source, evalSpecsSource, sftModel.Config,
            sftModel.Model.ParameterCount(), sftResult, dpoResult, sftEval, dpoEval, seconds, TorchSharp.torch.get_num_threads(),
            (onPolicy.Specs, onPolicy.Pairs.Count, onPolicy.Pairs.Count(p => p.Repaired)), alone);
        RunMetrics.Write(Path.Combine(outDir, RunMetrics.FileName), run);
        progress.Update("write", 4);
        CurvesPlot.Save(Path.Combine(outDir, CurvesPlot.FileName), sftResult.History, dpoResult.History);
        SummaryPlot.Save(Path.Combine(outDir, SummaryPlot.FileName), RunMetrics.Facts(run), sftEval, dpoEval);
        progress.Update("write", 6);
        if (sftEval.Constraints is { } sc && dpoEval.Constraints is { } dc)
            SamplesMarkdown.Write(Path.Combine(outDir, SamplesMarkdown.FileName), [("SFT", sc), ("DPO", dc)], s.Samples);
        progress.Complete("write", outDir);
        return run;
    }

    private static void Finish(OutputMode mode, IAnsiConsole console, string outDir, TrainRunRecord r)
    {
        var dpo = r.DpoEvaluation;
        var sft = r.SftEvaluation;
        switch (mode)
        {
            case OutputMode.Rich:
                console.Write(EvaluationTable.Build([("SFT", sft), ("DPO", dpo)]));
                console.MarkupLine(Markup.Escape($"run folder: {Path.GetFullPath(outDir)} ({ModelFile}, {RunMetrics.FileName}, {CurvesPlot.FileName}, " +
                    $"{SummaryPlot.FileName}, {SamplesMarkdown.FileName}, {TrainingLogFile.FileName}, {DataFolder}/)"));
                break;
            case OutputMode.Quiet:
                console.Profile.Out.Writer.WriteLine($"run complete: {outDir}");
                break;
            case OutputMode.Json:
                var line = new Dictionary<string, object?>
                {
                    ["event"] = "done",
                    ["out"] = outDir,
                    ["all_checks_pass_rate"] = new { sft = sft.Constraints?.AllPassedRate, dpo = dpo.Constraints?.AllPassedRate },
                    ["hard_pair_policy_accuracy"] = new { sft = sft.Preferences?.Hard?.PolicyAccuracy, dpo = dpo.Preferences?.Hard?.PolicyAccuracy },
                    ["hard_pair_reward_accuracy"] = dpo.Preferences?.Hard?.RewardAccuracy,
                    ["sft_test_loss"] = new { sft = sft.SftLoss?.Loss, dpo = dpo.SftLoss?.Loss },
                };
                console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(line, new JsonSerializerOptions(ModelEvaluationReport.JsonOptions) { WriteIndented = false }));
                break;
        }
    }

    private static IProgress<TrainingMetrics> Observer(string stage, RunProgress progress, Action<TrainingMetrics>? observer) =>
        new InlineProgress<TrainingMetrics>(m =>
        {
            progress.Training(stage, m);
            observer?.Invoke(m);
        });

    private static string ReadSource(string outDir)
    {
        string path = Path.Combine(outDir, DataFolder, "source.txt");
        return File.Exists(path) ? File.ReadAllText(path).Trim() : "generated";
    }

    private static void WriteRunFile(string outDir, IReadOnlyList<KeyValuePair<string, string>> settings)
    {
        var o = new System.Text.Json.Nodes.JsonObject();
        foreach (var (k, v) in settings) o[k] = v;
        AtomicFile.WriteAllText(Path.Combine(outDir, RunFile),
            new System.Text.Json.Nodes.JsonObject { ["settings"] = o }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    private static List<KeyValuePair<string, string>> ReadRunFile(string outDir)
    {
        string path = Path.Combine(outDir, RunFile);
        if (!File.Exists(path)) throw new CliException($"{outDir} is not a run folder (no {RunFile}); nothing to resume");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var list = new List<KeyValuePair<string, string>>();
            foreach (var p in doc.RootElement.GetProperty("settings").EnumerateObject())
            {
                if (Array.IndexOf(SettingNames, p.Name) < 0) throw new InvalidDataException($"{path}: unknown setting '{p.Name}'");
                list.Add(new(p.Name, p.Value.GetString() ?? throw new InvalidDataException($"{path}: setting '{p.Name}' must be a string")));
            }
            return list;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path} is not a valid run settings file: {e.Message}", e);
        }
    }

    private static CliArgs ToArgs(IEnumerable<KeyValuePair<string, string>> settings) =>
        new(["train", .. settings.SelectMany(kv => new[] { "--" + kv.Key, kv.Value })]);
}
