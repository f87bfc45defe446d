using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace HorrorAlign.ML.Tests.MLNet;

/// <summary>
/// The device, as Microsoft.ML.TorchSharp reads it: <c>MLContext.GpuDeviceId</c> (null = the CPU) and
/// <c>MLContext.FallbackToCpu</c>. This test project references TorchSharp-cpu only, so CUDA is never there: asking for
/// it fails clearly, and with the fallback the chain trains and generates on the CPU exactly as without the option.
/// </summary>
[Collection(MLNetCollection.Name)]
public sealed class DeviceTests
{
    /// <summary>A featurize → SFT (2 steps) → generate chain on 6 rows, fitted with a context of seed 1.</summary>
    static (string Hash, string Story, List<(ChannelMessageKind Kind, string Message)> Log) Fit(int? gpuDeviceId, bool fallbackToCpu)
    {
        var ml = new MLContext(seed: 1) { GpuDeviceId = gpuDeviceId, FallbackToCpu = fallbackToCpu };
        var log = new List<(ChannelMessageKind, string)>();
        ml.Log += (_, e) => { lock (log) log.Add((e.Kind, e.Source + ": " + e.RawMessage)); };
        var data = ml.Data.LoadFromEnumerable(MLNetFixtures.Rows(6));
        var sg = ml.StoryGeneration();
        var sft = MLNetFixtures.SftOptions();
        sft.Training = sft.Training with { MaxSteps = 2 };
        using var model = sg.FeaturizeSpec().Append(sg.Trainers.Sft(sft)).Append(sg.GenerateStory(MLNetFixtures.GeneratorOptions())).Fit(data);
        var trained = (SftTransformer)model.ToArray()[1];
        string story = model.Transform(data).GetColumn<string>(StoryColumnNames.Story).First();
        return (trained.ModelHash, story, log);
    }

    [Fact]
    public void GpuDeviceIdWithoutCudaFailsTheFitNamingTheDeviceAndTheBackendPackages()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Fit(gpuDeviceId: 0, fallbackToCpu: false));
        Assert.Contains("Device 'cuda:0' was requested", e.Message);
        Assert.Contains("TorchSharp-cuda-linux", e.Message);
        Assert.Contains("TorchSharp-cuda-windows", e.Message);
    }

    [Fact]
    public void TheGeneratorReadsTheContextToo()
    {
        var ml = new MLContext(seed: 1) { GpuDeviceId = 1 };
        var prompts = ml.Data.LoadFromEnumerable(new[] { new PromptRow { Prompt = "Title: x\nStory:\n" } });
        using var model = Training.TrainingFixtures.FreshModel(seed: 3);
        var e = Assert.Throws<InvalidOperationException>(() => ml.StoryGeneration().GenerateStory(MLNetFixtures.GeneratorOptions()).Fit(prompts, model));
        Assert.Contains("Device 'cuda:1' was requested", e.Message);
    }

    [Fact]
    public void WithFallbackToCpuTheChainTrainsAndGeneratesAsOnTheCpuAndWarns()
    {
        var cpu = Fit(gpuDeviceId: null, fallbackToCpu: false);
        var fallback = Fit(gpuDeviceId: 0, fallbackToCpu: true);

        Assert.Equal(cpu.Hash, fallback.Hash);
        Assert.Equal(cpu.Story, fallback.Story);
        Assert.DoesNotContain(cpu.Log, l => l.Kind == ChannelMessageKind.Warning);
        var warnings = fallback.Log.Where(l => l.Kind == ChannelMessageKind.Warning).Select(l => l.Message).ToList();
        Assert.Contains(warnings, w => w.StartsWith("HorrorAlign.Sft: Device 'cuda:0' was requested", StringComparison.Ordinal)
            && w.EndsWith("running on the CPU instead.", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.StartsWith("HorrorAlign.GenerateStory: Device 'cuda:0' was requested", StringComparison.Ordinal));
    }

    [Fact]
    public void ANegativeGpuDeviceIdIsRejected()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Fit(gpuDeviceId: -1, fallbackToCpu: true));
        Assert.Contains("GpuDeviceId", e.Message);
    }
}
