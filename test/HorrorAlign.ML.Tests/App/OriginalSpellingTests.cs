using HorrorAlign.ML.Generation;
using HorrorAlign.ML.Samples.Cli;
using HorrorAlign.ML.Samples.Commands;

namespace HorrorAlign.ML.Tests.App;

/// <summary>The original Python pipeline's spellings (<c>--checkpoint</c>, <c>--mode</c>, <c>--top_p</c>,
/// <c>--max_new_tokens</c>, underscores in any flag) parse to exactly what the new spellings do.</summary>
public sealed class OriginalSpellingTests
{
    private static readonly HorrorAlignCli Cli = new(new CliConsole(new AppConsole().Console, TextWriter.Null, TextReader.Null));

    private static GenerateRequest Generate(params string[] args)
    {
        var result = Cli.Parse(["generate", .. args]);
        Assert.Empty(result.Errors);
        return Cli.Root.Subcommands.OfType<GenerateCommand>().Single().Read(result);
    }

    [Fact]
    public void TheOriginalsGenerateFlagsGiveTheSameRequest()
    {
        var original = Generate("--checkpoint", "run/model.zip", "--top_p", "0.9", "--max_new_tokens", "5", "--mode", "repl",
            "--no_repeat_ngram_size", "3", "--repetition_penalty", "1.2", "--top_k=40");
        var current = Generate("--model", "run/model.zip", "--top-p", "0.9", "--max-new-tokens", "5", "--interactive",
            "--no-repeat-ngram", "3", "--repetition-penalty", "1.2", "--top-k", "40");

        Assert.Equal(current, original);
        Assert.Equal(new SamplingOptions { TopP = 0.9, MaxNewTokens = 5, NoRepeatNGramSize = 3, RepetitionPenalty = 1.2, TopK = 40 }, current.Sampling);
        Assert.True(current.Interactive);
    }

    [Fact]
    public void ModeOneshotTakesAPrompt_AndTopPZeroIsGreedy()
    {
        var request = Generate("--checkpoint", "m.zip", "--mode", "oneshot", "--prompt", @"Title: A\nSetting: B", "--top_p", "0");

        Assert.False(request.Interactive);
        Assert.Equal("Title: A\nSetting: B", request.Prompt);
        Assert.Equal((0.0, 1.0), (request.Sampling.Temperature, request.Sampling.TopP)); // the original's convention
    }

    [Fact]
    public void TrainReadsTheOriginalsSpellingsOfTheSamplingGroup()
    {
        var cli = new HorrorAlignCli(new CliConsole(new AppConsole().Console, TextWriter.Null, TextReader.Null));
        var result = cli.Parse(["train", "--top_p", "0.9", "--max_new_tokens", "5", "--enforce-fields", "false"]);
        Assert.Empty(result.Errors);
        var options = ((TrainCommand)result.CommandResult.Command).ReadOptions(result);

        Assert.Equal(new SamplingOptions { TopP = 0.9, MaxNewTokens = 5, EnforceFields = false }, options.Evaluation.Sampling);
        var bad = CliRun.Invoke(["train", "--top-k", "-1"]);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--top-k must not be negative (got -1)", bad.Error);
    }

    [Fact]
    public void UnderscoresBecomeDashesInFlagNamesOnly()
    {
        Assert.Equal(["generate", "--top-p", "0.9", "--max-new-tokens=5", "--prompt", "a_b", "--", "--keep_this"],
            FlagSpelling.Normalize(["generate", "--top_p", "0.9", "--max_new_tokens=5", "--prompt", "a_b", "--", "--keep_this"]));
        Assert.Equal(["--out=dir_name"], FlagSpelling.Normalize(["--out=dir_name"]));
    }
}
