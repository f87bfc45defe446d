using HorrorAlign.ML.Training;
using Microsoft.ML;

namespace HorrorAlign.ML;

/// <summary>
/// Entry point of HorrorAlign.ML in ML.NET: <c>mlContext.StoryGeneration()</c>. Like ML.NET's task catalogs
/// (<c>mlContext.Regression</c>), it holds the trainers under <see cref="StoryGenerationCatalog.Trainers"/> and the
/// task's transforms next to them:
/// <code>
/// var sg = mlContext.StoryGeneration();
/// var pipeline = sg.FeaturizeSpec()                 // title…twist → Prompt
///     .Append(sg.Trainers.Sft())                     // Prompt + Chosen of every row → model (adds "StoryModel")
///     .Append(sg.Trainers.Dpo())                     // Prompt + Chosen + Rejected of the rows with a Rejected, from the SFT model
///     .Append(sg.GenerateStory(temperature: 0.8));   // Prompt → Story
/// var model = pipeline.Fit(rows);                    // one IDataView of spec/prompt + chosen (+ rejected) rows
/// var metrics = sg.Evaluate(model.Transform(specs)); // the stories checked against their specs
/// </code>
/// Randomness comes from the <see cref="MLContext"/>, as in ML.NET: each trainer and generator draws its own seed from
/// the context when it is created, unless its options set one (<see cref="StoryTrainerOptions.Seed"/>,
/// <see cref="StoryGenerator.Options.Seed"/>); so <c>new MLContext(seed: 1)</c> makes the whole program repeatable.
/// </summary>
public static class StoryGenerationMLContextExtensions
{
    /// <summary>The story-generation catalog of <paramref name="mlContext"/>; training progress goes to its <c>Log</c>.</summary>
    public static StoryGenerationCatalog StoryGeneration(this MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return new StoryGenerationCatalog(mlContext);
    }
}

/// <summary>Story-generation transforms and trainers (see <see cref="StoryGenerationMLContextExtensions.StoryGeneration"/>).</summary>
public sealed class StoryGenerationCatalog
{
    readonly MLContext _ml;

    internal StoryGenerationCatalog(MLContext mlContext)
    {
        _ml = mlContext;
        Trainers = new StoryGenerationTrainers(mlContext);
    }

    /// <summary>The SFT and DPO trainers.</summary>
    public StoryGenerationTrainers Trainers { get; }

    /// <summary>Builds the prompt column from the seven spec columns (or passes a ready-made prompt through).</summary>
    /// <param name="outputColumnName">The prompt column to create.</param>
    public SpecFeaturizer FeaturizeSpec(string outputColumnName = StoryColumnNames.Prompt) =>
        FeaturizeSpec(new SpecFeaturizer.Options { OutputColumnName = outputColumnName });

    /// <summary>Builds the prompt column from the seven spec columns, with all options.</summary>
    public SpecFeaturizer FeaturizeSpec(SpecFeaturizer.Options options) => new(_ml, options);

    /// <summary>Adds a generated story column; null arguments keep <see cref="StoryGenerator.Options"/>' defaults.</summary>
    /// <param name="outputColumnName">The story column to add.</param>
    /// <param name="promptColumnName">The prompt column.</param>
    /// <param name="maxNewTokens">Maximum new tokens per story.</param>
    /// <param name="temperature">Softmax temperature; 0 = greedy.</param>
    /// <param name="topP">Nucleus threshold in (0, 1].</param>
    /// <param name="seed">Sampling seed (the same for every row); null = drawn from the MLContext.</param>
    public StoryGenerator GenerateStory(string outputColumnName = StoryColumnNames.Story, string promptColumnName = StoryColumnNames.Prompt,
        int? maxNewTokens = null, double? temperature = null, double? topP = null, int? seed = null)
    {
        var options = new StoryGenerator.Options { OutputColumnName = outputColumnName, PromptColumnName = promptColumnName };
        if (maxNewTokens is { } m) options.MaxNewTokens = m;
        if (temperature is { } t) options.Temperature = t;
        if (topP is { } p) options.TopP = p;
        if (seed is { } s) options.Seed = s;
        return GenerateStory(options);
    }

    /// <summary>Adds a generated story column, with all options.</summary>
    public StoryGenerator GenerateStory(StoryGenerator.Options options) => new(_ml, options);

    /// <summary>
    /// Checks the stories of a scored data view against their specs with the library's constraint checks, the way
    /// <c>mlContext.BinaryClassification.Evaluate</c> grades a scored view: reads the seven spec columns
    /// (<see cref="StoryColumnNames.SpecFields"/>) and the story column of <paramref name="data"/>, typically
    /// <c>model.Transform(specs)</c>.
    /// </summary>
    /// <param name="data">The scored data: spec columns and a story column.</param>
    /// <param name="storyColumnName">The story column. Default "Story" (what <see cref="GenerateStory(string, string, int?, double?, double?, int?)"/> adds).</param>
    /// <exception cref="ArgumentOutOfRangeException">A spec column or the story column is missing or not text (the message names it).</exception>
    /// <exception cref="InvalidOperationException">The data has no rows.</exception>
    /// <exception cref="Specs.SpecValidationException">A row's spec is invalid (the message names the row and the field).</exception>
    public StoryMetrics Evaluate(IDataView data, string storyColumnName = StoryColumnNames.Story) =>
        Evaluate(data, new StoryEvaluationOptions { StoryColumnName = storyColumnName });

    /// <summary>Checks the stories of a scored data view against their specs, with all options (see <see cref="Evaluate(IDataView, string)"/>).</summary>
    /// <param name="data">The scored data: spec columns and a story column.</param>
    /// <param name="options">The story column and the names that count as wrong characters.</param>
    public StoryMetrics Evaluate(IDataView data, StoryEvaluationOptions options) => StoryMetrics.Compute(data, options);

    /// <summary>The trainers of the story-generation task.</summary>
    public sealed class StoryGenerationTrainers
    {
        readonly MLContext _ml;

        internal StoryGenerationTrainers(MLContext mlContext) => _ml = mlContext;

        /// <summary>Supervised fine-tuning on every row; null arguments keep <see cref="SftOptions"/>' defaults.</summary>
        /// <param name="promptColumnName">The prompt column.</param>
        /// <param name="chosenColumnName">The target story column.</param>
        /// <param name="maxEpochs">Maximum passes over the data.</param>
        /// <param name="learningRate">Peak learning rate.</param>
        /// <param name="batchSize">Examples per step.</param>
        /// <param name="seed">Seed for initialisation, shuffling, dropout and the validation split
        /// (<see cref="StoryTrainerOptions.Seed"/>); null = drawn from the MLContext.</param>
        public SftTrainer Sft(string promptColumnName = StoryColumnNames.Prompt, string chosenColumnName = StoryColumnNames.Chosen,
            int? maxEpochs = null, double? learningRate = null, int? batchSize = null, int? seed = null)
        {
            var training = new SftOptions();
            return Sft(new SftTrainer.Options
            {
                PromptColumnName = promptColumnName,
                ChosenColumnName = chosenColumnName,
                Training = training with
                {
                    MaxEpochs = maxEpochs ?? training.MaxEpochs,
                    LearningRate = learningRate ?? training.LearningRate,
                    BatchSize = batchSize ?? training.BatchSize,
                },
                Seed = seed,
            });
        }

        /// <summary>Supervised fine-tuning, with all options.</summary>
        public SftTrainer Sft(SftTrainer.Options options) => new(_ml, options);

        /// <summary>DPO from the SFT model earlier in the chain, on the rows that have a rejected story; null arguments keep
        /// <see cref="DpoOptions"/>' defaults.</summary>
        /// <param name="promptColumnName">The prompt column.</param>
        /// <param name="chosenColumnName">The preferred story column.</param>
        /// <param name="rejectedColumnName">The dispreferred story column.</param>
        /// <param name="beta">DPO β.</param>
        /// <param name="maxEpochs">Maximum passes over the data.</param>
        /// <param name="learningRate">Peak learning rate.</param>
        /// <param name="seed">Seed for shuffling and the validation split (<see cref="StoryTrainerOptions.Seed"/>); null = drawn
        /// from the MLContext.</param>
        public DpoTrainer Dpo(string promptColumnName = StoryColumnNames.Prompt, string chosenColumnName = StoryColumnNames.Chosen,
            string rejectedColumnName = StoryColumnNames.Rejected, double? beta = null, int? maxEpochs = null,
            double? learningRate = null, int? seed = null)
        {
            var training = new DpoOptions();
            return Dpo(new DpoTrainer.Options
            {
                PromptColumnName = promptColumnName,
                ChosenColumnName = chosenColumnName,
                RejectedColumnName = rejectedColumnName,
                Training = training with
                {
                    Beta = beta ?? training.Beta,
                    MaxEpochs = maxEpochs ?? training.MaxEpochs,
                    LearningRate = learningRate ?? training.LearningRate,
                },
                Seed = seed,
            });
        }

        /// <summary>DPO, with all options.</summary>
        public DpoTrainer Dpo(DpoTrainer.Options options) => new(_ml, options);
    }
}
