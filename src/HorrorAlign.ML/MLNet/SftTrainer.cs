using HorrorAlign.ML.Data;
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
/// <remarks>
/// SFT trains on EVERY row of its input: the prompt and the chosen story, whatever the row's <c>Rejected</c> column
/// holds. So one data view of <see cref="StoryPairInput"/> rows can feed the whole chain: SFT-only examples
/// (<see cref="StoryPairInput.FromExample"/>, with an empty <c>Rejected</c>) and preference pairs
/// (<see cref="StoryPairInput.FromPair"/>) are all SFT examples, and the <see cref="DpoTrainer"/> after it trains on the
/// pairs only. <see cref="Fit(IDataView)"/> trains a new model; <see cref="Fit(IDataView, StoryModelTransformer)"/>
/// continues from a trained one (warm start).
/// </remarks>
public sealed class SftTrainer : StoryTrainerBase<SftTrainer.Options, SftTransformer>
{
    /// <summary>Options of <see cref="SftTrainer"/>.</summary>
    public sealed class Options : StoryTrainerOptions
    {
        /// <summary>The learning core's SFT options: model shape, vocabulary, optimisation, schedule, early stopping,
        /// checkpoints. Default <c>new SftOptions()</c>. Its <c>Seed</c> is replaced by <see cref="StoryTrainerOptions.Seed"/>
        /// or the MLContext's; its model shape and vocabulary are ignored by a warm start, which keeps the given model's. Its
        /// <c>Device</c> is replaced by <c>MLContext.GpuDeviceId</c> when that is set (cuda:N; with <c>MLContext.FallbackToCpu</c>,
        /// CUDA that is not there trains on the CPU with a warning in the log).</summary>
        public SftOptions Training = new();

        /// <summary>Start <see cref="Fit(IDataView)"/> from this model instead of a fresh one, as <c>horroralign train --base</c>
        /// does: a <c>horroralign pretrain</c> result, a model.zip, or a PyTorch <c>.pt</c>/<c>.safetensors</c> (the
        /// original's <c>transformer_final.pt</c> too). Its shape and vocabulary are kept; with <c>Training.FieldTokens</c>
        /// a base without field tokens gets them as new rows. Default null (from scratch).</summary>
        public string? BaseModel;

        private protected override TrainingOptions? CoreTraining => Training;

        internal override IReadOnlyList<(string Column, string Role)> TextColumns =>
            [(PromptColumnName, "the prompt"), (ChosenColumnName, "the SFT target story")];
    }

    internal SftTrainer(MLContext mlContext, Options options) : base(mlContext, options, "SFT", "HorrorAlign.Sft", "examples") { }

    /// <summary>Trains a new model on the prompt and chosen columns of every row of <paramref name="input"/>.</summary>
    public override SftTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckTextColumns(input.Schema);
        if (TrainerOptions.BaseModel is null) return Train(input, initial: null);
        using var baseModel = ModelArchive.LoadBase(TrainerOptions.BaseModel, TrainerOptions.Training.FieldTokens);
        return Train(input, baseModel);
    }

    /// <summary>
    /// Continues SFT from the model of <paramref name="model"/> (a warm start, like ML.NET's trainers that take an initial
    /// model): the new model starts from its weights and keeps its shape and vocabulary. <paramref name="model"/> is not
    /// modified and stays usable.
    /// </summary>
    /// <param name="input">The prompt and chosen columns, as for <see cref="Fit(IDataView)"/>.</param>
    /// <param name="model">A trained <see cref="SftTransformer"/> or <see cref="DpoTransformer"/>.</param>
    public SftTransformer Fit(IDataView input, StoryModelTransformer model)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(model);
        CheckTextColumns(input.Schema);
        return Train(input, model.Model);
    }

    SftTransformer Train(IDataView input, StoryModel? initial) =>
        Train(input, (id, r) => new SftExample(id, r[0], r[1]), s => s.Prompt, (train, validation, seed, device, log) =>
            StoryTraining.RunSft(train, validation, TrainerOptions.Training with { Seed = seed, Device = device }, initial, log, TrainerOptions.CancellationToken));

    private protected override SftTransformer CreateTransformer(IDataView input, StoryModel trained, TrainingLog log) =>
        SftTransformer.Create(Context, input, trained, TrainerOptions, log);
}
