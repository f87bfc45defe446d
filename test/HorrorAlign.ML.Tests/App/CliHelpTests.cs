using HorrorAlign.ML.Samples.Cli;
using HorrorAlign.ML.Samples.Commands;

namespace HorrorAlign.ML.Tests.App;

/// <summary>Help comes from the option definitions: every command answers <c>--help</c> (even without its required
/// options), and the root answers <c>--version</c>.</summary>
public sealed class CliHelpTests
{
    private static readonly HorrorAlignCli Cli = new(new CliConsole(new AppConsole().Console, TextWriter.Null, TextReader.Null));

    [Theory]
    [InlineData("data")]
    [InlineData("generate")]
    [InlineData("evaluate")]
    [InlineData("bench")]
    [InlineData("train")]
    [InlineData("serve")]
    public void EachCommandsHelpListsEveryOptionItDefines(string command)
    {
        foreach (string help in new[] { "--help", "-h" })
        {
            var run = CliRun.Invoke([command, help]);

            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal("", run.Error);
            Assert.Contains($"Usage:\n  horroralign {command} [options]", run.Out);
            foreach (var option in Cli.Root.Subcommands.Single(c => c.Name == command).Options)
                Assert.Contains(option.Name, run.Out);
        }
    }

    [Fact]
    public void HelpShowsDescriptionsDefaultsAndTheOriginalsAliases()
    {
        var run = CliRun.Invoke(["generate", "--help"]);

        Assert.Contains("--checkpoint, --model <PATH> (REQUIRED)", run.Out);
        Assert.Contains("--mode <oneshot|repl>", run.Out);
        Assert.Matches(@"--top-p <X>\s+Nucleus threshold.*\[default: 0\.95\]", run.Out);
        Assert.Matches(@"--max-new-tokens <N>\s+Most new tokens per story\. \[default: 200\]", run.Out);
    }

    [Fact]
    public void TrainsHelpListsItsOwnFlagsAndTheSharedGroups()
    {
        var run = CliRun.Invoke(["train", "--help"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("--sft-train <N>", run.Out);  // the data-size group
        Assert.Contains("--top-p <X>", run.Out);      // the sampling group
        foreach (var flag in new[] { "--config", "--resume", "--out", "--seed", "--d-model", "--dpo-lr", "--beta", "--on-policy-specs", "--benchmark", "--keep-checkpoints" })
            Assert.Contains(flag, run.Out);
        Assert.Matches(@"default\s+96\)", run.Out); // the default run's value, in words: the preset decides
    }

    [Fact]
    public void RootHelpListsTheCommands_AndNoCommandIsAUsageError()
    {
        var help = CliRun.Invoke(["--help"]);
        Assert.Equal(0, help.ExitCode);
        foreach (var name in new[] { "train", "generate", "evaluate", "data", "bench", "serve", "--version" })
            Assert.Contains(name, help.Out);

        var none = CliRun.Invoke([]);
        Assert.Equal(ExitCode.Usage, none.ExitCode);
        Assert.Contains("Commands:", none.Error);
    }

    [Fact]
    public void VersionIsTheToolsInformationalVersion()
    {
        var run = CliRun.Invoke(["--version"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(InformationalVersionAction.Version, run.Out.Trim());
        Assert.StartsWith("0.1.0", run.Out);
    }
}
