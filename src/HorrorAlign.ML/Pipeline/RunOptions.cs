using System.Text.Json;
using System.Text.Json.Serialization;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Mining;
using HorrorAlign.ML.Data;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.Generation;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Synthesis;
using HorrorAlign.ML.Training;

namespace HorrorAlign.ML.Pipeline;

/// <summary>The spec set a run's stories are evaluated on (see <see cref="BenchmarkSpecs"/>).</summary>
public enum BenchmarkSet
{
    /// <summary>The frozen held-out benchmark: the number to report.</summary>
    Test,
    /// <summary>Its disjoint twin, for tuning decisions.</summary>
    Dev,
}

/// <summary>
/// Everything that defines a run of <see cref="AlignmentPipeline"/>: data, SFT, on-policy mining, DPO and evaluation.
/// <c>new RunOptions()</c> is <see cref="Default"/>; <see cref="Tiny"/> is the seconds-long CI shape. A run folder keeps
/// its options as <c>run.json</c> (<see cref="ToJson"/>), which <see cref="AlignmentPipeline.Resume"/> reads back.
/// </summary>
/// <remarks>
/// A few settings are derived, not stored twice: DPO and evaluation read the SFT <c>MaxTokens</c>; evaluation
/// reads DPO's β; mining samples as evaluation does but without field enforcement; stories are written
/// <see cref="Threads"/> at a time. <see cref="Resolved"/> applies them.
/// </remarks>
public sealed record RunOptions
{
    /// <summary>Preset name, for the record ("default", "tiny", or a caller's own).</summary>
    public string Preset { get; init; } = "default";

    /// <summary>The generated dataset (ignored when <see cref="DataDirectory"/> is set).</summary>
    public DatasetOptions Dataset { get; init; } = new();

    /// <summary>Read the dataset from this folder (the files <c>data</c> writes) instead of generating it. Default null.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>
    /// Start SFT from this model instead of a fresh one, as the original starts from its TinyStories base: a run's
    /// model.zip, a model file, a <c>horroralign pretrain</c> result, or a PyTorch <c>.pt</c>/<c>.safetensors</c>
    /// checkpoint (the original's <c>transformer_final.pt</c> included). Its shape and vocabulary replace
    /// <see cref="SftOptions.Model"/> and <see cref="SftOptions.Vocabulary"/>; with <see cref="SftOptions.FieldTokens"/> on,
    /// a base without field tokens gets them as new rows. Default null (from scratch).
    /// </summary>
    public string? BaseModel { get; init; }

    /// <summary>SFT: model shape, field tokens, schedule.</summary>
    public SftOptions Sft { get; init; } = new();

    /// <summary>On-policy mining between SFT and DPO (<see cref="OnPolicyOptions.Specs"/> 0 = off).</summary>
    public OnPolicyOptions OnPolicy { get; init; } = new();

    /// <summary>DPO from the SFT model.</summary>
    public DpoOptions Dpo { get; init; } = new();

    /// <summary>Sampling and scoring of the evaluation (and the sampling saved with the models).</summary>
    public ModelEvaluationOptions Evaluation { get; init; } = new();

    /// <summary>The spec set evaluation writes for. Default <see cref="BenchmarkSet.Test"/>.</summary>
    public BenchmarkSet Benchmark { get; init; } = BenchmarkSet.Test;

    /// <summary>How many specs of the benchmark each checkpoint writes a story for. Default 400 (all of the test set).</summary>
    public int EvalSpecs { get; init; } = 400;

    /// <summary>How many specs <c>samples.md</c> shows. Default 5.</summary>
    public int Samples { get; init; } = 5;

    /// <summary>torch intra-op threads for the run; 0 = torch's default. Default 2 (the machine this was sized on).</summary>
    public int Threads { get; init; } = 2;

    /// <summary>
    /// The quality run, sized for about 3 minutes on 2 CPU cores (docs/experiments.md has how each choice was measured):
    /// a 128-wide, 4-layer model with field tokens, two SFT epochs on 3,072 template stories, 96 probe specs mined for the
    /// SFT model's own failures, DPO (sigmoid, β 0.1, RPO α 1, learning rate 2e-5) on 128 template pairs plus those, and
    /// the 400 specs of the frozen test benchmark.
    /// </summary>
    public static RunOptions Default { get; } = new();

    /// <summary>A 1-layer, 32-wide model on a few dozen examples: every stage runs in seconds (CI, smoke tests). Its
    /// stories are not meant to be good.</summary>
    public static RunOptions Tiny { get; } = new()
    {
        Preset = "tiny",
        Dataset = new DatasetOptions
        {
            SftTrainSize = 24, SftValidationSize = 8, SftTestSize = 8,
            PrefTrainSize = 14, PrefValidationSize = 7, PrefTestSize = 14, HeldOutSpecCount = 3,
        },
        Sft = new SftOptions
        {
            Model = new GptConfig { DModel = 32, NHeads = 2, NLayers = 1, MlpRatio = 2, Dropout = 0, ContextLength = 384, TieEmbeddings = true },
            BatchSize = 8, WarmupSteps = 2, EvalInterval = 0, EarlyStoppingPatience = 0, CheckpointInterval = 2,
        },
        OnPolicy = new OnPolicyOptions { Specs = 4, Repeats = 1 },
        Dpo = new DpoOptions
        {
            BatchSize = 7, MaxEpochs = 1, LearningRate = 1e-3, WarmupSteps = 1, EvalInterval = 0,
            EarlyStoppingPatience = 0, CheckpointInterval = 1, RpoAlpha = 0,
        },
        Evaluation = new ModelEvaluationOptions { Sampling = new SamplingOptions { MaxNewTokens = 40 }, BatchSize = 8 },
        EvalSpecs = 3, Samples = 2, Threads = 1,
    };

    /// <summary>The preset of that name: "default" or "tiny".</summary>
    /// <exception cref="ArgumentException">Another name.</exception>
    public static RunOptions FromPreset(string name) => name switch
    {
        "default" => Default,
        "tiny" => Tiny,
        _ => throw new ArgumentException($"Unknown preset '{name}': use 'tiny' or 'default'.", nameof(name)),
    };

    /// <summary>These options with one seed for every draw: data, SFT, mining and DPO, and sampling.</summary>
    public RunOptions WithSeed(int seed) => this with
    {
        Dataset = Dataset with { Seed = seed },
        Sft = Sft with { Seed = seed },
        Dpo = Dpo with { Seed = seed },
        Evaluation = Evaluation with { Sampling = Evaluation.Sampling with { Seed = seed } },
        OnPolicy = OnPolicy with { Sampling = OnPolicy.Sampling with { Seed = seed } },
    };

    /// <summary>The options as the pipeline runs them, with the derived settings applied (see the remarks).</summary>
    public RunOptions Resolved()
    {
        int maxTokens = Sft.MaxTokens;
        int parallelism = Threads > 0 ? Threads : Environment.ProcessorCount;
        var evaluation = Evaluation with { MaxTokens = maxTokens, Beta = Dpo.Beta, Parallelism = parallelism };
        return this with
        {
            Sft = Sft.Model.ContextLength >= maxTokens ? Sft : Sft with { Model = Sft.Model with { ContextLength = maxTokens } },
            Dpo = Dpo with { MaxTokens = maxTokens },
            Evaluation = evaluation,
            // Mining looks for the model's own failures, which field enforcement would hide from it.
            OnPolicy = OnPolicy with
            {
                Sampling = evaluation.Sampling with { EnforceFields = false },
                KnownNames = evaluation.KnownNames,
                Parallelism = parallelism,
            },
        };
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Dataset, nameof(Dataset));
        ArgumentNullException.ThrowIfNull(Sft, nameof(Sft));
        ArgumentNullException.ThrowIfNull(OnPolicy, nameof(OnPolicy));
        ArgumentNullException.ThrowIfNull(Dpo, nameof(Dpo));
        ArgumentNullException.ThrowIfNull(Evaluation, nameof(Evaluation));
        var r = Resolved();
        r.Dataset.Validate();
        r.Sft.Model.Validate();
        r.Sft.Validate();
        r.OnPolicy.Validate();
        r.Dpo.Validate();
        r.Evaluation.Validate();
        if (!Enum.IsDefined(Benchmark)) throw new ArgumentException($"RunOptions.Benchmark has unknown value {Benchmark}.", nameof(Benchmark));
        if (EvalSpecs < 1) throw new ArgumentException($"RunOptions.EvalSpecs must be at least 1 (got {EvalSpecs}).", nameof(EvalSpecs));
        if (Samples < 0) throw new ArgumentException($"RunOptions.Samples must not be negative (got {Samples}).", nameof(Samples));
        if (Threads < 0) throw new ArgumentException($"RunOptions.Threads must not be negative (got {Threads}).", nameof(Threads));
        if (BaseModel is not null && !File.Exists(BaseModel))
            throw new ArgumentException($"RunOptions.BaseModel: no such file '{BaseModel}'.", nameof(BaseModel));
    }

    /// <summary>The JSON form (snake_case, enums by name), as stored in a run folder's <c>run.json</c>.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json) + "\n";

    /// <summary>Reads options written by <see cref="ToJson"/>; <paramref name="source"/> names the file in errors.</summary>
    /// <exception cref="InvalidDataException">Not valid run options; the message names the source and the field.</exception>
    public static RunOptions FromJson(string json, string source) => Read(() => JsonSerializer.Deserialize<RunOptions>(json, Json), source);

    /// <inheritdoc cref="FromJson(string, string)"/>
    internal static RunOptions FromJson(JsonElement json, string source) => Read(() => json.Deserialize<RunOptions>(Json), source);

    private static RunOptions Read(Func<RunOptions?> deserialize, string source)
    {
        try
        {
            return deserialize() ?? throw new InvalidDataException($"{source}: empty run options");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not valid run options ({e.Path}): {e.Message}", e);
        }
    }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true, // "model": null is a bad file, not a NullReferenceException later
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower), new PairKindMixJsonConverter(), new FiniteDoubleJsonConverter() },
    };
}
