using HorrorAlign.ML.Generation;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Tests.Modeling;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Tests.Generation;

public class TokenGeneratorTests
{
    private static readonly int[] Prompt = [3, 17, 8, 8, 41, 5, 22];

    private static GptModel Model(bool fused = false, double dropout = 0, int context = 64, bool copy = false, int seed = 9)
        => TinyModels.Create(TinyModels.Config(vocab: 50, dModel: 32, heads: 4, context: context, fused: fused, dropout: dropout, copy: copy), seed);

    [Fact]
    public void CachedAndUncachedGreedyDecodingGiveIdenticalTokens()
    {
        // (An untrained copy model under greedy decoding tends to copy one token forever; seed 4 does not.)
        foreach (var (fused, copy, seed) in new[] { (false, false, 9), (true, false, 9), (true, true, 4) })
        {
            var model = Model(fused, copy: copy, seed: seed);
            var options = new SamplingOptions { Temperature = 0, MaxNewTokens = 40 };
            var cached = TokenGenerator.Generate(model, Prompt, options, eosId: null);
            var uncached = TokenGenerator.Generate(model, Prompt, options with { UseKvCache = false }, eosId: null);
            Assert.Equal(40, cached.Tokens.Count);
            Assert.Equal(cached.Tokens, uncached.Tokens);
            Assert.True(cached.Tokens.Distinct().Count() > 1, "a degenerate model would make this test meaningless");
        }
    }

    [Fact]
    public void FixedSeedSamplingIsReproducibleAndSeedsDiffer()
    {
        var model = Model();
        var options = new SamplingOptions { Temperature = 1.3, TopP = 0.95, TopK = 20, MaxNewTokens = 30, Seed = 5 };
        var first = TokenGenerator.Generate(model, Prompt, options, eosId: null).Tokens;
        Assert.Equal(first, TokenGenerator.Generate(model, Prompt, options, eosId: null).Tokens);
        Assert.Equal(first, TokenGenerator.Generate(model, Prompt, options with { UseKvCache = false }, eosId: null).Tokens);
        Assert.NotEqual(first, TokenGenerator.Generate(model, Prompt, options with { Seed = 6 }, eosId: null).Tokens);
    }

    [Fact]
    public void StopsAtEosWithoutEmittingIt()
    {
        var model = Model();
        var greedy = new SamplingOptions { Temperature = 0, MaxNewTokens = 20 };
        var free = TokenGenerator.Generate(model, Prompt, greedy, eosId: null).Tokens;
        // Declare the 4th greedy token the EOS: generation must stop right before it.
        int eos = free[3];
        int firstEos = free.ToList().IndexOf(eos);
        var stopped = TokenGenerator.Generate(model, Prompt, greedy, eosId: eos);
        Assert.Equal(GenerationStopReason.EndOfText, stopped.StopReason);
        Assert.Equal(free.Take(firstEos), stopped.Tokens);
    }

    [Fact]
    public void StopConditionMaxNewTokensAndZeroTokens()
    {
        var model = Model();
        var options = new SamplingOptions { Temperature = 0, MaxNewTokens = 12 };
        var byCondition = TokenGenerator.Generate(model, Prompt, options, eosId: null, stopCondition: g => g.Count == 5);
        Assert.Equal((5, GenerationStopReason.StopCondition), (byCondition.Tokens.Count, byCondition.StopReason));
        var byLength = TokenGenerator.Generate(model, Prompt, options, eosId: null);
        Assert.Equal((12, GenerationStopReason.MaxNewTokens), (byLength.Tokens.Count, byLength.StopReason));
        Assert.Empty(TokenGenerator.Generate(model, Prompt, options with { MaxNewTokens = 0 }, eosId: null).Tokens);
    }

    [Fact]
    public void FullContextStopsCleanlyAndOverlongPromptIsAClearError()
    {
        var model = Model(context: 16);
        var options = new SamplingOptions { Temperature = 0, MaxNewTokens = 100 };
        foreach (bool cache in new[] { true, false })
        {
            var result = TokenGenerator.Generate(model, Prompt.Concat(Prompt).Take(10).ToArray(), options with { UseKvCache = cache }, eosId: null);
            Assert.Equal(GenerationStopReason.ContextFull, result.StopReason);
            Assert.Equal(7, result.Tokens.Count); // 16 positions fed; the token predicted at the last one is kept
        }
        var e = Assert.Throws<ArgumentException>(() => TokenGenerator.Generate(model, new int[17], options, eosId: null));
        Assert.Contains("context length is 16", e.Message);
        Assert.Throws<ArgumentException>(() => TokenGenerator.Generate(model, [], options, eosId: null));
        Assert.Throws<ArgumentException>(() => TokenGenerator.Generate(model, [50], options, eosId: null));
    }

    [Fact]
    public void ConcurrentGenerationOnASharedModelMatchesSequentialAndRestoresTrainingMode()
    {
        var model = Model(dropout: 0.3);
        model.train(); // generation must still run without dropout, and leave training mode on afterwards
        var options = new SamplingOptions { Temperature = 1.0, TopP = 0.9, MaxNewTokens = 25 };
        var sequential = Enumerable.Range(0, 6).Select(i => TokenGenerator.Generate(model, Prompt, options with { Seed = i }, null).Tokens).ToArray();
        var parallel = new IReadOnlyList<int>[6];
        Parallel.For(0, 6, new ParallelOptions { MaxDegreeOfParallelism = 3 },
            i => parallel[i] = TokenGenerator.Generate(model, Prompt, options with { Seed = i }, null).Tokens);
        Assert.Equal(sequential, parallel);
        Assert.True(model.training);

        model.eval();
        Assert.Equal(sequential[0], TokenGenerator.Generate(model, Prompt, options with { Seed = 0 }, null).Tokens);
        Assert.False(model.training);
        Assert.True(is_grad_enabled());
    }
}
