using HorrorAlign.ML.Samples.Cli;

namespace HorrorAlign.ML.Tests.App;

/// <summary>Usage errors exit 2 and name the flag on stderr; the library's own exceptions never reach the user for a
/// flag value. Runtime failures exit 1 with <c>error: message</c>.</summary>
public sealed class CliUsageErrorTests
{
    [Theory]
    [InlineData("--sft-train must not be negative (got -5)", "data", "--out", "x", "--sft-train", "-5")]
    [InlineData("--sft-train", "data", "--out", "x", "--sft-train", "abc")]
    [InlineData("--sft-train", "data", "--out", "x", "--sft-train", "99999999999")]
    [InlineData("--heldout-fraction must be in [0, 1) (got 1)", "data", "--out", "x", "--heldout-fraction", "1")]
    [InlineData("--heldout-specs must be 0 when --heldout-fraction is 0", "data", "--out", "x", "--heldout-fraction", "0")]
    [InlineData("--out", "data")]
    [InlineData("--top-p must be at most 1 (got 2)", "generate", "--model", "m.zip", "--prompt", "p", "--top-p", "2")]
    [InlineData("--temperature must be a finite number >= 0 (got -1)", "generate", "--model", "m.zip", "--prompt", "p", "--temperature", "-1")]
    [InlineData("--max-new-tokens must not be negative (got -3)", "generate", "--model", "m.zip", "--prompt", "p", "--max_new_tokens", "-3")]
    [InlineData("--mode takes oneshot or repl (got 'batch')", "generate", "--model", "m.zip", "--prompt", "p", "--mode", "batch")]
    [InlineData("exactly one input", "generate", "--model", "m.zip", "--prompt", "p", "--spec", "s.json")]
    [InlineData("--specs needs --out", "generate", "--model", "m.zip", "--specs", "s.jsonl")]
    [InlineData("--model", "generate", "--prompt", "p")]
    [InlineData("--batch-size must be at least 1 (got 0)", "evaluate", "--model", "m.zip", "--batch-size", "0")]
    [InlineData("--beta must be a positive number (got 0)", "evaluate", "--model", "m.zip", "--beta", "0")]
    [InlineData("--threads must be at least 1 (got 0)", "bench", "--threads", "0")]
    [InlineData("--sft-train must not be negative (got -1)", "train", "--config", "tiny", "--sft-train", "-1")]
    public void ABadValueNamesTheFlagAndExits2(string expected, params string[] args)
    {
        var run = CliRun.Invoke(args);

        Assert.True(run.ExitCode == ExitCode.Usage, run.ToString());
        Assert.Contains(expected, run.Error);
        Assert.DoesNotContain("Exception", run.Error);
        Assert.DoesNotContain("SftTrainSize", run.Error); // property names are the library's, not the user's
    }

    [Fact]
    public void AnUnknownFlagGetsATypoSuggestion()
    {
        var run = CliRun.Invoke(["generate", "--model", "m.zip", "--prompt", "p", "--tempreature", "0.5"]);

        Assert.Equal(ExitCode.Usage, run.ExitCode);
        Assert.Contains("'--tempreature' was not matched. Did you mean one of the following?\n--temperature", run.Error);
        Assert.Contains("'horroralign generate --help' lists its options.", run.Error);
        Assert.Equal("", run.Out);
    }

    [Fact]
    public void AnUnknownCommandGetsATypoSuggestion()
    {
        var run = CliRun.Invoke(["evalute", "--model", "m.zip"]);

        Assert.Equal(ExitCode.Usage, run.ExitCode);
        Assert.Contains("Did you mean one of the following?\nevaluate", run.Error);
    }

    [Fact]
    public void TrainsUnknownFlagsAreUsageErrors()
    {
        var run = CliRun.Invoke(["train", "--config", "tiny", "--bogus", "1"]);

        Assert.Equal(ExitCode.Usage, run.ExitCode);
        Assert.Contains("Unrecognized command or argument '--bogus'", run.Error);
    }

    [Fact]
    public void AMissingFileIsARuntimeErrorNamingIt()
    {
        var run = CliRun.Invoke(["evaluate", "--stories", "/nonexistent/stories.jsonl"]);

        Assert.Equal(ExitCode.Failure, run.ExitCode);
        Assert.StartsWith("error: ", run.Error);
        Assert.Contains("/nonexistent/stories.jsonl", run.Error);
    }
}
