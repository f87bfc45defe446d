using HorrorAlign.ML.MLNet;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Training;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace HorrorAlign.ML;

/// <summary>
/// Base of <see cref="SftTrainer"/> and <see cref="DpoTrainer"/>: the column checks, the output schema (the input plus the
/// model-reference column) and the training run they share. Only those two derive from it.
/// </summary>
/// <typeparam name="TOptions">The trainer's options.</typeparam>
/// <typeparam name="TTransformer">The trained transformer.</typeparam>
public abstract class StoryTrainerBase<TOptions, TTransformer> : IEstimator<TTransformer>
    where TOptions : StoryTrainerOptions
    where TTransformer : StoryModelTransformer
{
    readonly string _stage;
    readonly string _logName;
    readonly string _rowNoun;

    /// <param name="mlContext">Where progress is logged, and where the seed comes from when the options set none.</param>
    /// <param name="options">The trainer's options (validated here).</param>
    /// <param name="stage">"SFT" or "DPO", as it appears in messages.</param>
    /// <param name="logName">The <c>MLContext.Log</c> source name.</param>
    /// <param name="rowNoun">What a training row is called in the log ("examples", "pairs").</param>
    private protected StoryTrainerBase(MLContext mlContext, TOptions options, string stage, string logName, string rowNoun)
    {
        Context = mlContext ?? throw new ArgumentNullException(nameof(mlContext));
        TrainerOptions = options ?? throw new ArgumentNullException(nameof(options));
        options.Validate();
        (_stage, _logName, _rowNoun) = (stage, logName, rowNoun);
        // ML.NET's way (e.g. its randomized PCA trainer): a host registered on the context, whose random source is drawn
        // from the context's, gives this trainer its own seed. Drawn even when the options set one, so that setting it
        // on one trainer does not shift the seeds of the trainers created after it.
        ContextSeed = ((IHostEnvironment)mlContext).Register(logName).Rand.Next();
    }

    private protected MLContext Context { get; }

    private protected TOptions TrainerOptions { get; }

    /// <summary>The seed this trainer drew from its <see cref="MLContext"/> when it was created.</summary>
    internal int ContextSeed { get; }

    /// <summary>The run's seed: <see cref="StoryTrainerOptions.Seed"/> when set, else <see cref="ContextSeed"/>.</summary>
    internal int Seed => TrainerOptions.Seed ?? ContextSeed;

    /// <summary>Trains a model on <paramref name="input"/>.</summary>
    public abstract TTransformer Fit(IDataView input);

    /// <inheritdoc />
    public virtual SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        foreach (var (column, role) in TrainerOptions.TextColumns) SchemaChecks.RequireText(inputSchema, column, role);
        return InnerPipelines.ModelStage(Context, "", TrainerOptions.ModelColumnName).GetOutputSchema(inputSchema);
    }

    /// <summary>Requires the trainer's text columns (<see cref="StoryTrainerOptions.TextColumns"/>) in <paramref name="schema"/>.</summary>
    private protected void CheckTextColumns(DataViewSchema schema)
    {
        foreach (var (column, role) in TrainerOptions.TextColumns) SchemaChecks.RequireText(schema, column, role, nameof(schema));
    }

    /// <summary>
    /// The training run: reads the text columns into rows (<paramref name="makeRow"/> gets the row's id and its columns in
    /// <see cref="StoryTrainerOptions.TextColumns"/> order; rows with an empty <see cref="StoryTrainerOptions.PairColumn"/>
    /// are skipped), holds out validation prompts, trains with <paramref name="run"/> (which gets the run's seed and
    /// device) while logging to <c>MLContext.Log</c>, and stores the result in the transformer.
    /// </summary>
    /// <remarks>The device, as Microsoft.ML.TorchSharp reads it: <c>MLContext.GpuDeviceId</c> when set (cuda:N), else the
    /// core options' <c>Device</c>; CUDA that is not there fails, or with <c>MLContext.FallbackToCpu</c> trains on the CPU
    /// and logs a warning.</remarks>
    private protected TTransformer Train<TRow>(IDataView input, Func<string, string[], TRow> makeRow, Func<TRow, string> promptOf,
        Func<List<TRow>, List<TRow>, int, string, TrainingLog, TrainingResult> run)
    {
        int seed = Seed;
        using var log = new TrainingLog(Context, _logName, TrainerOptions.Progress);
        string requested = Context.GpuDeviceId is null ? TrainerOptions.CoreDevice : ComputeDevice.FromGpuDeviceId(Context.GpuDeviceId);
        string device = ComputeDevice.Name(ComputeDevice.Resolve(requested, Context.FallbackToCpu, log.Warning));
        var (train, validation, skipped) = TrainerOptions.ReadRows(input, makeRow, promptOf, _stage, seed);
        string skippedNote = skipped == 0 ? "" : $" ({skipped} row(s) with an empty '{TrainerOptions.PairColumn}' skipped)";
        string seedNote = TrainerOptions.Seed is null ? "from the MLContext" : "from the options";
        log.Info($"{_stage}: {train.Count} training and {validation.Count} validation {_rowNoun}{skippedNote}, seed {seed} ({seedNote})");
        if (device != ComputeDevice.Cpu) log.Info($"{_stage}: training on {device}");
        var result = run(train, validation, seed, device, log);
        log.Info($"{_stage}: " + result.Message);
        return CreateTransformer(input, result.Model, log);
    }

    /// <summary>Wraps a freshly trained model (which the transformer takes over) in the trainer's transformer.</summary>
    private protected abstract TTransformer CreateTransformer(IDataView input, StoryModel trained, TrainingLog log);
}
