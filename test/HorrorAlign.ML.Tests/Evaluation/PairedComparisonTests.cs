using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Synthesis;

namespace HorrorAlign.ML.Tests.Evaluation;

public class PairedComparisonTests
{
    [Theory]
    [InlineData(0, 0, 1.0)]
    [InlineData(1, 0, 1.0)]        // one discordant spec: 2 · ½ = 1
    [InlineData(0, 6, 0.03125)]    // 2 · (½)^6
    [InlineData(2, 8, 0.109375)]   // 2 · (1 + 10 + 45) / 1024
    [InlineData(8, 2, 0.109375)]   // symmetric
    [InlineData(5, 5, 1.0)]
    public void ExactMcNemarMatchesTheBinomialTail(int b, int c, double expected)
        => Assert.Equal(expected, PairedComparison.ExactMcNemar(b, c), 12);

    [Fact]
    public void CountsSpecsByWhichModelsStoryPassedAndRefusesDifferentSpecs()
    {
        var spec = new StorySpec("The Quiet Floor", "a lighthouse", "Mara", "Tobias", "a brass key", "never open the cellar door",
            "the cellar door was never there");
        string good = new StoryWriter().WriteChosen(spec, new Random(1));
        var specs = new[] { spec with { Id = "a" }, spec with { Id = "b" }, spec with { Id = "c" } };
        var first = ModelEvaluator.EvaluateStories(specs, [good, good, "Mara smiled."]);
        var second = ModelEvaluator.EvaluateStories(specs, [good, "Tobias laughed.", good]);

        Assert.Equal(new PairedComparison(1, 1, 1, 0, 1.0), PairedComparison.Of(first, second));
        var other = ModelEvaluator.EvaluateStories([spec with { Id = "a" }, spec with { Id = "x" }, spec with { Id = "c" }], [good, good, good]);
        Assert.Contains("'b'", Assert.Throws<ArgumentException>(() => PairedComparison.Of(first, other)).Message);
        Assert.Throws<ArgumentException>(() => PairedComparison.Of(first, ModelEvaluator.EvaluateStories([spec], [good])));
    }
}
