using HorrorAlign.ML.Generation;

namespace HorrorAlign.ML.Tests.Generation;

public class TokenSamplerTests
{
    private static readonly float[] Logits = [2.0f, 1.0f, 0.5f, 3.0f, -1.0f, 0.0f];

    private static int[] Draws(SamplingOptions options, int n = 400)
    {
        var sampler = new TokenSampler(options with { RepetitionPenalty = 1 }, Logits.Length);
        return Enumerable.Range(0, n).Select(_ => sampler.Next((float[])Logits.Clone())).ToArray();
    }

    [Fact]
    public void NoRepeatNGramBansTheTokenThatWouldRepeatAnEarlierRunOfTheStory()
    {
        // Greedy over logits that always prefer 0, 1, 2, 0, 1, 2 … : with trigrams banned, "0 1" can only be followed by 2
        // once; the second time the next best token replaces it.
        static float[] Prefer(int best) => Enumerable.Range(0, 6).Select(i => i == best ? 5f : i == 5 ? 1f : 0f).ToArray();
        var sampler = new TokenSampler(new SamplingOptions { Temperature = 0, NoRepeatNGramSize = 3 }, 6);
        var draws = new[] { 0, 1, 2, 0, 1, 2 }.Select(best => sampler.Next(Prefer(best))).ToArray();
        Assert.Equal(new[] { 0, 1, 2, 0, 1, 5 }, draws);

        // Off by default; and when every token is banned, a repeat beats failing.
        Assert.Equal(0, new SamplingOptions().NoRepeatNGramSize);
        var single = new TokenSampler(new SamplingOptions { Temperature = 0, NoRepeatNGramSize = 1 }, 1);
        Assert.Equal(new[] { 0, 0 }, new[] { single.Next(new float[] { 1f }), single.Next(new float[] { 1f }) });
        Assert.Contains("NoRepeatNGramSize", Assert.Throws<ArgumentException>(() => new SamplingOptions { NoRepeatNGramSize = -1 }.Validate()).Message);
    }

    [Fact]
    public void ObservedTokensCountAsGeneratedForThePenaltyAndTheNGramBan()
    {
        // Token 3 is the argmax (3.0); observed once, a penalty of 2 halves it to 1.5, below token 0 (2.0).
        var penalised = new TokenSampler(new SamplingOptions { Temperature = 0, RepetitionPenalty = 2 }, Logits.Length);
        penalised.Observe(3);
        Assert.Equal(0, penalised.Next((float[])Logits.Clone()));

        // "3 3" observed: with bigrams banned, 3 cannot follow 3 again.
        var banned = new TokenSampler(new SamplingOptions { Temperature = 0, NoRepeatNGramSize = 2 }, Logits.Length);
        banned.Observe(3);
        banned.Observe(3);
        Assert.Equal(0, banned.Next((float[])Logits.Clone()));
        Assert.Throws<ArgumentOutOfRangeException>(() => banned.Observe(Logits.Length));
    }

    [Fact]
    public void GreedyPicksTheArgMax()
        => Assert.All(Draws(new SamplingOptions { Temperature = 0 }, 5), t => Assert.Equal(3, t));

    [Fact]
    public void TopKOnlyDrawsTheKBest()
    {
        var draws = Draws(new SamplingOptions { TopK = 2, TopP = 1 });
        Assert.All(draws, t => Assert.Contains(t, new[] { 3, 0 }));
        Assert.Contains(0, draws); // both are actually drawn
    }

    [Fact]
    public void TopPOnlyDrawsTheNucleus()
    {
        // softmax: p(3)≈0.61, p(0)≈0.22, p(1)≈0.08 … the 0.8 nucleus is {3, 0}.
        var draws = Draws(new SamplingOptions { TopP = 0.8 });
        Assert.Equal(new[] { 0, 3 }, draws.Distinct().OrderBy(t => t));
    }

    [Fact]
    public void LowTemperatureConcentratesAndFullSamplingReachesEveryToken()
    {
        Assert.All(Draws(new SamplingOptions { Temperature = 0.05, TopP = 1 }), t => Assert.Equal(3, t));
        Assert.Equal(Logits.Length, Draws(new SamplingOptions { Temperature = 2, TopP = 1 }, 2000).Distinct().Count());
    }

    [Fact]
    public void SameSeedSameDrawsDifferentSeedDifferentDraws()
    {
        var options = new SamplingOptions { TopP = 1, Temperature = 1.5, Seed = 11 };
        Assert.Equal(Draws(options), Draws(options));
        Assert.NotEqual(Draws(options), Draws(options with { Seed = 12 }));
    }

    [Fact]
    public void RepetitionPenaltyDividesPositiveAndMultipliesNegativeLogitsOfGeneratedTokens()
    {
        var sampler = new TokenSampler(new SamplingOptions { Temperature = 0, RepetitionPenalty = 2 }, 3);
        Assert.Equal(0, sampler.Next(new float[] { 3f, 2f, -1f }));   // nothing generated yet: plain argmax
        var logits = new float[] { 3f, 2f, -1f };
        Assert.Equal(1, sampler.Next(logits));                         // 3 → 1.5 < 2
        Assert.Equal(new[] { 1.5f, 2f, -1f }, logits);
        var negative = new float[] { -1f, -3f, -1.5f };
        Assert.Equal(2, sampler.Next(negative));                       // 0 and 1 were generated: -1 → -2, -3 → -6
        Assert.Equal(new[] { -2f, -6f, -1.5f }, negative);
    }

    [Fact]
    public void NaNLogitsGiveAClearError()
    {
        var sampler = new TokenSampler(new SamplingOptions(), 3);
        Assert.Throws<InvalidOperationException>(() => sampler.Next(new[] { 1f, float.NaN, 0f }));
    }

    [Theory]
    [InlineData(-1, 1.0, 0.9, 1.0, "MaxNewTokens")]
    [InlineData(10, -0.5, 0.9, 1.0, "Temperature")]
    [InlineData(10, 1.0, 0.0, 1.0, "TopP")]
    [InlineData(10, 1.0, 1.5, 1.0, "TopP")]
    [InlineData(10, 1.0, 0.9, 0.0, "RepetitionPenalty")]
    public void InvalidOptionsNameTheField(int maxNew, double temperature, double topP, double penalty, string field)
    {
        var options = new SamplingOptions { MaxNewTokens = maxNew, Temperature = temperature, TopP = topP, RepetitionPenalty = penalty };
        var e = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains(field, e.Message);
    }
}
