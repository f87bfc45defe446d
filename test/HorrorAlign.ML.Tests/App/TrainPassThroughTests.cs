using HorrorAlign.ML.Samples.Cli;
using HorrorAlign.ML.Samples.Commands;

namespace HorrorAlign.ML.Tests.App;

/// <summary><c>train</c> is registered on System.CommandLine but still parses its own tokens: they must reach it as typed.</summary>
public sealed class TrainPassThroughTests
{
    private static readonly HorrorAlignCli Cli = new(new CliConsole(new AppConsole().Console, TextWriter.Null, TextReader.Null));

    [Fact]
    public void TrainGetsEveryTokenInOrder()
    {
        var result = Cli.Parse(["train", "--config", "tiny", "--top_p=0.5", "--resume", "--json", "--sft-train", "3", "--lr=0.01"]);

        Assert.Empty(result.Errors);
        Assert.Equal(["train", "--config", "tiny", "--top-p", "0.5", "--resume", "--json", "--sft-train", "3", "--lr=0.01"],
            TrainPassThroughCommand.RawTokens(result));
    }
}
