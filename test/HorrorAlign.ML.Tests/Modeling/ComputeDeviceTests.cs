using HorrorAlign.ML.Modeling;
using TorchSharp;

namespace HorrorAlign.ML.Tests.Modeling;

/// <summary>Device strings: "cpu", "cuda", "cuda:N". This test project references TorchSharp-cpu only (the CUDA backend
/// packages are not served here), so CUDA is never there: the error and the fallback are what is tested; a machine with
/// GPUs is stood in for by the device count only.</summary>
public sealed class ComputeDeviceTests
{
    [Theory]
    [InlineData("cpu", "cpu")]
    [InlineData("CPU", "cpu")]
    [InlineData("cuda", "cuda:0")]
    [InlineData("cuda:0", "cuda:0")]
    [InlineData("Cuda:12", "cuda:12")]
    public void WellFormedDevicesNormalize(string value, string expected)
    {
        Assert.True(ComputeDevice.IsWellFormed(value));
        Assert.Equal(expected, ComputeDevice.Normalize(value));
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:x")]
    [InlineData("cuda:")]
    [InlineData("cuda0")]
    [InlineData(" cpu")]
    [InlineData("")]
    [InlineData("cuda:99999")]
    public void MalformedDevicesAreArgumentErrorsNamingTheValue(string value)
    {
        Assert.False(ComputeDevice.IsWellFormed(value));
        var e = Assert.Throws<ArgumentException>(() => ComputeDevice.Resolve(value));
        Assert.Contains($"'{value}' is not a device", e.Message);
        Assert.Contains("\"cpu\", \"cuda\" or \"cuda:N\"", e.Message);
        Assert.Throws<ArgumentException>(() => ComputeDevice.Normalize(value));
    }

    [Fact]
    public void NoDeviceIsNotADevice() => Assert.Throws<ArgumentException>(() => ComputeDevice.Resolve(null));

    [Fact]
    public void TheCpuIsAlwaysThere()
    {
        Assert.Equal(DeviceType.CPU, ComputeDevice.Resolve("cpu").type);
        Assert.Equal("cpu", ComputeDevice.Name(ComputeDevice.Resolve("CPU", fallbackToCpu: false, warn: _ => Assert.Fail("no warning"))));
    }

    [Fact]
    public void ThisProcessHasNoCuda()
    {
        Assert.True(ComputeDevice.CudaDeviceCount() == 0, "the tests reference TorchSharp-cpu: CUDA must not be available");
    }

    [Theory]
    [InlineData("cuda", "cuda:0")]
    [InlineData("cuda:1", "cuda:1")]
    public void CudaThatIsNotThereIsAClearErrorSayingHowToGetIt(string value, string named)
    {
        var e = Assert.Throws<InvalidOperationException>(() => ComputeDevice.Resolve(value));
        Assert.Contains($"Device '{named}' was requested", e.Message);
        Assert.Contains("CUDA is not available", e.Message);
        Assert.Contains("TorchSharp-cuda-linux", e.Message);
        Assert.Contains("TorchSharp-cuda-windows", e.Message);
        Assert.Contains("instead of TorchSharp-cpu", e.Message);
    }

    [Fact]
    public void WithTheFallbackCudaThatIsNotThereIsTheCpuWithAWarning()
    {
        var warnings = new List<string>();
        var device = ComputeDevice.Resolve("cuda:1", fallbackToCpu: true, warnings.Add);

        Assert.Equal(DeviceType.CPU, device.type);
        var warning = Assert.Single(warnings);
        Assert.Contains("'cuda:1' was requested", warning);
        Assert.Contains("running on the CPU instead", warning);
    }

    [Fact]
    public void OnAMachineWithGpusTheIndexIsChecked()
    {
        var device = ComputeDevice.Resolve("cuda:1", fallbackToCpu: false, warn: null, cudaDevices: () => 2);
        Assert.Equal((DeviceType.CUDA, 1), (device.type, (int)device.index));
        Assert.Equal("cuda:1", ComputeDevice.Name(device));
        Assert.Equal("cuda:0", ComputeDevice.Name(ComputeDevice.Resolve("cuda", false, null, () => 1)));

        var e = Assert.Throws<InvalidOperationException>(() => ComputeDevice.Resolve("cuda:2", false, null, () => 2));
        Assert.Contains("Device 'cuda:2' was requested, but this machine has 2 CUDA device(s), cuda:0 to cuda:1", e.Message);
        var warnings = new List<string>();
        Assert.Equal(DeviceType.CPU, ComputeDevice.Resolve("cuda:2", true, warnings.Add, () => 2).type);
        Assert.Single(warnings);
    }

    [Fact]
    public void MLContextGpuDeviceIdMapsToADevice()
    {
        Assert.Equal("cpu", ComputeDevice.FromGpuDeviceId(null));
        Assert.Equal("cuda:0", ComputeDevice.FromGpuDeviceId(0));
        Assert.Equal("cuda:3", ComputeDevice.FromGpuDeviceId(3));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ComputeDevice.FromGpuDeviceId(-1));
        Assert.Contains("GpuDeviceId", e.Message);
    }

    [Fact]
    public void OnKeepsATensorThatIsAlreadyThere()
    {
        using var t = torch.ones(3);
        Assert.Same(t, t.On(torch.CPU));
    }
}
