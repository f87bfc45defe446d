using HorrorAlign.ML.Data;
using HorrorAlign.ML.Generation;
using HorrorAlign.ML.MLNet;
using Microsoft.ML;

namespace HorrorAlign.ML.Tests.MLNet;

/// <summary>The generator over an IDataView writes its stories in batches, and they are the stories one call per row writes.</summary>
[Collection(MLNetCollection.Name)]
public sealed class BatchedTransformTests(TrainedPipeline fixture)
{
    [Fact]
    public void TransformOverFiftyRowsWritesWhatFiftySingleCallsWrite()
    {
        var ml = fixture.Context;
        var specs = BenchmarkSpecs.DevSpecs(50);
        var featurized = fixture.Featurizer.Transform(fixture.Data);
        using var generator = ml.StoryGeneration().GenerateStory(MLNetFixtures.GeneratorOptions()).Fit(featurized, fixture.Sft);
        var chain = new Microsoft.ML.Data.TransformerChain<ITransformer>(fixture.Featurizer, generator);

        var view = chain.Transform(ml.Data.LoadFromEnumerable(specs.Select(StorySpecInput.FromSpec)));
        string[] batched = [.. ml.Data.CreateEnumerable<StoryPrediction>(view, reuseRowObject: false).Select(p => p.Story)];

        string[] single = [.. specs.Select(s => TextGenerator.Generate(fixture.Sft.Model, s.ToPrompt(), generator.Sampling))];
        Assert.Equal(single, batched);
        // They came from the batched decode, not from the row mapping writing them one by one.
        string settings = GenerationSettings.Format(generator.Sampling);
        Assert.All(specs, s => Assert.True(PreparedStories.Contains(fixture.Sft.ModelHash, settings, s.ToPrompt())));
    }
}
