using Snapshooter.Xunit;

namespace HorrorAlign.ML.Tests.MLNet;

/// <summary>
/// Stories of the tiny trained pipeline at fixed seeds, pinned by snapshots (__snapshots__/, committed). A tiny model
/// trained for a few steps writes nonsense; what the snapshots pin is that data order, seeds, training, storage and
/// sampling stay reproducible. They compare exact text, so they also move if float rounding differs (another CPU's
/// math kernels): regenerate them by deleting the .snap files after checking the other tests pass.
/// </summary>
[Collection(MLNetCollection.Name)]
public sealed class StorySnapshotTests(TrainedPipeline fixture)
{
    [Fact]
    public void SampledStoriesAtFixedSeed()
    {
        var stories = fixture.Predict(fixture.Model, TrainedPipeline.PredictionSpecs);
        Snapshot.Match(TrainedPipeline.PredictionSpecs.Zip(stories, (spec, story) => new { spec.Title, Story = story }).ToArray());
    }

    [Fact]
    public void GreedyStoriesFromTheSftAndDpoModels()
    {
        var ml = fixture.Context;
        var featurized = fixture.Featurizer.Transform(fixture.Data);
        var options = MLNetFixtures.GeneratorOptions();
        options.Temperature = 0;
        var results = new[] { (StoryModelTransformer)fixture.Sft, fixture.Dpo }.Select(model =>
        {
            using var generator = ml.StoryGeneration().GenerateStory(options).Fit(featurized, model);
            var chain = new Microsoft.ML.Data.TransformerChain<Microsoft.ML.ITransformer>(fixture.Featurizer, generator);
            return fixture.Predict(chain, TrainedPipeline.PredictionSpecs.Take(2));
        }).ToArray();
        Snapshot.Match(new { Sft = results[0], Dpo = results[1] });
    }
}
