using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using HorrorAlign.ML.Data;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Tokenization;
using HorrorAlign.ML.Training;

namespace HorrorAlign.ML.Pipeline;

/// <summary>
/// The original's first stage: pretrain a base model on plain text (TinyStories, or a user's own), for
/// <c>train --base</c>. Writes into one folder: <c>options.json</c> (what was asked, read back by <see cref="Resume"/>),
/// <c>tokens.bin</c> (the tokenized corpus, see <see cref="TokenFile"/>), <c>model.zip</c>, <c>training_log.jsonl</c>
/// and <c>metrics.json</c>; checkpoints while it runs.
/// </summary>
public static class PretrainPipeline
{
    /// <summary>The base model, an ML.NET zip (a <see cref="RunOptions.BaseModel"/>).</summary>
    public const string ModelFile = "model.zip";
    /// <summary>The corpus path and the options, as given.</summary>
    public const string OptionsFile = "options.json";
    /// <summary>The tokenized corpus.</summary>
    public const string TokensFile = "tokens.bin";
    /// <summary>Checkpoints while the run is unfinished.</summary>
    public const string CheckpointFolder = "checkpoints";

    /// <summary>Everything <see cref="Run"/> writes into <paramref name="outDir"/>: a caller refuses inputs among it.</summary>
    internal static FolderWrites Writes(string outDir)
    {
        string checkpoints = Path.Combine(outDir, CheckpointFolder);
        string[] files = [OptionsFile, TokensFile, ModelFile, TrainingLogFile.FileName, RunMetrics.FileName];
        return new FolderWrites([.. files.Select(f => Path.Combine(outDir, f))], [outDir, checkpoints], [checkpoints]);
    }

    private static readonly JsonSerializerOptions s_json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    /// <summary>Pretrains on <paramref name="corpus"/> (a .txt or .jsonl file or a folder of them) into
    /// <paramref name="outDir"/>. The caller owns the result's model.</summary>
    /// <exception cref="OperationCanceledException">Cancelled; a checkpoint is written first, and <see cref="Resume"/> continues.</exception>
    public static TrainingResult Run(string corpus, PretrainOptions options, string outDir, IProgress<PipelineProgress>? progress = null,
        bool keepCheckpoints = false, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(corpus);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(outDir);
        options.Validate();
        var text = TextCorpus.Open(corpus);
        Directory.CreateDirectory(outDir);
        AtomicFile.WriteAllText(Path.Combine(outDir, OptionsFile), new JsonObject
        {
            ["corpus"] = Path.GetFullPath(corpus),
            ["options"] = JsonSerializer.SerializeToNode(options, s_json),
        }.ToJsonString(s_json) + "\n");
        return RunRecord.RemovedIfFailedBeforeTraining(Path.Combine(outDir, OptionsFile), Path.Combine(outDir, CheckpointFolder),
            () => Execute(text, options, outDir, resume: false, progress, keepCheckpoints, ct));
    }

    /// <summary>Continues an interrupted <see cref="Run"/> in <paramref name="outDir"/>, with its stored options.</summary>
    public static TrainingResult Resume(string outDir, IProgress<PipelineProgress>? progress = null, bool keepCheckpoints = false,
        CancellationToken ct = default)
    {
        string file = Path.Combine(outDir, OptionsFile);
        if (!File.Exists(file)) throw new FileNotFoundException($"{outDir} is not a pretraining folder (no {OptionsFile}).", file);
        JsonNode? stored;
        try { stored = JsonNode.Parse(File.ReadAllText(file)); }
        catch (JsonException e) { throw new InvalidDataException($"{file}: not JSON ({e.Message})", e); }
        string corpus = stored?["corpus"]?.GetValue<string>() ?? throw new InvalidDataException($"{file}: no 'corpus'.");
        var options = stored["options"].Deserialize<PretrainOptions>(s_json) ?? throw new InvalidDataException($"{file}: no 'options'.");
        return Execute(TextCorpus.Open(corpus), options, outDir, resume: true, progress, keepCheckpoints, ct);
    }

    private static TrainingResult Execute(TextCorpus corpus, PretrainOptions options, string outDir, bool resume,
        IProgress<PipelineProgress>? progress, bool keepCheckpoints, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        string tokensPath = Path.Combine(outDir, TokensFile);
        progress?.Report(new(PipelineProgressKind.Started, "tokenize", "tokenize", 0, 0));
        using var tokens = resume && File.Exists(tokensPath)
            ? TokenFile.Open(tokensPath)
            : TokenFile.Build(corpus, tokensPath, new InlineProgress<long>(n =>
                progress?.Report(new(PipelineProgressKind.Advanced, "tokenize", Done: (int)Math.Min(n, int.MaxValue), Detail: $"{n:N0} documents"))), ct);
        progress?.Report(new(PipelineProgressKind.Completed, "tokenize", Detail: $"{tokens.Documents:N0} documents, {tokens.Count:N0} tokens"));
        double tokenizeSeconds = clock.Elapsed.TotalSeconds;

        string checkpoints = Path.Combine(outDir, CheckpointFolder);
        progress?.Report(new(PipelineProgressKind.Started, "pretrain", "pretrain", 0, 1));
        var result = StoryTraining.RunPretrain(tokens, options with { CheckpointDirectory = checkpoints, ResumeFromCheckpoint = resume },
            new InlineProgress<TrainingMetrics>(m => progress?.Report(new(PipelineProgressKind.Training, "pretrain", Done: m.Step, Total: m.TotalSteps) { Metrics = m })), ct);
        try
        {
            progress?.Report(new(PipelineProgressKind.Completed, "pretrain", Detail: result.Message));
            ModelArchive.Save(result.Model, Path.Combine(outDir, ModelFile));
            TrainingLogFile.Write(Path.Combine(outDir, TrainingLogFile.FileName), result.History);
            var c = result.Model.Config;
            AtomicFile.WriteAllText(Path.Combine(outDir, RunMetrics.FileName), new JsonObject
            {
                ["corpus"] = corpus.Path,
                ["documents"] = tokens.Documents,
                ["tokens"] = tokens.Count,
                ["model"] = new JsonObject
                {
                    ["d_model"] = c.DModel, ["heads"] = c.NHeads, ["layers"] = c.NLayers, ["context"] = c.ContextLength,
                    ["vocabulary"] = c.VocabSize, ["parameters"] = result.Model.Model.ParameterCount(),
                },
                ["steps"] = result.Steps,
                ["stop_reason"] = result.StopReason.ToString(),
                ["best_eval_loss"] = result.BestEvalLoss,
                ["best_step"] = result.BestStep,
                ["seconds"] = new JsonObject { ["tokenize"] = Math.Round(tokenizeSeconds, 1), ["total"] = Math.Round(clock.Elapsed.TotalSeconds, 1) },
            }.ToJsonString(s_json) + "\n");
            if (!keepCheckpoints && Directory.Exists(checkpoints)) Directory.Delete(checkpoints, recursive: true);
            return result;
        }
        catch
        {
            result.Model.Dispose();
            throw;
        }
    }
}
