using HorrorAlign.ML.MLNet;
using HorrorAlign.ML.Training;
using Microsoft.ML;

namespace HorrorAlign.ML.Tests.MLNet;

/// <summary>The SFT warm start, and which rows of one data view each stage trains on.</summary>
[Collection(MLNetCollection.Name)]
public sealed class StoryTrainerRowTests(TrainedPipeline fixture)
{
    [Fact]
    public void SftWarmStartContinuesFromTheGivenModelWithoutChangingIt()
    {
        var ml = fixture.Context;
        var featurized = fixture.Featurizer.Transform(fixture.Data);
        var options = MLNetFixtures.SftOptions();
        options.Training = options.Training with { MaxSteps = 2 };
        using var warm = ml.StoryGeneration().Trainers.Sft(options).Fit(featurized, fixture.Sft);
        using var fresh = ml.StoryGeneration().Trainers.Sft(options).Fit(featurized);

        Assert.NotEqual(fixture.Sft.ModelHash, warm.ModelHash);
        Assert.Equal(fixture.Sft.Model.Config, warm.Model.Config);
        Assert.Equal(fixture.Sft.Model.Vocabulary.Size, warm.Model.Vocabulary.Size);
        // The given model is untouched: encoded again, it has its stored hash.
        Assert.Equal(fixture.Sft.ModelHash, ModelPayload.Encode(fixture.Sft.Model, fixture.Sft.StoredPrecision).Hash);
        // It continued from the trained weights: its first loss is far below that of the same run from scratch.
        static double FirstLoss(StoryModelTransformer t) => t.TrainingHistory.First(m => m.Values.ContainsKey(MetricNames.Loss)).Values[MetricNames.Loss];
        Assert.True(FirstLoss(warm) < FirstLoss(fresh) - 0.1, $"warm {FirstLoss(warm)}, fresh {FirstLoss(fresh)}");
    }
}
