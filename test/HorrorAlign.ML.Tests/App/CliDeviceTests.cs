using HorrorAlign.ML.Generation;
using HorrorAlign.ML.Pipeline;
using HorrorAlign.ML.Samples.Cli;
using HorrorAlign.ML.Samples.Commands;
using HorrorAlign.ML.Tests.Data;
using HorrorAlign.ML.Tests.Training;

namespace HorrorAlign.ML.Tests.App;

/// <summary>
/// <c>--device cpu|cuda[:N]</c> on train and generate. A value that is not a device is a parse error naming the flag;
/// CUDA, which this app cannot have (it references TorchSharp-cpu), is a usage error too: both exit 2 before any work.
/// <c>--device cpu</c> changes nothing.
/// </summary>
[Collection(SerialTorchCollection.Name)]
public sealed class CliDeviceTests
{
    [Theory]
    [InlineData("gpu", "generate", "--model", "m.zip", "--prompt", "p")]
    [InlineData("cuda:-1", "generate", "--model", "m.zip", "--prompt", "p")]
    [InlineData("cuda:x", "train", "--config", "tiny")]
    public void AMalformedDeviceNamesTheFlagAndExits2(string device, params string[] args)
    {
        var run = CliRun.Invoke([.. args, "--device", device]);

        Assert.True(run.ExitCode == ExitCode.Usage, run.ToString());
        Assert.Contains($"--device takes cpu, cuda or cuda:N (got '{device}')", run.Error);
        Assert.DoesNotContain("Exception", run.Error);
    }

    [Fact]
    public void CudaWithoutACudaBackendExits2BeforeAnyWork()
    {
        using var dir = new TempDirectory();
        string folder = dir.File("run");

        var train = CliRun.Invoke(["train", "--config", "tiny", "--out", folder, "--quiet", "--device", "cuda"]);
        Assert.True(train.ExitCode == ExitCode.Usage, train.ToString());
        Assert.StartsWith("error: --device: Device 'cuda:0' was requested", train.Error);
        Assert.Contains("TorchSharp-cuda-linux", train.Error);
        Assert.False(Directory.Exists(folder));

        var generate = CliRun.Invoke(["generate", "--model", dir.File("missing.zip"), "--prompt", "p", "--device", "cuda:1"]);
        Assert.True(generate.ExitCode == ExitCode.Usage, generate.ToString());
        Assert.StartsWith("error: --device: Device 'cuda:1' was requested", generate.Error); // before the model is read
        Assert.Equal("", generate.Out);
    }

    [Fact]
    public void DeviceCpuGeneratesTheSameStory()
    {
        using var dir = new TempDirectory();
        using var model = TrainingFixtures.FreshModel(seed: 8);
        string zip = dir.File("model.zip");
        ModelArchive.Save(model, zip, new SamplingOptions { MaxNewTokens = 8 });
        string[] args = ["generate", "--model", zip, "--prompt", TrainingFixtures.Prompt("Mara", "a brass key").Replace("\n", "\\n", StringComparison.Ordinal),
            "--max-new-tokens", "8", "--seed", "4"];

        var plain = CliRun.Invoke(args);
        var onCpu = CliRun.Invoke([.. args, "--device", "cpu"]);

        Assert.True(plain.ExitCode == 0, plain.ToString());
        Assert.True(onCpu.ExitCode == 0, onCpu.ToString());
        Assert.Equal(plain.Out, onCpu.Out);
    }

    [Fact]
    public void TrainStoresTheDeviceForSftAndDpo()
    {
        var cli = new HorrorAlignCli(new CliConsole(new AppConsole().Console, TextWriter.Null, TextReader.Null));
        RunOptions Read(params string[] args)
        {
            var result = cli.Parse(["train", "--config", "tiny", .. args]);
            Assert.Empty(result.Errors);
            return ((TrainCommand)result.CommandResult.Command).ReadOptions(result);
        }

        Assert.Equal(Read().ToJson(), Read("--device", "cpu").ToJson());
        Assert.Equal(("cpu", "cpu"), (Read().Sft.Device, Read().Dpo.Device));
        Assert.Equal(("cpu", "cpu"), (Read("--device", "CPU").Sft.Device, Read("--device", "CPU").Dpo.Device));
    }

    [Fact]
    public void HelpShowsTheFlag()
    {
        foreach (var command in new[] { "train", "generate" })
        {
            var help = CliRun.Invoke([command, "--help"]);
            Assert.Contains("--device <cpu|cuda[:N]>", help.Out);
        }
    }
}
