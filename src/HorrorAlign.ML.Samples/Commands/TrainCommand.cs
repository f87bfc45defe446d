using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Pipeline;
using HorrorAlign.ML.Samples.Cli;
using HorrorAlign.ML.Samples.Reporting;
using HorrorAlign.ML.Training;
using Spectre.Console;

namespace HorrorAlign.ML.Samples.Commands;

/// <summary>
/// <c>horroralign train [--config tiny|default] [--out DIR] [--seed N] [overrides…]</c>: the library's
/// <see cref="AlignmentPipeline"/> with options from the command line, live progress, and the plots (curves.png,
/// summary.png) on top of the run folder the pipeline writes. Ctrl+C writes a checkpoint and <c>train --resume DIR</c>
/// continues with the options stored in the folder's run.json.
/// </summary>
public sealed class TrainCommand : Command
{
    private readonly Option<string> _config = CliOption.Create<string>("--config",
        "Preset: default (the quality run, about 3 minutes on 2 cores) or tiny (a one-layer model on a few dozen rows, seconds: poor stories).")
        .OneOf("default", "tiny");
    private readonly Option<string> _out = CliOption.Create<string>("--out", "Run folder (default runs/<timestamp>).", "DIR");
    private readonly Option<string> _resume = CliOption.Create<string>("--resume",
        "Continue the interrupted run in DIR (or in --out) with the options stored in its run.json.", "DIR");
    private readonly Option<int> _seed = CliOption.Create<int>("--seed", "Seed of everything: data, training, mining, sampling (default 42).", "N");
    private readonly RunOutputOptions _output = new();
    private readonly Option<string> _exportForPyTorch = CliOption.Create<string>("--export-for-pytorch",
        "Train nothing: write the starting weights, the tokenized data and the schedules to DIR for the python/ package under torchrun.", "DIR");
    private readonly RunOptionsBinder _run = new();
    private readonly DatasetOptionsBinder _data = new(bindsSeed: false);
    private readonly SamplingOptionsBinder _sampling = new(bindsSeed: false);

    /// <summary>Defines the command, writing to <paramref name="console"/>.</summary>
    public TrainCommand(CliConsole console)
        : base("train", "Data -> SFT -> on-policy pairs -> DPO -> evaluation of both checkpoints, into a run folder (model.zip, metrics.json, " +
            "plots, samples.md). Ctrl+C checkpoints; --resume DIR continues.")
    {
        _config.DefaultValueFactory = _ => "default";
        _resume.Arity = ArgumentArity.ZeroOrOne;
        foreach (var option in new Option[] { _config, _out, _resume, _seed }) Options.Add(option);
        _output.AddTo(this);
        Options.Add(_exportForPyTorch);
        _run.AddTo(this);
        _data.AddTo(this);
        _sampling.AddTo(this);
        this.SetGuardedAction(console, (result, ct) => Run(result, console, ct));
    }

    /// <summary>The run's options: the preset, the seed, then every flag given.</summary>
    public RunOptions ReadOptions(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var preset = RunOptions.FromPreset(result.GetValue(_config)!);
        if (result.GetResult(_seed) is { Implicit: false }) preset = preset.WithSeed(result.GetValue(_seed));
        var options = _run.Read(result, preset);
        return options with
        {
            Dataset = _data.Read(result, options.Dataset),
            Evaluation = options.Evaluation with { Sampling = _sampling.Read(result, options.Evaluation.Sampling) },
        };
    }

    private int Run(ParseResult result, CliConsole console, CancellationToken ct)
    {
        var mode = _output.Mode(result);
        bool keepCheckpoints = _output.KeepCheckpoints(result);
        if (result.GetValue(_exportForPyTorch) is { } exportDir)
        {
            if (result.GetResult(_resume) is not null) throw new CliException("--export-for-pytorch starts from the options given; it cannot --resume");
            var exported = ReadOptions(result);
            CheckInputs("--export-for-pytorch", exportDir, PyTorchExport.Writes(exportDir), exported);
            PyTorchExport.Write(exported, exportDir);
            console.Out.Profile.Out.Writer.WriteLine($"wrote the PyTorch export to {Path.GetFullPath(exportDir)} " +
                $"({PyTorchExport.ModelFile}, config.json, sft_*.jsonl, dpo_*.jsonl, {PyTorchExport.OptionsFile}); python/README.md has the torchrun commands");
            return ExitCode.Success;
        }
        bool resume = result.GetResult(_resume) is not null;
        string? outDir = result.GetValue(_out);
        RunOptions? options = null;
        if (resume)
        {
            outDir = result.GetValue(_resume) is { Length: > 0 } dir ? dir : outDir
                ?? throw new CliException("--resume needs the run folder: --resume DIR (or --out DIR --resume)");
            string[] given = [.. RunDefiningOptions().Where(o => result.GetResult(o) is { Implicit: false }).Select(o => o.Name)];
            if (given.Length > 0)
                throw new CliException($"a resumed run keeps the options stored in {Path.Combine(outDir, AlignmentPipeline.RunFile)}; drop {string.Join(", ", given)}");
            if (!File.Exists(Path.Combine(outDir, AlignmentPipeline.RunFile)))
                throw new CliException($"{outDir} is not a run folder (no {AlignmentPipeline.RunFile}); nothing to resume");
            if (AlignmentPipeline.IsComplete(outDir))
            {
                console.Out.MarkupLine(Markup.Escape($"{outDir} is already complete (see {Path.Combine(outDir, RunMetrics.FileName)})."));
                return ExitCode.Success;
            }
        }
        else
        {
            options = ReadOptions(result);
            outDir ??= Path.Combine("runs", DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
            if (File.Exists(Path.Combine(outDir, AlignmentPipeline.RunFile)))
                throw new CliException($"{outDir} already holds a run; continue it with --resume {outDir}, or choose another --out");
            CheckInputs("--out", outDir, AlignmentPipeline.Writes(outDir).With(Path.Combine(outDir, CurvesPlot.FileName), Path.Combine(outDir, SummaryPlot.FileName)), options);
        }

        try
        {
            using var run = RunProgress.Run(mode, console.Out, p =>
            {
                var progress = GlibcMalloc.Staged(p.Report, trainingStage: "sft");
                var finished = options is null
                    ? AlignmentPipeline.Resume(outDir, progress, keepCheckpoints, ct)
                    : AlignmentPipeline.Run(options, outDir, progress, keepCheckpoints, ct);
                p.Stage("plots", "plots", 2);
                CurvesPlot.Save(Path.Combine(outDir, CurvesPlot.FileName), finished.Sft.History, finished.Dpo.History);
                SummaryPlot.Save(Path.Combine(outDir, SummaryPlot.FileName), SummaryPlot.Facts(finished), finished.SftEvaluation, finished.DpoEvaluation);
                p.Complete("plots", $"{CurvesPlot.FileName}, {SummaryPlot.FileName}");
                return finished;
            });
            Finish(mode, console.Out, outDir, run);
            return ExitCode.Success;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            if (mode == OutputMode.Json) console.Out.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(new { @event = "interrupted", @out = outDir }));
            console.Error.WriteLine($"interrupted: checkpoint saved in {Path.Combine(outDir, AlignmentPipeline.CheckpointFolder)}; " +
                $"continue with: horroralign train --resume {outDir}");
            return ExitCode.Interrupted;
        }
        catch (TrainingDivergedException e)
        {
            console.Error.WriteLine($"error: training diverged: {e.Message} (lower --lr / --dpo-lr, or check the data)");
            return ExitCode.Failure;
        }
    }

    /// <summary>The run's inputs (--data, --base) must not be among what it writes into <paramref name="outDir"/>.</summary>
    private static void CheckInputs(string outFlag, string outDir, FolderWrites writes, RunOptions options) =>
        OutputTarget.CheckFolder(outFlag, outDir, writes, ("--data", options.DataDirectory), ("--base", options.BaseModel));

    /// <summary>The flags that define a run (stored in run.json), as opposed to display flags.</summary>
    private IEnumerable<Option> RunDefiningOptions() =>
        new Option[] { _config, _seed }.Concat(_run.Options).Concat(_data.Options).Concat(_sampling.Options);

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
