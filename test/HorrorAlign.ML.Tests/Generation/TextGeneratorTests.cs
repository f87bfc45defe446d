using HorrorAlign.ML.Generation;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Losses;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Tests.Modeling;
using HorrorAlign.ML.Tokenization;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Tests.Generation;

/// <summary>Text in, text out over a real compact vocabulary and a model overfitted on two stories.</summary>
public class TextGeneratorTests
{
    private static readonly (string Prompt, string Story)[] Examples =
    [
        ("Title: The Well\nStory:\n", "The well answered in her mother's voice.\n\nShe did not look down."),
        ("Title: The Lamp\nStory:\n", "The lamp stayed lit after the power failed. Nobody had filled it."),
    ];

    internal static readonly Lazy<StoryModel> Trained = new(Train);

    private static StoryModel Train()
    {
        var vocabulary = TokenVocabulary.BuildCompact(Examples.SelectMany(e => new[] { e.Prompt, e.Story }));
        var rows = Examples.Select(e =>
        {
            int[] prompt = vocabulary.Encode(e.Prompt);
            int[] row = [.. prompt, .. vocabulary.Encode(e.Story), vocabulary.EosId];
            return (row, prompt.Length);
        }).ToArray();
        int width = rows.Max(r => r.row.Length);
        var config = new GptConfig { VocabSize = vocabulary.Size, DModel = 64, NHeads = 4, NLayers = 2, ContextLength = 64, Dropout = 0 };
        var model = TinyModels.Create(config, seed: 321);
        model.train();
        using var ids = tensor(rows.SelectMany(r => r.row.Select(i => (long)i).Concat(Enumerable.Repeat(0L, width - r.row.Length))).ToArray(), [rows.Length, width]);
        using var mask = tensor(rows.SelectMany(r => Enumerable.Range(0, width).Select(t => t >= r.Item2 && t < r.row.Length ? 1f : 0f)).ToArray(), [rows.Length, width]);
        using var optimizer = optim.AdamW(model.parameters(), lr: 3e-3);
        for (int step = 0; step < 250; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            CompletionLoss.Compute(model, ids, mask).MeanNegativeLogLikelihood().backward();
            NoGcRegion.Run(() => optimizer.step()); // as the Trainer steps (see NoGcRegion)
        }
        model.eval();
        return new StoryModel(model, vocabulary);
    }

    [Fact]
    public void GreedyGenerationReproducesTheStoryWithoutPromptOrEndMarker()
    {
        var greedy = new SamplingOptions { Temperature = 0, MaxNewTokens = 60 };
        foreach (var (prompt, story) in Examples)
            Assert.Equal(story, TextGenerator.Generate(Trained.Value, prompt, greedy));
        Assert.Equal(GenerationStopReason.EndOfText, TextGenerator.GenerateRaw(Trained.Value, Examples[0].Prompt, greedy).StopReason);
    }

    [Fact]
    public void StopStringsCutTheText()
    {
        var options = new SamplingOptions { Temperature = 0, MaxNewTokens = 60, StopStrings = ["voice"] };
        var (text, reason) = TextGenerator.GenerateRaw(Trained.Value, Examples[0].Prompt, options);
        Assert.Equal(("The well answered in her mother's ", GenerationStopReason.StopCondition), (text, reason));
    }

    [Fact]
    public void BatchKeepsInputOrderAndUsesSeedPlusIndex()
    {
        var options = new SamplingOptions { Temperature = 1.5, TopP = 1, MaxNewTokens = 20, Seed = 100 };
        var prompts = new[] { Examples[1].Prompt, Examples[0].Prompt, Examples[1].Prompt };
        var batch = TextGenerator.GenerateBatch(Trained.Value, prompts, options);
        for (int i = 0; i < prompts.Length; i++)
            Assert.Equal(TextGenerator.Generate(Trained.Value, prompts[i], options with { Seed = 100 + i }), batch[i]);
    }

    [Fact]
    public void BatchResultsDoNotDependOnParallelism()
    {
        var options = new SamplingOptions { Temperature = 1.5, TopP = 1, MaxNewTokens = 20, Seed = 7 };
        string[] prompts = [.. Enumerable.Range(0, 9).Select(i => Examples[i % 2].Prompt)];
        var reports = new List<int>();
        var sequential = TextGenerator.GenerateBatch(Trained.Value, prompts, options);
        var parallel = TextGenerator.GenerateBatch(Trained.Value, prompts, options, parallelism: 3, new InlineProgress<int>(reports.Add));
        Assert.Equal(sequential, parallel);
        Assert.Equal(Enumerable.Range(1, prompts.Length), reports);
        Assert.True(sequential.Distinct().Count() > 2, "high-temperature samples should differ by seed");
    }

    [Fact]
    public void ParallelJobsSurfaceTheJobsOwnErrorAndRestoreTorchThreads()
    {
        int threads = get_num_threads();
        var e = Assert.Throws<ArgumentException>(() =>
            TextGenerator.GenerateBatch(Trained.Value, [Examples[0].Prompt, "", Examples[1].Prompt], new SamplingOptions { MaxNewTokens = 5 }, parallelism: 2));
        Assert.Contains("prompt is empty", e.Message);
        Assert.Equal(threads, get_num_threads());
        Assert.Throws<ArgumentOutOfRangeException>(() => ParallelPrompts.For(3, 0, _ => { }));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => ParallelPrompts.For(3, 2, _ => { }, cancellationToken: cancelled.Token));
    }

    [Fact]
    public void ContinuingAGreedyStoryFromItsOwnBeginningWritesTheSameStory()
    {
        // Greedy decoding is a function of the context, so continuing the model's own beginning must end the same way;
        // this pins that Continue reads prompt + begun text exactly as generation had them (same ids, same copy source).
        var options = new SamplingOptions { Temperature = 0, MaxNewTokens = 40 };
        var model = Trained.Value;
        string story = TextGenerator.Generate(model, Examples[0].Prompt, options);
        int[] ids = model.Vocabulary.Encode(story);
        foreach (int cut in new[] { 1, ids.Length / 2, ids.Length - 1 })
            Assert.Equal(story, TextGenerator.Continue(model, Examples[0].Prompt, model.Vocabulary.Decode(ids[..cut]), options));
        // The begun text counts toward the token budget.
        Assert.Equal(model.Vocabulary.Decode(ids[..5]), TextGenerator.Continue(model, Examples[0].Prompt, model.Vocabulary.Decode(ids[..5]), options with { MaxNewTokens = 5 }));
    }

    [Fact]
    public void ABegunResponseLongerThanTheContextIsAClearError()
    {
        string begun = string.Concat(Enumerable.Repeat("The well answered. ", 30));
        var e = Assert.Throws<ArgumentException>(() => TextGenerator.Continue(Trained.Value, Examples[0].Prompt, begun, new SamplingOptions()));
        Assert.Contains("prompt and the begun response are", e.Message);
        Assert.Contains("context length is 64", e.Message);
    }

    [Fact]
    public void EmptyOrOverlongPromptsAreClearErrors()
    {
        var options = new SamplingOptions();
        Assert.Throws<ArgumentException>(() => TextGenerator.Generate(Trained.Value, "", options));
        var e = Assert.Throws<ArgumentException>(() => TextGenerator.Generate(Trained.Value, string.Concat(Enumerable.Repeat("Title: The Well ", 40)), options));
        Assert.Contains("context length is 64", e.Message);
    }
}
