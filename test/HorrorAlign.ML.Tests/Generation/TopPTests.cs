using HorrorAlign.ML.Generation;
using HorrorAlign.ML.Tests.Modeling;

namespace HorrorAlign.ML.Tests.Generation;

public class TopPTests
{
    [Fact]
    public void EveryGoldenNucleusCaseKeepsTheExpectedIndices()
    {
        var golden = GoldenJson.Load("top_p.json");
        int cases = 0;
        foreach (var c in golden.GetProperty("cases").EnumerateArray())
        {
            var probs = GoldenJson.ToDoubles(c.GetProperty("probs")).Select(p => (float)p).ToArray();
            var expected = GoldenJson.ToDoubles(c.GetProperty("expected_kept_indices")).Select(i => (int)i).OrderBy(i => i);
            var kept = TokenSampler.NucleusKeptIndices(probs, c.GetProperty("top_p").GetDouble());
            Assert.Equal(expected, kept.OrderBy(i => i));
            cases++;
        }
        Assert.Equal(6, cases);
    }

    [Fact]
    public void PartialSelectionEqualsAStableFullSort()
    {
        var random = new Random(3);
        foreach (int size in new[] { 1, 7, 64, 65, 300, 3000 })
        {
            // Coarse values force many ties, which a stable sort resolves by index.
            var weights = Enumerable.Range(0, size).Select(_ => (float)random.Next(0, 20)).ToArray();
            var stable = Enumerable.Range(0, size).OrderByDescending(i => weights[i]).ThenBy(i => i).ToArray();
            foreach (int m in new[] { 1, 5, 64, size })
            {
                var result = new int[size];
                int count = TopSelection.Select(weights, m, result);
                Assert.Equal(Math.Min(m, size), count);
                Assert.Equal(stable[..count], result[..count]);
            }
            var all = new int[size];
            TopSelection.SortAll(weights, all, new long[size]);
            Assert.Equal(stable, all);
        }
    }

    [Fact]
    public void NucleusWiderThanTheFirstWindowFallsBackCorrectly()
    {
        // 500 equal probabilities: the nucleus for 0.9 is 450 tokens, far beyond the 64-token first window.
        var probs = Enumerable.Repeat(1f / 500, 500).ToArray();
        Assert.Equal(Enumerable.Range(0, 450), TokenSampler.NucleusKeptIndices(probs, 0.9));
    }
}
