using HorrorAlign.ML.Samples.Cli;
using HorrorAlign.ML.Tests.Data;

namespace HorrorAlign.ML.Tests.App;

/// <summary>Ctrl+C (a cancelled token) ends every command with one line on stderr and exit 130, never an exception.</summary>
public sealed class CliCancellationTests
{
    private static CancellationToken Cancelled() => new(canceled: true);

    [Fact]
    public void EvaluateStopsWithExit130AndWritesNothing()
    {
        using var dir = new TempDirectory();
        string stories = dir.File("stories.jsonl"), report = dir.File("report.json");
        var cases = FixedStories.Build();
        File.WriteAllLines(stories, cases.Select(c => System.Text.Json.JsonSerializer.Serialize(new { prompt = c.Spec.ToPrompt(), story = c.Story })));

        var run = CliRun.Invoke(["evaluate", "--stories", stories, "--out", report], ct: Cancelled());

        Assert.True(run.ExitCode == ExitCode.Interrupted, run.ToString());
        Assert.Equal("interrupted: evaluate stopped (Ctrl+C)\n", run.Error);
        Assert.False(File.Exists(report));
    }

    [Theory]
    [InlineData("data", "--out", "{dir}")]
    [InlineData("generate", "--model", "{dir}/model.zip", "--prompt", "p")]
    [InlineData("evaluate", "--model", "{dir}/model.zip", "--specs", "{dir}/specs.jsonl")]
    [InlineData("bench", "--quick", "--json", "{dir}/bench.json")]
    [InlineData("train", "--config", "tiny", "--out", "{dir}")]
    [InlineData("serve", "--model", "{dir}/model.zip")]
    public void EveryCommandStopsWithExit130(params string[] args)
    {
        using var dir = new TempDirectory();
        string folder = dir.File("out");

        var run = CliRun.Invoke([.. args.Select(a => a.Replace("{dir}", folder, StringComparison.Ordinal))], ct: Cancelled());

        Assert.True(run.ExitCode == ExitCode.Interrupted, run.ToString());
        Assert.Equal($"interrupted: {args[0]} stopped (Ctrl+C)\n", run.Error);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void CancellationInsideTheWorkIsCaughtToo()
    {
        using var cts = new CancellationTokenSource();
        var error = new StringWriter();

        int code = GuardedAction.Run("evaluate", error, () =>
        {
            cts.Cancel(); // Ctrl+C while the library works: it throws at its next check
            cts.Token.ThrowIfCancellationRequested();
            return 0;
        }, cts.Token);

        Assert.Equal(ExitCode.Interrupted, code);
        Assert.Equal("interrupted: evaluate stopped (Ctrl+C)\n", error.ToString());
    }
}
