using HorrorAlign.ML.Generation;
using HorrorAlign.ML.MLNet;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Persistence;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Device = TorchSharp.torch.Device;

namespace HorrorAlign.ML;

/// <summary>
/// Adds a generated story column to every row, from its prompt, with the core's sampling
/// (<see cref="TextGenerator"/>). Create it with <c>mlContext.StoryGeneration().GenerateStory(...)</c>.
/// </summary>
/// <remarks>
/// The model comes from the model-reference column of a trainer earlier in the same chain
/// (<see cref="Fit(IDataView)"/>: the chain's zip then holds that model once), or is given explicitly
/// (<see cref="Fit(IDataView, StoryModelTransformer)"/>, <see cref="Fit(IDataView, StoryModel)"/>: the transformer then
/// carries its own copy and works on its own). Every row uses the same seed, so a given prompt always gives the same
/// story; a prediction engine, a <c>Transform</c> and a reloaded zip all agree. That seed is
/// <see cref="Options.Seed"/> when set, else drawn from the <see cref="MLContext"/> when the generator is created.
/// <para>The device, as Microsoft.ML.TorchSharp reads it: <c>MLContext.GpuDeviceId</c> (null, the default, is the CPU; N
/// is CUDA device N, which needs the app to reference TorchSharp-cuda-linux or TorchSharp-cuda-windows instead of
/// TorchSharp-cpu). <c>Fit</c> moves the model there; CUDA that is not there fails, or with <c>MLContext.FallbackToCpu</c>
/// the stories are written on the CPU and a warning goes to <c>MLContext.Log</c>. A chain loaded with
/// <c>mlContext.Model.Load</c> writes on the CPU.</para>
/// </remarks>
public sealed class StoryGenerator : IEstimator<StoryGeneratorTransformer>
{
    static readonly SamplingOptions Defaults = new();

    /// <summary>Options of <see cref="StoryGenerator"/>; the sampling defaults are <see cref="SamplingOptions"/>'s.</summary>
    public sealed class Options
    {
        /// <summary>The prompt column (text). Default "Prompt".</summary>
        public string PromptColumnName = StoryColumnNames.Prompt;
        /// <summary>The story column to add. Default "Story".</summary>
        public string OutputColumnName = StoryColumnNames.Story;
        /// <summary>The model-reference column of an upstream trainer (read by <see cref="Fit(IDataView)"/>). Default "StoryModel".</summary>
        public string ModelColumnName = StoryColumnNames.Model;
        /// <summary>Maximum new tokens per story. Default 200.</summary>
        public int MaxNewTokens = Defaults.MaxNewTokens;
        /// <summary>Softmax temperature; 0 = greedy. Default 1.</summary>
        public double Temperature = Defaults.Temperature;
        /// <summary>Keep only the k most likely tokens; 0 = off. Default 0.</summary>
        public int TopK = Defaults.TopK;
        /// <summary>Nucleus threshold in (0, 1]; 1 = off. Default 0.95 (the original's).</summary>
        public double TopP = Defaults.TopP;
        /// <summary>Repetition penalty on generated tokens; 1 = off. Default 1.</summary>
        public double RepetitionPenalty = Defaults.RepetitionPenalty;
        /// <summary>
        /// Sampling seed, the same for every row. Default null: drawn from the <see cref="MLContext"/> when the generator
        /// is created (<c>IHostEnvironment.Register(...).Rand</c>, as ML.NET's own components do), so a context made with
        /// <c>new MLContext(seed: n)</c> gives the same seed each time the same program runs. A value set here wins over
        /// the context's. The fitted transformer records the seed it used (<see cref="StoryGeneratorTransformer.Sampling"/>)
        /// and a saved zip keeps it.
        /// </summary>
        public int? Seed;
        /// <summary>Extra strings that end a story (end-of-text always does). Default none.</summary>
        public string[] StopStrings = [];
        /// <summary>Use the key/value cache. Default true.</summary>
        public bool UseKvCache = Defaults.UseKvCache;
        /// <summary>Precision of the stored weights when an explicit <see cref="StoryModel"/> is embedded. Default float32 (exact).</summary>
        public WeightPrecision StoredPrecision = WeightPrecision.Float32;

        /// <summary>Options that sample exactly like <paramref name="sampling"/>, its seed included (column names and storage at their defaults).</summary>
        public static Options FromSampling(SamplingOptions sampling)
        {
            ArgumentNullException.ThrowIfNull(sampling);
            return new Options
            {
                MaxNewTokens = sampling.MaxNewTokens, Temperature = sampling.Temperature, TopK = sampling.TopK, TopP = sampling.TopP,
                RepetitionPenalty = sampling.RepetitionPenalty, Seed = sampling.Seed, StopStrings = [.. sampling.StopStrings],
                UseKvCache = sampling.UseKvCache,
            };
        }

        /// <summary>The sampling options, with <paramref name="contextSeed"/> as the seed when <see cref="Seed"/> is null.</summary>
        internal SamplingOptions ToSampling(int contextSeed)
        {
            var sampling = new SamplingOptions
            {
                MaxNewTokens = MaxNewTokens, Temperature = Temperature, TopK = TopK, TopP = TopP,
                RepetitionPenalty = RepetitionPenalty, Seed = Seed ?? contextSeed, StopStrings = StopStrings?.ToArray()!, UseKvCache = UseKvCache,
            };
            sampling.Validate();
            return sampling;
        }

        internal void Validate()
        {
            ArgumentException.ThrowIfNullOrEmpty(PromptColumnName, nameof(PromptColumnName));
            ArgumentException.ThrowIfNullOrEmpty(OutputColumnName, nameof(OutputColumnName));
            ArgumentException.ThrowIfNullOrEmpty(ModelColumnName, nameof(ModelColumnName));
            ToSampling(contextSeed: 0);
        }
    }

    readonly MLContext _ml;
    readonly Options _options;

    internal StoryGenerator(MLContext mlContext, Options options)
    {
        _ml = mlContext ?? throw new ArgumentNullException(nameof(mlContext));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        options.Validate();
        // Drawn even when the options set a seed, so that setting one does not shift the seeds of later components.
        ContextSeed = ((IHostEnvironment)mlContext).Register("HorrorAlign.GenerateStory").Rand.Next();
    }

    /// <summary>The seed this generator drew from its <see cref="MLContext"/> when it was created (used when <see cref="Options.Seed"/> is null).</summary>
    internal int ContextSeed { get; }

    /// <summary>Uses the model named by the model-reference column of <paramref name="input"/> (from a trainer earlier in the chain).</summary>
    public StoryGeneratorTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        SchemaChecks.RequireText(input.Schema, _options.PromptColumnName, "the prompt", "schema");
        if (!SchemaChecks.Has(input.Schema, _options.ModelColumnName))
            throw new ArgumentOutOfRangeException("schema",
                $"The story generator needs a model, but the input has no model-reference column '{_options.ModelColumnName}'. " +
                "Append it after a trainer (Trainers.Sft or Trainers.Dpo) in the same chain, or call Fit(data, trainedTransformer).");
        SchemaChecks.RequireText(input.Schema, _options.ModelColumnName, "the model reference", "schema");
        // Resolve the model now, so a broken reference fails at Fit rather than at the first prediction.
        var device = ResolveDevice();
        if (TextRows.First(input, _options.ModelColumnName) is { } header)
            using (var lease = StoryModelCache.AcquireCached(ModelPayload.ReadHash(header))) ComputeDevice.Place(lease.Model.Model, device);
        return Create(input, payload: null, owned: null, device);
    }

    /// <summary>Embeds the model of <paramref name="model"/> (a trained transformer); the result works on its own.</summary>
    public StoryGeneratorTransformer Fit(IDataView input, StoryModelTransformer model)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(model);
        SchemaChecks.RequireText(input.Schema, _options.PromptColumnName, "the prompt", "schema");
        var device = ResolveDevice();
        return Create(input, model.Payload, StoryModelCache.AcquireOwned(model.Payload.AsMemory()), device);
    }

    /// <summary>Embeds a copy of <paramref name="model"/> (stored at <see cref="Options.StoredPrecision"/>; the caller keeps ownership of <paramref name="model"/>).</summary>
    public StoryGeneratorTransformer Fit(IDataView input, StoryModel model)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(model);
        SchemaChecks.RequireText(input.Schema, _options.PromptColumnName, "the prompt", "schema");
        var device = ResolveDevice();
        string payload = ModelPayload.Encode(model, _options.StoredPrecision).Payload;
        return Create(input, payload, StoryModelCache.AcquireOwned(payload.AsMemory()), device);
    }

    /// <summary>The device of <c>MLContext.GpuDeviceId</c> (null = the CPU), with <c>MLContext.FallbackToCpu</c>'s warning in the log.</summary>
    Device ResolveDevice()
    {
        using var channel = ((IChannelProvider)_ml).Start("HorrorAlign.GenerateStory");
        return ComputeDevice.Resolve(ComputeDevice.FromGpuDeviceId(_ml.GpuDeviceId), _ml.FallbackToCpu,
            message => channel.Warning(MessageSensitivity.None, message));
    }

    StoryGeneratorTransformer Create(IDataView input, string? payload, StoryModelLease? owned, Device device)
    {
        try
        {
            if (owned is not null) ComputeDevice.Place(owned.Model.Model, device);
            var sampling = _options.ToSampling(ContextSeed);
            var inner = InnerPipelines.GenerationStage(_ml, payload, GenerationSettings.Format(sampling),
                _options.PromptColumnName, _options.ModelColumnName, _options.OutputColumnName).Fit(input);
            return new StoryGeneratorTransformer(inner, sampling, _options.PromptColumnName, _options.ModelColumnName,
                _options.OutputColumnName, payload, owned, device);
        }
        catch
        {
            owned?.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        SchemaChecks.RequireText(inputSchema, _options.PromptColumnName, "the prompt");
        SchemaChecks.RequireText(inputSchema, _options.ModelColumnName, "the model reference, added by a trainer earlier in the chain");
        return InnerPipelines.GenerationStage(_ml, null, "", _options.PromptColumnName, _options.ModelColumnName,
            _options.OutputColumnName).GetOutputSchema(inputSchema);
    }
}

/// <summary>The fitted <see cref="StoryGenerator"/>: adds the generated story column.</summary>
/// <remarks>Disposing it releases an embedded model's native memory; like a trained transformer, it stays usable and
/// decodes the model again if used after (ML.NET disposes a model with its <c>PredictionEngine</c>).</remarks>
public sealed class StoryGeneratorTransformer : StoryTransformerBase
{
    readonly object _gate = new();
    readonly string? _payload;
    readonly Device _device;
    StoryModelLease? _owned;

    internal StoryGeneratorTransformer(ITransformer inner, SamplingOptions sampling, string promptColumnName,
        string modelColumnName, string outputColumnName, string? payload, StoryModelLease? owned, Device device) : base(inner)
    {
        _payload = payload;
        _device = device;
        Sampling = sampling;
        PromptColumnName = promptColumnName;
        ModelColumnName = modelColumnName;
        OutputColumnName = outputColumnName;
        _owned = owned;
        EmbedsModel = owned is not null;
    }

    /// <summary>The sampling options every row is generated with.</summary>
    public SamplingOptions Sampling { get; }

    /// <summary>The prompt column.</summary>
    public string PromptColumnName { get; }

    /// <summary>The model-reference column read when the model is not embedded.</summary>
    public string ModelColumnName { get; }

    /// <summary>The story column.</summary>
    public string OutputColumnName { get; }

    /// <summary>True when this transformer carries its own model; false when it reads an upstream trainer's model column.</summary>
    public bool EmbedsModel { get; }

    private protected override void CheckInputSchema(DataViewSchema inputSchema)
    {
        SchemaChecks.RequireText(inputSchema, PromptColumnName, "the prompt");
        if (!EmbedsModel)
            SchemaChecks.RequireText(inputSchema, ModelColumnName, "the model reference, added by a trainer earlier in the chain");
    }

    /// <summary>Most rows of one input whose stories are written ahead in batches; later rows are written one by one.</summary>
    internal const int MaxPreparedRows = 4096;

    /// <summary>The inner view, its stories written in batches when first read (see <see cref="BatchedStoryView"/>).</summary>
    private protected override IDataView Output(IDataView output, IDataView input) =>
        output.Schema.GetColumnOrNull(OutputColumnName) is { } story ? new BatchedStoryView(output, story.Index, () => Prepare(input)) : output;

    /// <summary>Writes the stories of up to <see cref="MaxPreparedRows"/> rows of <paramref name="input"/>, one batched
    /// decode per model, with this transformer's sampling (one seed for every row, as the row mapping uses).</summary>
    private void Prepare(IDataView input)
    {
        string settings = GenerationSettings.Format(Sampling);
        var rows = new List<(string Hash, string Prompt)>();
        var promptColumn = input.Schema[PromptColumnName];
        var modelColumn = EmbedsModel ? (DataViewSchema.Column?)null : input.Schema[ModelColumnName];
        using (var cursor = input.GetRowCursor(modelColumn is { } m ? [promptColumn, m] : [promptColumn]))
        {
            var prompt = cursor.GetGetter<ReadOnlyMemory<char>>(promptColumn);
            var model = modelColumn is { } mc ? cursor.GetGetter<ReadOnlyMemory<char>>(mc) : null;
            string embeddedHash = EmbedsModel ? ModelPayload.ReadHash(_payload!) : "";
            ReadOnlyMemory<char> text = default, reference = default;
            while (rows.Count < MaxPreparedRows && cursor.MoveNext())
            {
                prompt(ref text);
                if (model is not null) model(ref reference);
                rows.Add((model is null ? embeddedHash : ModelPayload.ReadHash(reference.Span), text.ToString()));
            }
        }
        foreach (var group in rows.GroupBy(r => r.Hash))
        {
            string[] prompts = [.. group.Select(r => r.Prompt).Distinct().Where(p => !PreparedStories.Contains(group.Key, settings, p))];
            if (prompts.Length == 0) continue;
            using var lease = StoryModelCache.AcquireCached(group.Key);
            var stories = TextGenerator.GenerateBatch(lease.Model, prompts, _ => Sampling, Environment.ProcessorCount, null, CancellationToken.None);
            PreparedStories.Add(group.Key, settings, prompts, stories);
        }
    }

    private protected override void Reacquire()
    {
        if (!EmbedsModel) return;
        lock (_gate)
        {
            _owned ??= StoryModelCache.AcquireOwned(_payload!.AsMemory());
            ComputeDevice.Place(_owned.Model.Model, _device); // a model decoded again comes back on the CPU
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (!disposing) return;
        lock (_gate)
        {
            _owned?.Dispose();
            _owned = null;
        }
    }
}
