using System.Globalization;
using System.Text.Json;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.Losses;
using HorrorAlign.ML.Pipeline;
using HorrorAlign.ML.Samples.Cli;
using HorrorAlign.ML.Samples.Reporting;
using HorrorAlign.ML.Training;
using Spectre.Console;

namespace HorrorAlign.ML.Samples.Commands;

/// <summary>
/// <c>horroralign train [--out runs/NAME] [--seed N] [--config tiny|default] [overrides…]</c>: the library's
/// <see cref="AlignmentPipeline"/> with options from the command line, live progress, and the plots (curves.png,
/// summary.png) on top of the run folder the pipeline writes. Ctrl+C writes a checkpoint and <c>train --resume DIR</c>
/// continues with the options stored in the folder's run.json.
/// </summary>
public static class TrainCommand
{
    /// <summary>Exit code of an interrupted run (128 + SIGINT, as shells report Ctrl+C).</summary>
    public const int InterruptedExitCode = 130;

    /// <summary>The options that define a run (none may be given with <c>--resume</c>). Display options (--quiet, --json,
    /// --keep-checkpoints) are not part of a run.</summary>
    private static readonly string[] SettingNames =
    [
        "config", "data", "seed", "sft-train", "sft-val", "sft-test", "pref-train", "pref-val", "pref-test", "heldout-fraction", "fresh-share",
        "heldout-specs", "d-model", "layers", "heads", "dropout", "tie-embeddings", "copy-head", "field-tokens", "unseen-embedding", "unseen-dropout", "max-tokens", "sft-epochs", "lr",
        "batch-size", "patience", "eval-interval", "dpo-epochs", "dpo-lr", "dpo-batch-size", "beta", "label-smoothing", "rpo-alpha", "dpo-loss",
        "threads", "eval-specs", "samples", "on-policy-specs", "on-policy-samples", "on-policy-repeats", "repair-tries", "temperature", "top-p", "top-k", "repetition-penalty", "no-repeat-ngram", "max-new-tokens", "enforce-fields",
        "benchmark",
    ];

    /// <summary>Reads a run's options: the preset, then every override.</summary>
    public static RunOptions ReadOptions(CliArgs a)
    {
        ArgumentNullException.ThrowIfNull(a);
        string preset = a.String("config") ?? "default";
        if (preset is not ("tiny" or "default")) throw new CliException($"--config must be 'tiny' or 'default', got '{preset}'");
        var p = RunOptions.FromPreset(preset);
        if (a.Int("seed") is { } seed) p = p.WithSeed(seed);
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
        var sft = p.Sft with
        {
            Model = model,
            MaxTokens = a.Int("max-tokens") ?? p.Sft.MaxTokens,
            MaxEpochs = a.Int("sft-epochs") ?? p.Sft.MaxEpochs,
            UnseenTokenDropout = a.Double("unseen-dropout") ?? p.Sft.UnseenTokenDropout,
            FieldTokens = a.Bool("field-tokens") ?? p.Sft.FieldTokens,
            LearningRate = a.Double("lr") ?? p.Sft.LearningRate,
            BatchSize = a.Int("batch-size") ?? p.Sft.BatchSize,
            EarlyStoppingPatience = a.Int("patience") ?? p.Sft.EarlyStoppingPatience,
            EvalInterval = a.Int("eval-interval") ?? p.Sft.EvalInterval,
        };
        var dpo = p.Dpo with
        {
            MaxEpochs = a.Int("dpo-epochs") ?? p.Dpo.MaxEpochs,
            LearningRate = a.Double("dpo-lr") ?? p.Dpo.LearningRate,
            BatchSize = a.Int("dpo-batch-size") ?? p.Dpo.BatchSize,
            Beta = a.Double("beta") ?? p.Dpo.Beta,
            LabelSmoothing = a.Double("label-smoothing") ?? p.Dpo.LabelSmoothing,
            RpoAlpha = a.Double("rpo-alpha") ?? p.Dpo.RpoAlpha,
            LossType = a.String("dpo-loss") is { } loss ? ParseLossType(loss) : p.Dpo.LossType,
        };
        var onPolicy = p.OnPolicy with
        {
            Specs = a.Int("on-policy-specs") ?? p.OnPolicy.Specs,
            Repeats = a.Int("on-policy-repeats") ?? p.OnPolicy.Repeats,
            SamplesPerSource = a.Int("on-policy-samples") ?? p.OnPolicy.SamplesPerSource,
            RepairTries = a.Int("repair-tries") ?? p.OnPolicy.RepairTries,
        };
        string benchmark = a.String("benchmark") ?? p.Benchmark.ToString().ToLowerInvariant();
        if (benchmark is not ("test" or "dev")) throw new CliException($"--benchmark takes test or dev, not '{benchmark}'");
        var options = p with
        {
            Dataset = dataset,
            DataDirectory = a.String("data"),
            Sft = sft,
            Dpo = dpo,
            OnPolicy = onPolicy,
            Evaluation = p.Evaluation with { Sampling = GenerateCommand.ReadSampling(a, p.Evaluation.Sampling, readSeed: false) },
            Benchmark = benchmark == "dev" ? BenchmarkSet.Dev : BenchmarkSet.Test,
            EvalSpecs = a.Int("eval-specs") ?? p.EvalSpecs,
            Samples = a.Int("samples") ?? p.Samples,
            Threads = a.Int("threads") ?? p.Threads,
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new CliException(FlagNames.Aggregate(e.Message, (m, f) => m.Replace(f.Option, f.Flag, StringComparison.Ordinal)));
        }
        return options;
    }

    // Library option names in validation messages, as the flags that set them.
    private static readonly (string Option, string Flag)[] FlagNames =
    [
        ("OnPolicyOptions.SamplesPerSource", "--on-policy-samples"), ("OnPolicyOptions.RepairTries", "--repair-tries"),
        ("OnPolicyOptions.Specs", "--on-policy-specs"), ("OnPolicyOptions.Repeats", "--on-policy-repeats"),
        ("RunOptions.EvalSpecs", "--eval-specs"), ("RunOptions.Samples", "--samples"), ("RunOptions.Threads", "--threads"),
    ];

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

        RunOptions? options = null;
        if (resume)
        {
            outDir = resumeValue is { Length: > 0 } dir ? dir : outDir
                ?? throw new CliException("--resume needs the run folder: --resume DIR (or --out DIR --resume)");
            var given = SettingNames.Where(a.Has).ToArray();
            if (given.Length > 0)
                throw new CliException($"a resumed run keeps the options stored in {Path.Combine(outDir, AlignmentPipeline.RunFile)}; drop " +
                    string.Join(", ", given.Select(g => "--" + g)));
            a.ThrowIfUnknown();
            if (!File.Exists(Path.Combine(outDir, AlignmentPipeline.RunFile)))
                throw new CliException($"{outDir} is not a run folder (no {AlignmentPipeline.RunFile}); nothing to resume");
            if (AlignmentPipeline.IsComplete(outDir))
            {
                console.MarkupLine(Markup.Escape($"{outDir} is already complete (see {Path.Combine(outDir, RunMetrics.FileName)})."));
                return 0;
            }
        }
        else
        {
            options = ReadOptions(a);
            a.ThrowIfUnknown();
            outDir ??= Path.Combine("runs", DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
            if (File.Exists(Path.Combine(outDir, AlignmentPipeline.RunFile)))
                throw new CliException($"{outDir} already holds a run; continue it with --resume {outDir}, or choose another --out");
        }

        try
        {
            using var run = RunProgress.Run(mode, console, p =>
            {
                var progress = new InlineProgress<PipelineProgress>(e =>
                {
                    p.Report(e);
                    if (e.Metrics is { } m) observer?.Invoke(m);
                });
                var result = options is null
                    ? AlignmentPipeline.Resume(outDir, progress, keepCheckpoints, ct)
                    : AlignmentPipeline.Run(options, outDir, progress, keepCheckpoints, ct);
                p.Stage("plots", "plots", 2);
                CurvesPlot.Save(Path.Combine(outDir, CurvesPlot.FileName), result.Sft.History, result.Dpo.History);
                SummaryPlot.Save(Path.Combine(outDir, SummaryPlot.FileName), SummaryPlot.Facts(result), result.SftEvaluation, result.DpoEvaluation);
                p.Complete("plots", $"{CurvesPlot.FileName}, {SummaryPlot.FileName}");
                return result;
            });
            Finish(mode, console, outDir, run);
            return 0;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            string message = $"interrupted: checkpoint saved in {Path.Combine(outDir, AlignmentPipeline.CheckpointFolder)}; continue with: horroralign train --resume {outDir}";
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

    private static void Finish(OutputMode mode, IAnsiConsole console, string outDir, AlignmentRun r)
    {
        var dpo = r.DpoEvaluation;
        var sft = r.SftEvaluation;
        switch (mode)
        {
            case OutputMode.Rich:
                console.Write(EvaluationTable.Build([("SFT", sft), ("DPO", dpo)]));
                console.MarkupLine(Markup.Escape($"run folder: {Path.GetFullPath(outDir)} ({AlignmentPipeline.ModelFile}, {RunMetrics.FileName}, {CurvesPlot.FileName}, " +
                    $"{SummaryPlot.FileName}, {SamplesMarkdown.FileName}, {TrainingLogFile.FileName}, {AlignmentPipeline.DataFolder}/)"));
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

}
