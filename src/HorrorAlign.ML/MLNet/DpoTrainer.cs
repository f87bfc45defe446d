using HorrorAlign.ML.MLNet;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Training;
using Microsoft.ML;

namespace HorrorAlign.ML;

/// <summary>
/// Direct Preference Optimization as an ML.NET estimator: starting from an SFT model, prefers each row's
/// <c>Chosen</c> story over its <c>Rejected</c> one (a frozen copy of the SFT model is the reference). Create it with
/// <c>mlContext.StoryGeneration().Trainers.Dpo(...)</c>.
/// </summary>
/// <remarks>
/// The SFT model comes either from earlier in the same chain — <see cref="Fit(IDataView)"/> reads the model-reference
/// column that <see cref="SftTrainer"/>'s transformer adds, so <c>Sft(...).Append(Dpo(...))</c> fits on one data view —
/// or explicitly, through <see cref="Fit(IDataView, StoryModelTransformer)"/> (warm start). Both give the same model.
/// </remarks>
public sealed class DpoTrainer : IEstimator<DpoTransformer>
{
    /// <summary>Options of <see cref="DpoTrainer"/>.</summary>
    public sealed class Options : StoryTrainerOptions
    {
        /// <summary>The dispreferred story (text). Default "Rejected".</summary>
        public string RejectedColumnName = StoryColumnNames.Rejected;

        /// <summary>The learning core's DPO options: β, loss type, label smoothing, optimisation, early stopping, seed.
        /// Default <c>new DpoOptions()</c>.</summary>
        public DpoOptions Training = new();

        private protected override int Seed => Training.Seed;

        internal override void Validate()
        {
            base.Validate();
            ArgumentException.ThrowIfNullOrEmpty(RejectedColumnName, nameof(RejectedColumnName));
            ArgumentNullException.ThrowIfNull(Training, nameof(Training));
            Training.Validate();
        }
    }

    readonly MLContext _ml;
    readonly Options _options;

    internal DpoTrainer(MLContext mlContext, Options options)
    {
        _ml = mlContext ?? throw new ArgumentNullException(nameof(mlContext));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        options.Validate();
    }

    /// <summary>Trains from the SFT model named by the model-reference column of <paramref name="input"/> (added by an
    /// <see cref="SftTrainer"/> earlier in the same chain).</summary>
    public DpoTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckPairColumns(input.Schema);
        if (!SchemaChecks.Has(input.Schema, _options.ModelColumnName))
            throw new ArgumentOutOfRangeException("schema",
                $"DPO starts from an SFT model, but the input has no model-reference column '{_options.ModelColumnName}'. " +
                "Append the DPO trainer after mlContext.StoryGeneration().Trainers.Sft(...) in the same chain, " +
                "or call Fit(data, sftTransformer).");
        SchemaChecks.RequireText(input.Schema, _options.ModelColumnName, "the SFT model reference", "schema");
        string header = TextRows.First(input, _options.ModelColumnName)
            ?? throw new InvalidOperationException("The DPO training data has no rows.");
        using var lease = StoryModelCache.AcquireCached(ModelPayload.ReadHash(header));
        return FitCore(input, lease.Model);
    }

    /// <summary>Trains from <paramref name="sftModel"/> (a warm start outside a chain; the model is not modified).</summary>
    public DpoTransformer Fit(IDataView input, StoryModelTransformer sftModel)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(sftModel);
        CheckPairColumns(input.Schema);
        return FitCore(input, sftModel.Model);
    }

    DpoTransformer FitCore(IDataView input, StoryModel sftModel)
    {
        var (train, validation) = _options.ReadRows(input,
            [_options.PromptColumnName, _options.ChosenColumnName, _options.RejectedColumnName],
            r => new PreferenceSample(r[0], r[1], r[2]), p => p.Prompt, "DPO");
        using var log = new TrainingLog(_ml, "HorrorAlign.Dpo", _options.Progress);
        log.Info($"DPO: {train.Count} training and {validation.Count} validation pairs");
        var result = StoryTraining.RunDpo(sftModel, train, validation, _options.Training, log, _options.CancellationToken);
        log.Info("DPO: " + result.Message);
        return DpoTransformer.Create(_ml, input, result.Model, _options, log);
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        SchemaChecks.RequireText(inputSchema, _options.PromptColumnName, "the prompt");
        SchemaChecks.RequireText(inputSchema, _options.ChosenColumnName, "the DPO chosen story");
        SchemaChecks.RequireText(inputSchema, _options.RejectedColumnName, "the DPO rejected story");
        SchemaChecks.RequireText(inputSchema, _options.ModelColumnName, "the SFT model reference, added by Trainers.Sft earlier in the chain");
        return InnerPipelines.ModelStage(_ml, "", _options.ModelColumnName).GetOutputSchema(inputSchema);
    }

    void CheckPairColumns(DataViewSchema schema)
    {
        SchemaChecks.RequireText(schema, _options.PromptColumnName, "the prompt", nameof(schema));
        SchemaChecks.RequireText(schema, _options.ChosenColumnName, "the DPO chosen story", nameof(schema));
        SchemaChecks.RequireText(schema, _options.RejectedColumnName, "the DPO rejected story", nameof(schema));
    }
}
