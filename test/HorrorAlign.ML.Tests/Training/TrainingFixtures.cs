using HorrorAlign.ML.Data;
using HorrorAlign.ML.Losses;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Tokenization;
using HorrorAlign.ML.Training;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Tests.Training;

/// <summary>
/// Training tests seed torch's GLOBAL generator and compare runs bit for bit, so they must not interleave with other
/// test classes drawing random numbers: xunit runs this collection alone, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialTorchCollection
{
    public const string Name = "Serial torch RNG (training/persistence)";
}

/// <summary>Tiny synthetic data and models: fast enough for dozens of steps in a second or two.</summary>
internal static class TrainingFixtures
{
    private static readonly string[] Names = ["Mara", "Tobias", "Ines", "Felix", "Odile", "Rafe", "Sana", "Lev"];
    private static readonly string[] Objects = ["a brass key", "a cracked mirror", "a music box", "an old lantern"];

    public static string Id(string name, string obj) => $"{name}/{obj}";

    public static string Prompt(string name, string obj) => $"Protagonist: {name}\nObject: {obj}\nStory:\n";

    public static string Story(string name, string obj) => $"{name} found {obj}. It was cold. {name} never slept again.";

    public static string Wholesome(string name, string obj) => $"{name} found {obj} and smiled. Everyone had cake.";

    /// <summary>32 examples (8 names × 4 objects); every fifth goes to validation (7 examples).</summary>
    public static (List<SftExample> Train, List<SftExample> Validation) Sft()
    {
        var all = (from n in Names from o in Objects select new SftExample(Id(n, o), Prompt(n, o), Story(n, o))).ToList();
        return (all.Where((_, i) => i % 5 != 0).ToList(), all.Where((_, i) => i % 5 == 0).ToList());
    }

    public static (List<PreferencePair> Train, List<PreferencePair> Validation) Pairs(int count = 12, int validation = 4)
    {
        var all = (from n in Names from o in Objects
                   select new PreferencePair(Id(n, o), Prompt(n, o), Story(n, o), Wholesome(n, o), PairKind.Contrastive)).ToList();
        return (all.Take(count).ToList(), all.Skip(count).Take(validation).ToList());
    }

    public static IEnumerable<string> Corpus()
    {
        foreach (var n in Names)
            foreach (var o in Objects)
            {
                yield return Prompt(n, o);
                yield return Story(n, o);
                yield return Wholesome(n, o);
            }
    }

    public static readonly TokenVocabulary Vocabulary = TokenVocabulary.BuildCompact(Corpus());

    public static GptConfig TinyConfig(double dropout = 0.0) => new()
    {
        VocabSize = Vocabulary.Size, DModel = 32, NHeads = 2, NLayers = 1, MlpRatio = 2, Dropout = dropout, ContextLength = 64,
    };

    /// <summary>Fast SFT options for a tiny model; callers override what their test is about.</summary>
    public static SftOptions SftOptions(double dropout = 0.0) => new()
    {
        Model = TinyConfig(dropout),
        MaxTokens = 64,
        BatchSize = 4,
        MaxEpochs = 3,
        LearningRate = 3e-3,
        WarmupSteps = 2,
        EvalInterval = 0,
        EarlyStoppingPatience = 0,
        CheckpointInterval = 0,
        Seed = 7,
        Threads = 1, // tiny matrices: one thread is fastest, and immune to a busy machine
    };

    public static DpoOptions DpoOptions() => new()
    {
        MaxTokens = 64,
        RpoAlpha = 0, // plain DPO: the tests check its loss
        BatchSize = 4,
        MaxEpochs = 3,
        LearningRate = 3e-3,
        WarmupSteps = 1,
        EvalInterval = 0,
        EarlyStoppingPatience = 0,
        CheckpointInterval = 0,
        Seed = 11,
        Threads = 1,
    };

    public static StoryModel FreshModel(int seed = 1, double dropout = 0.0)
    {
        manual_seed(seed);
        return new StoryModel(new GptModel(TinyConfig(dropout)), Vocabulary);
    }

    /// <summary>A tiny SFT model trained for a handful of steps (start point for DPO tests).</summary>
    public static StoryModel SftModel()
    {
        var (train, validation) = Sft();
        return StoryTraining.TrainSft(train, validation, SftOptions() with { MaxEpochs = 2 });
    }

    /// <summary>Token-mean completion loss of <paramref name="model"/> on <paramref name="samples"/>, computed
    /// independently of the trainer.</summary>
    public static double SftLoss(StoryModel model, IReadOnlyList<SftExample> samples, int maxTokens = 64)
    {
        var encoder = new CompletionEncoder(model.Vocabulary, maxTokens);
        double sum = 0, tokens = 0;
        model.Model.eval();
        using var noGrad = no_grad();
        foreach (var s in samples)
        {
            using var scope = NewDisposeScope();
            var e = encoder.Encode(s.Prompt, s.Response);
            var ids = tensor(e.Ids.Select(i => (long)i).ToArray(), new long[] { 1, e.Ids.Length });
            var mask = tensor(e.LossMask, new long[] { 1, e.Ids.Length });
            var lp = CompletionLoss.Compute(model.Model, ids, mask);
            sum -= lp.SumLogProbs.sum().item<float>();
            tokens += lp.TokenCounts.sum().item<float>();
        }
        return sum / tokens;
    }

    public static float[] Logits(StoryModel model, string text)
    {
        model.Model.eval();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var ids = model.Vocabulary.Encode(text);
        var input = tensor(ids.Select(i => (long)i).ToArray(), new long[] { 1, ids.Length });
        return model.Model.forward(input).data<float>().ToArray();
    }

    public static Dictionary<string, float[]> Weights(StoryModel model) =>
        model.Model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().cpu().data<float>().ToArray());

    /// <summary>A synchronous progress sink (System.Progress posts asynchronously, which would race the assertions).</summary>
    public sealed class Recorder(Action<TrainingMetrics>? onReport = null) : IProgress<TrainingMetrics>
    {
        public List<TrainingMetrics> Reports { get; } = [];

        public void Report(TrainingMetrics value)
        {
            Reports.Add(value);
            onReport?.Invoke(value);
        }
    }

    /// <summary>A fresh temporary directory, deleted on dispose.</summary>
    public sealed class TempDir : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ha-train-" + Guid.NewGuid().ToString("N"));

        public TempDir() => Directory.CreateDirectory(Path);

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
        }
    }
}
