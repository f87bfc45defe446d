using HorrorAlign.ML.MLNet;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Training;
using Microsoft.ML;

namespace HorrorAlign.ML;

/// <summary>
/// Supervised fine-tuning as an ML.NET estimator: learns to write the <c>Chosen</c> story for each <c>Prompt</c>
/// (completion-only loss). Create it with <c>mlContext.StoryGeneration().Trainers.Sft(...)</c>. Its transformer adds the
/// model-reference column that a following <see cref="DpoTrainer"/> or <see cref="StoryGenerator"/> reads.
/// </summary>
public sealed class SftTrainer : StoryTrainerBase<SftTrainer.Options, SftTransformer>
{
    /// <summary>Options of <see cref="SftTrainer"/>.</summary>
    public sealed class Options : StoryTrainerOptions
    {
        /// <summary>The learning core's SFT options: model shape, vocabulary, optimisation, schedule, early stopping,
        /// checkpoints. Default <c>new SftOptions()</c>. Its <c>Seed</c> is replaced by <see cref="StoryTrainerOptions.Seed"/>
        /// or the MLContext's.</summary>
        public SftOptions Training = new();

        private protected override TrainingOptions? CoreTraining => Training;

        internal override IReadOnlyList<(string Column, string Role)> TextColumns =>
            [(PromptColumnName, "the prompt"), (ChosenColumnName, "the SFT target story")];
    }

    internal SftTrainer(MLContext mlContext, Options options) : base(mlContext, options, "SFT", "HorrorAlign.Sft", "examples") { }

    /// <summary>Trains a model on the prompt and chosen columns of <paramref name="input"/>.</summary>
    public override SftTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckTextColumns(input.Schema);
        return Train(input, r => new SftSample(r[0], r[1]), s => s.Prompt, (train, validation, seed, log) =>
            StoryTraining.RunSft(train, validation, TrainerOptions.Training with { Seed = seed }, initial: null, log, TrainerOptions.CancellationToken));
    }

    private protected override SftTransformer CreateTransformer(IDataView input, StoryModel trained, TrainingLog log) =>
        SftTransformer.Create(Context, input, trained, TrainerOptions, log);
}
