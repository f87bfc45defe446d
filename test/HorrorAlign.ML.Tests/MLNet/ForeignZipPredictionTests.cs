using Microsoft.ML;

namespace HorrorAlign.ML.Tests.MLNet;

/// <summary>A foreign ML.NET zip through the plain ML.NET path (Load → CreatePredictionEngine → Predict) fails with the
/// same clear message as <see cref="StoryModelZip.Load(MLContext, string, out DataViewSchema)"/>, not an empty story.</summary>
public sealed class ForeignZipPredictionTests
{
    [Fact]
    public void PlainPredictionThroughAForeignZipFailsClearly()
    {
        using var dir = new MLNetFixtures.TempDir();
        var ml = new MLContext(seed: 3);
        var specs = ml.Data.LoadFromEnumerable([StorySpecInput.FromSpec(MLNetFixtures.Spec(0))]);
        var foreign = ml.Transforms.CopyColumns("Copy", specs.Schema[0].Name).Fit(specs);
        string path = dir.File("foreign.zip");
        ml.Model.Save(foreign, specs.Schema, path);

        var loaded = ml.Model.Load(path, out _);
        using var engine = ml.Model.CreatePredictionEngine<StorySpecInput, StoryPrediction>(loaded);
        var prediction = engine.Predict(StorySpecInput.FromSpec(MLNetFixtures.Spec(0)));

        var e = Assert.Throws<InvalidDataException>(() => prediction.Story);
        Assert.Contains("holds no HorrorAlign story model", e.Message);
        var atLoad = Assert.Throws<InvalidDataException>(() => StoryModelZip.Load(ml, path, out _));
        Assert.Equal(atLoad.Message[atLoad.Message.IndexOf(" is an ML.NET model")..], e.Message[e.Message.IndexOf(" is an ML.NET model")..]);
    }

    [Fact]
    public void AStorySetByTheEngineReadsBack() =>
        Assert.Equal("It was dark.", new StoryPrediction { Story = "It was dark." }.Story);
}
