using HorrorAlign.ML.Training;

namespace HorrorAlign.ML.Tests.Training;

/// <summary>TrainingOptions.Device: "cpu" (the default) trains exactly as before; CUDA, which this test project cannot
/// have (it references TorchSharp-cpu only), fails before any work with a message that says how to get it.</summary>
[Collection(SerialTorchCollection.Name)]
public sealed class DeviceTrainingTests
{
    [Fact]
    public void SftAndDpoOnTheCpuGiveTheSameModelsAsWithoutTheOption()
    {
        var (train, validation) = TrainingFixtures.Sft();
        var (pairs, pairValidation) = TrainingFixtures.Pairs();
        var sft = TrainingFixtures.SftOptions() with { MaxEpochs = 1 };
        var dpo = TrainingFixtures.DpoOptions() with { MaxEpochs = 1 };

        using var plain = StoryTraining.TrainSft(train, validation, sft);
        using var onCpu = StoryTraining.TrainSft(train, validation, sft with { Device = "CPU" });
        Assert.Equal("cpu", new SftOptions().Device);
        Assert.Equal(plain.ToBytes(), onCpu.ToBytes());

        using var plainDpo = StoryTraining.TrainDpo(plain, pairs, pairValidation, dpo);
        using var onCpuDpo = StoryTraining.TrainDpo(plain, pairs, pairValidation, dpo with { Device = "cpu" });
        Assert.Equal(plainDpo.ToBytes(), onCpuDpo.ToBytes());
    }

    [Fact]
    public void CudaFailsBeforeTrainingNamingTheDeviceAndTheBackendPackages()
    {
        var (train, validation) = TrainingFixtures.Sft();
        var progress = new List<TrainingMetrics>();
        var e = Assert.Throws<InvalidOperationException>(() => StoryTraining.RunSft(train, validation,
            TrainingFixtures.SftOptions() with { Device = "cuda" }, progress: new Progress<TrainingMetrics>(progress.Add)));
        Assert.Contains("Device 'cuda:0' was requested", e.Message);
        Assert.Contains("TorchSharp-cuda-linux", e.Message);
        Assert.Empty(progress);

        using var sft = TrainingFixtures.FreshModel();
        var (pairs, pairValidation) = TrainingFixtures.Pairs();
        e = Assert.Throws<InvalidOperationException>(() => StoryTraining.TrainDpo(sft, pairs, pairValidation,
            TrainingFixtures.DpoOptions() with { Device = "cuda:1" }));
        Assert.Contains("Device 'cuda:1' was requested", e.Message);
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:x")]
    public void AMalformedDeviceIsRejectedByName(string device)
    {
        var e = Assert.Throws<ArgumentException>(() => (TrainingFixtures.SftOptions() with { Device = device }).Validate());
        Assert.Contains("SftOptions.Device must be", e.Message);
        Assert.Contains($"(got '{device}')", e.Message);
        Assert.Equal("Device", e.ParamName);
        Assert.Throws<ArgumentException>(() => (TrainingFixtures.DpoOptions() with { Device = device }).Validate());
    }
}
