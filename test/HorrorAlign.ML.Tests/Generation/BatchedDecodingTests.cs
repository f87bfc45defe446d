using HorrorAlign.ML.Generation;
using HorrorAlign.ML.Tests.Modeling;
using HorrorAlign.ML.Tests.Training;

namespace HorrorAlign.ML.Tests.Generation;

/// <summary>Batched decoding against one sequence at a time: the same stories for the same seeds, with mixed prompt
/// lengths, stop strings, early ends and per-sequence limits, and no tensor left behind.</summary>
[Collection(SerialTorchCollection.Name)]
public sealed class BatchedDecodingTests
{
    [Fact]
    public void TheBatchWritesWhatEachSequenceWritesAlone()
    {
        using var model = TrainingFixtures.SftModel();
        // Two prompt lengths (two batches), names the model never saw, and a stop string that ends some stories early.
        string[] prompts =
        [
            .. new[] { "Mara", "Ode", "Jun", "Ilse", "Bo", "Kai", "Wren" }.Select(name => TrainingFixtures.Prompt(name, "a brass key")),
            .. new[] { "an old lamp", "a hymn book", "a tin", "a coin", "a map" }.Select(obj => TrainingFixtures.Prompt("Anastasia Villanueva", obj)),
        ];
        var options = new SamplingOptions { MaxNewTokens = 40, Seed = 5, StopStrings = ["o"], TopP = 0.9 };

        var batched = TextGenerator.GenerateBatch(model, prompts, options);
        var alone = prompts.Select((p, i) => TextGenerator.Generate(model, p, options with { Seed = options.Seed + i })).ToArray();

        Assert.Equal(alone, batched);
        // Some ended early on the stop string while others went on (the tiny model writes noise, but seeded noise).
        Assert.Contains(alone, s => s.Length < 10);
        Assert.Contains(alone, s => s.Length > 30);
        Assert.Equal(batched, TextGenerator.GenerateBatch(model, prompts, options, parallelism: 2)); // batches side by side too
    }

    [Fact]
    public void SequencesWithTheirOwnLimitsAndEndsLeaveTheBatchAlone()
    {
        var gpt = TinyModels.Create(TinyModels.Config(vocab: 23, context: 24), seed: 8);
        int[] prompt = [3, 7, 1, 9];
        // Per sequence: its own seed, limit and stop condition; id 5 is end-of-text, so some end on it.
        var requests = Enumerable.Range(0, 6).Select(i => new DecodeRequest(prompt,
            new SamplingOptions { Seed = 100 + i, MaxNewTokens = 3 + 4 * i, TopP = 1.0 },
            i == 2 ? generated => generated.Count(t => t == 11) >= 1 : null)).ToArray();

        var batched = TokenGenerator.GenerateBatch(gpt, requests, eosId: 5);
        for (int i = 0; i < requests.Length; i++)
        {
            var r = requests[i];
            var alone = TokenGenerator.Generate(gpt, r.PromptIds, r.Options, 5, r.StopCondition, sourceLength: null);
            Assert.Equal(alone.Tokens, batched[i].Tokens);
            Assert.Equal(alone.StopReason, batched[i].StopReason);
        }
        // The longest limit runs into the context (24 positions): that row stops for it, as alone.
        Assert.Contains(batched, r => r.StopReason == GenerationStopReason.ContextFull);
        Assert.Contains(batched, r => r.StopReason == GenerationStopReason.MaxNewTokens);
    }

    [Fact]
    public void PromptsOfDifferentLengthsAreRefusedInOneBatch()
    {
        var gpt = TinyModels.Create(TinyModels.Config(), seed: 8);
        var options = new SamplingOptions();
        var e = Assert.Throws<ArgumentException>(() => TokenGenerator.GenerateBatch(gpt, [new([1, 2], options), new([1, 2, 3], options)], eosId: null));
        Assert.Contains("one length", e.Message);
    }

    [Fact]
    public void AThousandBatchedStepsLeaveNoTensorBehind()
    {
        var gpt = TinyModels.Create(TinyModels.Config(vocab: 23, context: 300), seed: 9);
        long Growth(int steps)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            long before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            var requests = Enumerable.Range(0, 8).Select(i => new DecodeRequest([1, 2, 3], new SamplingOptions { Seed = i, MaxNewTokens = steps / 8 + i })).ToArray();
            TokenGenerator.GenerateBatch(gpt, requests, eosId: null);
            return TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount - before;
        }
        // What a decode keeps alive must not depend on how many steps it ran (8 rows × up to 132 steps ≈ 1,000 row-steps).
        Assert.Equal(Growth(16), Growth(1000));
    }
}
