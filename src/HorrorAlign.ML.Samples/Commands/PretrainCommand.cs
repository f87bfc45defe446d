using System.CommandLine;
using System.Globalization;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Pipeline;
using HorrorAlign.ML.Samples.Cli;
using HorrorAlign.ML.Samples.Reporting;
using HorrorAlign.ML.Training;
using Spectre.Console;

namespace HorrorAlign.ML.Samples.Commands;

/// <summary>
/// <c>horroralign pretrain --text FILE|DIR [--out DIR] [flags…]</c>: the library's <see cref="PretrainPipeline"/> with live
/// progress, as the original pretrains its base on TinyStories; the folder's model.zip is a base for
/// <c>train --base</c>. Ctrl+C checkpoints and <c>pretrain --resume DIR</c> continues.
/// </summary>
public sealed class PretrainCommand : Command
{
    private readonly Option<string> _text = CliOption.Create<string>("--text",
        "The corpus: a .txt file (one document per line), a .jsonl file (a \"text\" field per line), or a folder of them.", "FILE|DIR");
    private readonly Option<string> _out = CliOption.Create<string>("--out", "Output folder (default runs/pretrain-<timestamp>).", "DIR");
    private readonly Option<string> _resume = CliOption.Create<string>("--resume", "Continue the interrupted pretraining in DIR with its stored options.", "DIR");
    private readonly RunOutputOptions _output = new();
    private readonly PretrainOptionsBinder _options = new();

    /// <summary>Defines the command, writing to <paramref name="console"/>.</summary>
    public PretrainCommand(CliConsole console)
        : base("pretrain", "Pretrain a base model on plain text (TinyStories or your own), for train --base. Ctrl+C checkpoints; --resume DIR continues.")
    {
        foreach (var option in new Option[] { _text, _out, _resume }) Options.Add(option);
        _output.AddTo(this);
        _options.AddTo(this);
        Validators.Add(result =>
        {
            bool text = result.GetResult(_text) is not null, resume = result.GetResult(_resume) is not null;
            if (text == resume) result.AddError("pretrain needs either --text FILE|DIR (a new run) or --resume DIR (continue one)");
        });
        this.SetGuardedAction(console, (result, ct) => Run(result, console, ct));
    }

    private int Run(ParseResult result, CliConsole console, CancellationToken ct)
    {
        var mode = _output.Mode(result);
        string? resume = result.GetValue(_resume);
        string? corpus = result.GetValue(_text);
        if (resume is not null && _options.Options.Any(o => result.GetResult(o) is { Implicit: false }))
            throw new CliException($"a resumed pretraining keeps the options stored in {Path.Combine(resume, PretrainPipeline.OptionsFile)}; drop the model and schedule flags");
        var options = resume is null ? _options.Read(result, new PretrainOptions()) : null;
        string outDir = resume ?? result.GetValue(_out) ?? Path.Combine("runs", "pretrain-" + DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        if (resume is null && File.Exists(Path.Combine(outDir, PretrainPipeline.OptionsFile)))
            throw new CliException($"{outDir} already holds a pretraining; continue it with --resume {outDir}, or choose another --out");
        if (resume is null) OutputTarget.CheckFolder("--out", outDir, PretrainPipeline.Writes(outDir), ("--text", corpus));
        bool keep = _output.KeepCheckpoints(result);
        try
        {
            using var trained = RunProgress.Run(mode, console.Out, p =>
            {
                var progress = GlibcMalloc.Staged(p.Report, trainingStage: "pretrain");
                return resume is null
                    ? PretrainPipeline.Run(corpus!, options!, outDir, progress, keep, ct).Model
                    : PretrainPipeline.Resume(outDir, progress, keep, ct).Model;
            });
            string model = Path.Combine(outDir, PretrainPipeline.ModelFile);
            if (mode == OutputMode.Quiet) console.Out.Profile.Out.Writer.WriteLine($"pretraining complete: {model}");
            else console.Out.MarkupLine(Markup.Escape($"base model: {Path.GetFullPath(model)} (use it with: horroralign train --base {model})"));
            return ExitCode.Success;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            console.Error.WriteLine($"interrupted: checkpoint saved in {Path.Combine(outDir, PretrainPipeline.CheckpointFolder)}; " +
                $"continue with: horroralign pretrain --resume {outDir}");
            return ExitCode.Interrupted;
        }
        catch (TrainingDivergedException e)
        {
            console.Error.WriteLine($"error: pretraining diverged: {e.Message} (lower --lr)");
            return ExitCode.Failure;
        }
    }
}
