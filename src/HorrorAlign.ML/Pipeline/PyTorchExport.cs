using System.Text.Json;
using System.Text.Json.Nodes;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Tokenization;
using HorrorAlign.ML.Training;

namespace HorrorAlign.ML.Pipeline;

/// <summary>
/// The way onto PyTorch's own distributed training (the <c>python/</c> package, under <c>torchrun</c>): everything a run
/// of <see cref="AlignmentPipeline"/> would start from, written for PyTorch instead of trained here.
/// <list type="bullet">
/// <item><c>model.safetensors</c> + <c>config.json</c>: the starting weights (fresh from the seed, or the base), see
/// <see cref="PyTorchCheckpoint"/>;</item>
/// <item><c>sft_train.jsonl</c>, <c>sft_val.jsonl</c>: <c>{"ids": [...], "loss_start": n}</c>, prompt then response
/// then end-of-text in model ids, the loss on ids from <c>loss_start</c> on;</item>
/// <item><c>dpo_train.jsonl</c>, <c>dpo_val.jsonl</c>: <c>{"chosen": {…}, "rejected": {…}}</c> of the same form;</item>
/// <item><c>train_options.json</c>: SFT's and DPO's schedules and losses in snake_case;</item>
/// <item><c>data/</c>: the text rows, as a run folder has them.</item>
/// </list>
/// On-policy pairs are not exported: they need the SFT model, which is what the export hands over.
/// </summary>
public static class PyTorchExport
{
    /// <summary>The starting weights.</summary>
    public const string ModelFile = "model.safetensors";
    /// <summary>The schedules and losses.</summary>
    public const string OptionsFile = "train_options.json";

    // The training rows in model ids, as the python/ package reads them.
    private const string SftTrainFile = "sft_train.jsonl", SftValidationFile = "sft_val.jsonl", DpoTrainFile = "dpo_train.jsonl", DpoValidationFile = "dpo_val.jsonl";

    /// <summary>Everything <see cref="Write"/> writes into <paramref name="dir"/> (its data folder as a run's): a caller
    /// refuses inputs among it.</summary>
    internal static FolderWrites Writes(string dir)
    {
        string data = Path.Combine(dir, AlignmentPipeline.DataFolder);
        string[] files = [ModelFile, ModelDescription.FileName, SftTrainFile, SftValidationFile, DpoTrainFile, DpoValidationFile, OptionsFile];
        return new FolderWrites([.. files.Select(f => Path.Combine(dir, f)), .. AlignmentPipeline.DataFiles(data)], [dir, data], []);
    }

    /// <summary>Writes the export of <paramref name="options"/> into <paramref name="dir"/>.</summary>
    public static void Write(RunOptions options, string dir, IProgress<PipelineProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(dir);
        options.Validate();
        var s = options.Resolved();
        Directory.CreateDirectory(dir);
        var (data, _) = AlignmentPipeline.PrepareData(s, dir, resume: false, new AlignmentPipeline.Reporter(progress));

        var sft = AlignmentPipeline.SftOptions(s);
        using var model = s.BaseModel is null
            ? StoryTraining.FreshModel(sft, StoryTraining.FreshVocabulary(data.SftTrain, data.SftValidation, sft))
            : ModelArchive.LoadBase(s.BaseModel, sft.FieldTokens);
        PyTorchCheckpoint.Save(model, Path.Combine(dir, ModelFile));
        // The description is in the weights' metadata too; beside them it is readable without a safetensors reader.
        AtomicFile.WriteAllText(Path.Combine(dir, ModelDescription.FileName), ModelDescription.Of(model.Config, model.Vocabulary).ToJson());

        var encoder = new CompletionEncoder(model.Vocabulary, sft.MaxTokens);
        WriteExamples(Path.Combine(dir, SftTrainFile), data.SftTrain.Select(encoder.Encode));
        WriteExamples(Path.Combine(dir, SftValidationFile), data.SftValidation.Select(encoder.Encode));
        WritePairs(Path.Combine(dir, DpoTrainFile), data.PrefTrain.Select(encoder.EncodePair));
        WritePairs(Path.Combine(dir, DpoValidationFile), data.PrefValidation.Select(encoder.EncodePair));

        AtomicFile.WriteAllText(Path.Combine(dir, OptionsFile), new JsonObject
        {
            ["sft"] = Schedule(sft),
            ["dpo"] = Schedule(s.Dpo, new JsonObject
            {
                ["beta"] = s.Dpo.Beta,
                ["label_smoothing"] = s.Dpo.LabelSmoothing,
                ["loss_type"] = s.Dpo.LossType.ToString().ToLowerInvariant(),
                ["rpo_alpha"] = s.Dpo.RpoAlpha,
            }),
        }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    private static JsonObject Schedule(TrainingOptions o, JsonObject? extra = null)
    {
        var node = new JsonObject
        {
            ["learning_rate"] = o.LearningRate, ["batch_size"] = o.BatchSize * o.GradientAccumulationSteps, ["max_epochs"] = o.MaxEpochs,
            ["max_steps"] = o.MaxSteps, ["warmup_steps"] = o.WarmupSteps, ["min_learning_rate_ratio"] = o.MinLearningRateRatio,
            ["weight_decay"] = o.WeightDecay, ["adam_beta1"] = o.AdamBeta1, ["adam_beta2"] = o.AdamBeta2, ["adam_epsilon"] = o.AdamEpsilon,
            ["max_grad_norm"] = o.MaxGradNorm, ["seed"] = o.Seed,
        };
        foreach (var (key, value) in extra ?? []) node[key] = value?.DeepClone();
        return node;
    }

    private static void WriteExamples(string path, IEnumerable<EncodedExample> rows) =>
        Jsonl.Write(path, rows, static (w, e) =>
        {
            w.WriteStartObject();
            WriteExample(w, e);
            w.WriteEndObject();
        });

    private static void WritePairs(string path, IEnumerable<EncodedPair> rows) =>
        Jsonl.Write(path, rows, static (w, p) =>
        {
            w.WriteStartObject();
            w.WriteStartObject("chosen");
            WriteExample(w, p.Chosen);
            w.WriteEndObject();
            w.WriteStartObject("rejected");
            WriteExample(w, p.Rejected);
            w.WriteEndObject();
            w.WriteEndObject();
        });

    private static void WriteExample(Utf8JsonWriter w, EncodedExample e)
    {
        w.WriteStartArray("ids");
        foreach (int id in e.Ids) w.WriteNumberValue(id);
        w.WriteEndArray();
        w.WriteNumber("loss_start", e.LossStart);
    }
}
