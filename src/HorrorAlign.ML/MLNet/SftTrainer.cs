using HorrorAlign.ML.MLNet;
using HorrorAlign.ML.Training;
using Microsoft.ML;

namespace HorrorAlign.ML;

/// <summary>
/// Supervised fine-tuning as an ML.NET estimator: learns to write the <c>Chosen</c> story for each <c>Prompt</c>
/// (completion-only loss). Create it with <c>mlContext.StoryGeneration().Trainers.Sft(...)</c>. Its transformer adds the
/// model-reference column that a following <see cref="DpoTrainer"/> or <see cref="StoryGenerator"/> reads.
/// </summary>
public sealed class SftTrainer : IEstimator<SftTransformer>
{
    /// <summary>Options of <see cref="SftTrainer"/>.</summary>
    public sealed class Options : StoryTrainerOptions
    {
        /// <summary>The learning core's SFT options: model shape, vocabulary, optimisation, schedule, early stopping,
        /// checkpoints, seed. Default <c>new SftOptions()</c>.</summary>
        public SftOptions Training = new();

        private protected override int Seed => Training.Seed;

        internal override void Validate()
        {
            base.Validate();
            ArgumentNullException.ThrowIfNull(Training, nameof(Training));
            Training.Validate();
        }
    }

    readonly MLContext _ml;
    readonly Options _options;

    internal SftTrainer(MLContext mlContext, Options options)
    {
        _ml = mlContext ?? throw new ArgumentNullException(nameof(mlContext));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        options.Validate();
    }

    /// <summary>Trains a model on the prompt and chosen columns of <paramref name="input"/>.</summary>
    public SftTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckColumns(input.Schema);
        var (train, validation) = _options.ReadRows(input, [_options.PromptColumnName, _options.ChosenColumnName],
            r => new SftSample(r[0], r[1]), s => s.Prompt, "SFT");
        using var log = new TrainingLog(_ml, "HorrorAlign.Sft", _options.Progress);
        log.Info($"SFT: {train.Count} training and {validation.Count} validation examples");
        var result = StoryTraining.RunSft(train, validation, _options.Training, initial: null, log, _options.CancellationToken);
        log.Info("SFT: " + result.Message);
        return SftTransformer.Create(_ml, input, result.Model, _options, log);
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        SchemaChecks.RequireText(inputSchema, _options.PromptColumnName, "the prompt");
        SchemaChecks.RequireText(inputSchema, _options.ChosenColumnName, "the SFT target story");
        return InnerPipelines.ModelStage(_ml, "", _options.ModelColumnName).GetOutputSchema(inputSchema);
    }

    void CheckColumns(DataViewSchema schema)
    {
        SchemaChecks.RequireText(schema, _options.PromptColumnName, "the prompt", nameof(schema));
        SchemaChecks.RequireText(schema, _options.ChosenColumnName, "the SFT target story", nameof(schema));
    }
}
