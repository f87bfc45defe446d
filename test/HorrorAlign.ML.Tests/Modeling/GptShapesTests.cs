using HorrorAlign.ML.Modeling;

namespace HorrorAlign.ML.Tests.Modeling;

public class GptShapesTests
{
    public static TheoryData<bool, bool, bool> Variants() => new()
    {
        { false, false, false }, { true, false, false }, { false, true, false }, { false, false, true }, { true, true, true },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void ShapesEqualTheBuiltModelsStateDict(bool tie, bool copyHead, bool unseen)
    {
        var config = new GptConfig
        {
            VocabSize = 37, DModel = 12, NHeads = 3, NLayers = 2, MlpRatio = 3, ContextLength = 9,
            TieEmbeddings = tie, CopyHead = copyHead, UnseenTokenEmbedding = unseen,
        };
        using var model = new GptModel(config);
        var actual = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        var expected = GptShapes.Of(config);
        Assert.Equal(actual.Keys.Order(), expected.Keys.Order());
        foreach (var (name, shape) in actual) Assert.True(shape.SequenceEqual(expected[name]), name);
        Assert.Equal(actual.Values.Sum(s => s.Aggregate(1L, (n, d) => n * d)), GptShapes.ElementCount(config));
    }

    [Theory]
    [InlineData(nameof(GptConfig.DModel))]
    [InlineData(nameof(GptConfig.NLayers))]
    [InlineData(nameof(GptConfig.ContextLength))]
    [InlineData(nameof(GptConfig.VocabSize))]
    [InlineData(nameof(GptConfig.MlpRatio))]
    public void ConfigsBeyondTheHardLimitsAreRejectedByName(string field)
    {
        var config = field switch
        {
            nameof(GptConfig.DModel) => new GptConfig { DModel = GptLimits.MaxDModel * 2, NHeads = 8 },
            nameof(GptConfig.NLayers) => new GptConfig { NLayers = GptLimits.MaxLayers + 1 },
            nameof(GptConfig.ContextLength) => new GptConfig { ContextLength = 2_000_000_000 },
            nameof(GptConfig.VocabSize) => new GptConfig { VocabSize = GptLimits.MaxVocabSize + 1 },
            _ => new GptConfig { MlpRatio = GptLimits.MaxMlpRatio + 1 },
        };
        var e = Assert.Throws<ArgumentException>(config.Validate);
        Assert.Contains($"GptConfig.{field}", e.Message);
    }
}
