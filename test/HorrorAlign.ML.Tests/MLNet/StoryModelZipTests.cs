using System.Text.Json;
using HorrorAlign.ML.MLNet;
using HorrorAlign.ML.Persistence;
using Microsoft.ML;

namespace HorrorAlign.ML.Tests.MLNet;

[Collection(MLNetCollection.Name)]
public sealed class StoryModelZipTests(TrainedPipeline fixture)
{
    [Fact]
    public void FreshProcessLoadReproducesTheStories()
    {
        using var dir = new MLNetFixtures.TempDir();
        string specs = dir.File("specs.jsonl"), output = dir.File("stories.json");
        File.WriteAllLines(specs, TrainedPipeline.PredictionSpecs.Select(s => s.ToJson()));

        var (code, log) = ChildProcess.Run("predict", fixture.ZipPath, specs, output);

        Assert.True(code == 0, log);
        var childStories = JsonSerializer.Deserialize<string[]>(File.ReadAllText(output))!;
        Assert.Equal(fixture.Predict(fixture.Model, TrainedPipeline.PredictionSpecs), childStories);
        Assert.All(childStories, s => Assert.False(string.IsNullOrWhiteSpace(s)));
    }

    [Fact]
    public void LoadSaveLoadKeepsTheModels()
    {
        using var dir = new MLNetFixtures.TempDir();
        var ml = new MLContext(seed: 3);
        var first = StoryModelZip.Load(ml, fixture.ZipPath, out var schema, out var info);
        Assert.Equal([fixture.Sft.ModelHash, fixture.Dpo.ModelHash], info.ModelHashes);
        Assert.Equal(new FileInfo(fixture.ZipPath).Length, info.ZipBytes);
        Assert.True(info.LoadTime > TimeSpan.Zero);

        string again = dir.File("again.zip");
        StoryModelZip.Save(ml, first, schema, again);
        var second = StoryModelZip.Load(ml, again, out _, out var info2);

        Assert.Equal(info.ModelHashes, info2.ModelHashes);
        Assert.Equal(info.PayloadChars, info2.PayloadChars);
        Assert.Same(fixture.Dpo.Model, second.GetStoryModel()); // same hash: the one cached model
        Assert.Equal(fixture.Predict(fixture.Model, TrainedPipeline.PredictionSpecs), fixture.Predict(second, TrainedPipeline.PredictionSpecs));
    }

    [Fact]
    public void LoadedModelServesSeveralThreadsWithSingleThreadResults()
    {
        var ml = new MLContext(seed: 3);
        var loaded = ml.Model.Load(fixture.ZipPath, out _);
        var specs = Enumerable.Range(0, 6).Select(MLNetFixtures.Spec).ToArray();
        var expected = fixture.Predict(loaded, specs);

        var results = new string[4][];
        var threads = Enumerable.Range(0, results.Length).Select(t => new Thread(() =>
        {
            // PredictionEngine is not thread-safe: one per thread, all sharing the cached model.
            using var engine = ml.Model.CreatePredictionEngine<StorySpecInput, StoryPrediction>(loaded);
            results[t] = specs.Reverse().Select(s => engine.Predict(StorySpecInput.FromSpec(s)).Story).Reverse().ToArray();
        })).ToArray();
        foreach (var thread in threads) thread.Start();
        foreach (var thread in threads) thread.Join();

        Assert.All(results, r => Assert.Equal(expected, r));
    }

    [Fact]
    public void GetStoryModelGivesTheLastModelForPerCallOptions()
    {
        var ml = new MLContext(seed: 3);
        var loaded = ml.Model.Load(fixture.ZipPath, out _);
        var model = loaded.GetStoryModel();
        Assert.Equal([fixture.Sft.ModelHash, fixture.Dpo.ModelHash], loaded.GetStoryModelHashes());
        var greedy = new HorrorAlign.ML.Generation.SamplingOptions { Temperature = 0, MaxNewTokens = 12 };
        string prompt = MLNetFixtures.Spec(0).ToPrompt();
        Assert.Equal(HorrorAlign.ML.Generation.TextGenerator.Generate(fixture.Dpo.Model, prompt, greedy),
            HorrorAlign.ML.Generation.TextGenerator.Generate(model, prompt, greedy));
    }

    [Fact]
    public void ReleasedModelsAreDecodedAgainOnUse()
    {
        using var dir = new MLNetFixtures.TempDir();
        var ml = new MLContext(seed: 3);
        var spec = MLNetFixtures.Spec(1);
        var data = ml.Data.LoadFromEnumerable([new PromptRow { Prompt = spec.ToPrompt() }]);
        // A generator that embeds an exact float32 copy of the SFT model: a model of its own, with its own hash.
        var generator = ml.StoryGeneration().GenerateStory(MLNetFixtures.GeneratorOptions()).Fit(data, fixture.Sft.Model);
        string hash = generator.GetStoryModelHashes().Single();
        Assert.NotEqual(fixture.Sft.ModelHash, hash);
        string path = dir.File("generator.zip");
        StoryModelZip.Save(ml, generator, data.Schema, path);
        generator.Dispose(); // its only owner: the model leaves the cache
        Assert.False(StoryModelCache.Contains(hash));

        var loaded = StoryModelZip.Load(ml, path, out _); // decodes eagerly
        Assert.True(StoryModelCache.Contains(hash));
        using var engine = ml.Model.CreatePredictionEngine<PromptRow, StoryPrediction>(loaded);
        string before = engine.Predict(new PromptRow { Prompt = spec.ToPrompt() }).Story;

        Assert.Equal(1, loaded.ReleaseStoryModels());
        Assert.False(StoryModelCache.Contains(hash));
        Assert.Equal(before, engine.Predict(new PromptRow { Prompt = spec.ToPrompt() }).Story); // decoded again
        Assert.True(StoryModelCache.Contains(hash));
        loaded.ReleaseStoryModels();
    }

    [Fact]
    public void HalfPrecisionHalvesTheStoredModel()
    {
        Assert.Equal(WeightPrecision.Float16, fixture.Dpo.StoredPrecision);
        long fp32 = fixture.Dpo.Model.ToBytes(WeightPrecision.Float32).Length;
        Assert.True(fixture.Dpo.StoredBytes < 0.6 * fp32, $"{fixture.Dpo.StoredBytes} vs {fp32}");
        // The zip holds both models base64-encoded and deflated, plus ML.NET's own entries.
        long zip = new FileInfo(fixture.ZipPath).Length;
        Assert.True(zip < 1.5 * (fixture.Sft.StoredBytes + fixture.Dpo.StoredBytes), $"zip {zip} bytes");
    }

    [Fact]
    public void TruncatedZipFailsClearly()
    {
        using var dir = new MLNetFixtures.TempDir();
        string path = dir.File("truncated.zip");
        var bytes = File.ReadAllBytes(fixture.ZipPath);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => StoryModelZip.Load(new MLContext(), path, out _));
        Assert.Contains("truncated.zip", e.Message);
        Assert.Contains("not a readable ML.NET model zip", e.Message);
    }

    [Fact]
    public void CorruptZipFailsClearly()
    {
        using var dir = new MLNetFixtures.TempDir();
        string path = dir.File("corrupt.zip");
        var bytes = File.ReadAllBytes(fixture.ZipPath);
        // Flip bytes in the middle of the largest entry's compressed data: the deflate stream or its CRC breaks.
        for (int i = bytes.Length / 3; i < bytes.Length / 3 + 64; i++) bytes[i] ^= 0x5A;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => StoryModelZip.Load(new MLContext(), path, out _));
        Assert.Contains("corrupt.zip", e.Message);
    }

    [Fact]
    public void TamperedPayloadFailsAtLoadAndAtFirstUse()
    {
        using var dir = new MLNetFixtures.TempDir();
        var ml = new MLContext(seed: 3);
        string payload = fixture.Dpo.Payload;
        int at = payload.Length - 100;
        string tampered = payload[..at] + (payload[at] == 'A' ? 'B' : 'A') + payload[(at + 1)..];
        var data = ml.Data.LoadFromEnumerable([new PromptRow { Prompt = MLNetFixtures.Spec(0).ToPrompt() }]);
        var generator = HorrorAlign.ML.MLNet.InnerPipelines.GenerationStage(ml, tampered,
            HorrorAlign.ML.MLNet.GenerationSettings.Format(new()), "Prompt", "StoryModel", "Story").Fit(data);
        string path = dir.File("tampered.zip");
        StoryModelZip.Save(ml, generator, data.Schema, path);

        var atLoad = Assert.Throws<InvalidDataException>(() => StoryModelZip.Load(ml, path, out _));
        Assert.Contains("tampered.zip", atLoad.Message);
        Assert.Contains("corrupt", atLoad.Message);

        // Plain ML.NET loading decodes lazily: the first prediction reports the same problem.
        var loaded = ml.Model.Load(path, out _);
        using var engine = ml.Model.CreatePredictionEngine<PromptRow, StoryPrediction>(loaded);
        var atUse = Assert.ThrowsAny<Exception>(() => engine.Predict(new PromptRow { Prompt = MLNetFixtures.Spec(0).ToPrompt() }));
        Assert.Contains("HorrorAlign model payload is corrupt", Flatten(atUse));
    }

    [Fact]
    public void ForeignZipFailsClearly()
    {
        using var dir = new MLNetFixtures.TempDir();
        var ml = new MLContext(seed: 3);
        var data = ml.Data.LoadFromEnumerable([new PromptRow { Prompt = "x" }]);
        var foreign = ml.Transforms.CopyColumns("Copy", "Prompt").Fit(data);
        string path = dir.File("foreign.zip");
        ml.Model.Save(foreign, data.Schema, path);

        var e = Assert.Throws<InvalidDataException>(() => StoryModelZip.Load(ml, path, out _));
        Assert.Contains("holds no HorrorAlign story model", e.Message);
        var loaded = ml.Model.Load(path, out _);
        var typed = Assert.Throws<InvalidOperationException>(() => loaded.GetStoryModel());
        Assert.Contains("holds no HorrorAlign story model", typed.Message);
        Assert.Empty(loaded.GetStoryModelHashes());
    }

    [Fact]
    public void NotAZipFailsClearly()
    {
        using var dir = new MLNetFixtures.TempDir();
        string path = dir.File("story.txt");
        File.WriteAllText(path, "Once upon a time");
        var e = Assert.Throws<InvalidDataException>(() => StoryModelZip.Load(new MLContext(), path, out _));
        Assert.Contains("story.txt", e.Message);
    }

    static string Flatten(Exception e) => e.InnerException is null ? e.Message : e.Message + " | " + Flatten(e.InnerException);
}
