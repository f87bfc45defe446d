using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Synthesis;
using HorrorAlign.ML.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace HorrorAlign.ML.Tests.MLNet;

/// <summary>
/// The ML.NET tests train with torch's GLOBAL seed and compare runs bit for bit, so they run alone (after the parallel
/// collections), sharing one trained pipeline.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MLNetCollection : ICollectionFixture<TrainedPipeline>
{
    public const string Name = "ML.NET pipeline (serial torch RNG)";
}

/// <summary>A ready-made prompt row (no spec columns).</summary>
public sealed class PromptRow
{
    public string Prompt { get; set; } = "";
}

/// <summary>Tiny data and options: a whole SFT → DPO → generate chain fits in a few seconds.</summary>
internal static class MLNetFixtures
{
    /// <summary>12 generated preference pairs (the project's data generator, fixed seed) and 4 held-out specs.</summary>
    public static Dataset Dataset { get; } = HorrorAlign.ML.Synthesis.Dataset.Generate(new DatasetOptions
    {
        Seed = 3, SftTrainSize = 0, SftValidationSize = 0, SftTestSize = 0,
        PrefTrainSize = 12, PrefValidationSize = 0, PrefTestSize = 0, HeldOutSpecCount = 4, FreshValueShare = 0,
    });

    /// <summary>The spec of training pair i.</summary>
    public static StorySpec Spec(int i) => Dataset.PrefTrain[i].Spec!;

    public static StoryPairInput[] Rows(int count = 12) => Dataset.PrefTrain.Take(count).Select(StoryPairInput.FromPair).ToArray();

    /// <summary>Tiny SFT options with an explicit seed (so a test's trainer matches the fixture's whatever the context).</summary>
    public static SftTrainer.Options SftOptions() => new()
    {
        ValidationFraction = 0.2,
        Seed = 7,
        Training = new SftOptions
        {
            Model = new GptConfig { DModel = 32, NHeads = 2, NLayers = 1, MlpRatio = 2, Dropout = 0.0, ContextLength = 256 },
            MaxTokens = 256, BatchSize = 4, MaxEpochs = 2, MaxSteps = 6, LearningRate = 3e-3, WarmupSteps = 1,
            EvalInterval = 0, EarlyStoppingPatience = 0, CheckpointInterval = 0,
        },
    };

    /// <summary>Tiny DPO options with an explicit seed.</summary>
    public static DpoTrainer.Options DpoOptions() => new()
    {
        ValidationFraction = 0.2,
        Seed = 11,
        Training = new DpoOptions
        {
            MaxTokens = 256, BatchSize = 4, MaxEpochs = 1, MaxSteps = 3, LearningRate = 1e-3, WarmupSteps = 1,
            EvalInterval = 0, EarlyStoppingPatience = 0, CheckpointInterval = 0, RpoAlpha = 0,
        },
        OnPolicy = new HorrorAlign.ML.Mining.OnPolicyOptions { Specs = 0 }, // template pairs only: the fixtures pin their stories
    };

    public static StoryGenerator.Options GeneratorOptions() => new() { MaxNewTokens = 24, Temperature = 0.8, TopP = 0.95, Seed = 5 };

    /// <summary>A fresh temporary directory, deleted on dispose.</summary>
    public sealed class TempDir : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ha-mlnet-" + Guid.NewGuid().ToString("N"));

        public TempDir() => Directory.CreateDirectory(Path);

        public string File(string name) => System.IO.Path.Combine(Path, name);

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
        }
    }
}

/// <summary>
/// The pipeline every test of the collection shares: FeaturizeSpec → Sft → Dpo → GenerateStory fitted on ONE data view,
/// plus its zip (saved with plain mlContext.Model.Save) and the MLContext log of the fit.
/// </summary>
public sealed class TrainedPipeline : IDisposable
{
    readonly MLNetFixtures.TempDir _dir = new();

    public TrainedPipeline()
    {
        Context = new MLContext(seed: 1);
        Context.Log += (_, e) => { lock (Log) Log.Add(e.Source + ": " + e.RawMessage); };
        Data = Context.Data.LoadFromEnumerable(MLNetFixtures.Rows());
        var sg = Context.StoryGeneration();
        var pipeline = sg.FeaturizeSpec()
            .Append(sg.Trainers.Sft(MLNetFixtures.SftOptions()))
            .AppendCacheCheckpoint(Context) // DPO finds the SFT model through the model column, even behind a cache
            .Append(sg.Trainers.Dpo(MLNetFixtures.DpoOptions()))
            .Append(sg.GenerateStory(MLNetFixtures.GeneratorOptions()));
        Model = pipeline.Fit(Data);
        var parts = Model.ToArray();
        Featurizer = (SpecFeaturizerTransformer)parts[0];
        Sft = (SftTransformer)parts[1];
        Dpo = (DpoTransformer)parts[2];
        ZipPath = _dir.File("pipeline.zip");
        Context.Model.Save(Model, Data.Schema, ZipPath); // plain ML.NET saving
    }

    public MLContext Context { get; }
    public IDataView Data { get; }
    public TransformerChain<StoryGeneratorTransformer> Model { get; }
    public SpecFeaturizerTransformer Featurizer { get; }
    public SftTransformer Sft { get; }
    public DpoTransformer Dpo { get; }
    public string ZipPath { get; }
    public List<string> Log { get; } = [];

    /// <summary>Specs the tests predict for: two seen in training, two of held-out values.</summary>
    public static StorySpec[] PredictionSpecs { get; } =
        [MLNetFixtures.Spec(0), MLNetFixtures.Spec(3), MLNetFixtures.Dataset.HeldOutSpecs[0], MLNetFixtures.Dataset.HeldOutSpecs[1]];

    public string[] Predict(ITransformer model, IEnumerable<StorySpec> specs)
    {
        using var engine = Context.Model.CreatePredictionEngine<StorySpecInput, StoryPrediction>(model);
        return specs.Select(s => engine.Predict(StorySpecInput.FromSpec(s)).Story).ToArray();
    }

    public void Dispose()
    {
        Model.Dispose();
        _dir.Dispose();
    }
}
