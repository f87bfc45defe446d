using System.Text;
using HorrorAlign.ML.Generation;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Samples.Cli;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Tests.Data;
using HorrorAlign.ML.Tests.Specs;

namespace HorrorAlign.ML.Tests.App;

/// <summary>Bad inputs on the command line (issue 16): exit 1 naming the file, line and field, or exit 2 naming the
/// flag, and nothing generated.</summary>
public sealed class CliInputValidationTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _model;

    public CliInputValidationTests()
    {
        _model = _dir.File("model.zip");
        using var model = PromptFitTests.Model();
        ModelArchive.Save(model, _model, new SamplingOptions { MaxNewTokens = 4 });
    }

    public void Dispose() => _dir.Dispose();

    private string Write(string name, string text) => WriteBytes(name, Encoding.UTF8.GetBytes(text));

    private string WriteBytes(string name, byte[] bytes)
    {
        string path = _dir.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static void AssertFails(CliRun run, int exitCode, string expectedStart)
    {
        Assert.True(run.ExitCode == exitCode, run.ToString());
        Assert.StartsWith("error: " + expectedStart, run.Error, StringComparison.Ordinal);
    }

    private CliRun Generate(params string[] input) => CliRun.Invoke(["generate", "--model", _model, "--max-new-tokens", "4", .. input]);

    [Fact]
    public void SpecFileWithInvalidUtf8_NamesFileAndLine()
    {
        byte[] bytes = Encoding.UTF8.GetBytes(StorySpecTests.Poster.ToJson().Replace("Kai", "Zo?", StringComparison.Ordinal));
        bytes[Array.IndexOf(bytes, (byte)'?')] = 0xFF;
        string path = WriteBytes("spec.json", bytes);
        AssertFails(Generate("--spec", path), ExitCode.Failure, path + ":1: file is not valid UTF-8");
    }

    [Fact]
    public void SpecFileErrors_NameTheFile()
    {
        string syntax = Write("syntax.json", "{\n\"title\": \"x\",\n\"setting\" \"y\"}");
        AssertFails(Generate("--spec", syntax), ExitCode.Failure, syntax + ":3: file is not valid JSON");
        string surrogate = Write("surrogate.json", StorySpecTests.Poster.ToJson().Replace("\"Kai\"", "\"\\ud800\"", StringComparison.Ordinal));
        AssertFails(Generate("--spec", surrogate), ExitCode.Failure, surrogate + ": field 'supporting_character' holds an unpaired surrogate");
        string token = Write("token.json", (StorySpecTests.Poster with { Taboo = "never say <|endoftext|>" }).ToJson());
        AssertFails(Generate("--spec", token), ExitCode.Failure, token + ": field 'taboo' must not contain special-token text");
    }

    [Fact]
    public void EmptySpecsFile_IsAnError()
    {
        string specs = Write("specs.jsonl", ""), output = _dir.File("out.jsonl");
        AssertFails(Generate("--specs", specs, "--out", output), ExitCode.Failure, specs + ": the file holds no specs");
        Assert.False(File.Exists(output));
        AssertFails(CliRun.Invoke(["evaluate", "--model", _model, "--specs", specs]), ExitCode.Failure, specs + ": the file holds no specs");
    }

    [Fact]
    public void SpecTooLongForTheContext_IsNamedByLineBeforeAnyStory()
    {
        string specs = Write("specs.jsonl", StorySpecTests.Poster.ToJson() + "\n\n" + PromptFitTests.Long.ToJson() + "\n"), output = _dir.File("out.jsonl");
        AssertFails(Generate("--specs", specs, "--out", output), ExitCode.Failure, specs + ":3: spec 2 (id 'long-1'): its prompt is ");
        Assert.False(File.Exists(output));
        AssertFails(CliRun.Invoke(["evaluate", "--model", _model, "--specs", specs, "--max-new-tokens", "4"]), ExitCode.Failure, "spec 2 (id 'long-1'): its prompt is ");
    }

    [Fact]
    public void LoneSurrogateInTheRepl_IsAnErrorLineAndTheLoopGoesOn()
    {
        string spec = StorySpecTests.Poster.ToJson().Replace("\"Kai\"", "\"\\ud800\"", StringComparison.Ordinal);
        var run = Generate(["--interactive"], new StringReader(spec + "\n" + StorySpecTests.Poster.ToJson() + "\n:quit\n"));
        Assert.True(run.ExitCode == ExitCode.Success, run.ToString());
        Assert.Contains("error: field 'supporting_character' holds an unpaired surrogate", run.Out, StringComparison.Ordinal);
        Assert.Contains("[checks: ", run.Out, StringComparison.Ordinal); // the next spec was written
    }

    private CliRun Generate(string[] input, TextReader stdin) => CliRun.Invoke(["generate", "--model", _model, "--max-new-tokens", "4", .. input], stdin);

    [Theory]
    [InlineData("--sft-train")]
    [InlineData("--heldout-specs")]
    public void HugeDataSizes_AreUsageErrorsNamingTheFlag(string flag)
    {
        string output = _dir.File("data");
        AssertFails(CliRun.Invoke(["data", "--out", output, flag, "2000000000"]), ExitCode.Usage, flag + " must be in [0, ");
        Assert.False(Directory.Exists(output));
    }

    [Theory]
    [InlineData("--repetition-penalty", "1e-50")]
    [InlineData("--temperature", "1e308")]
    [InlineData("--temperature", "1e-50")]
    public void SamplingValuesOutOfRange_AreUsageErrorsNamingTheFlag(string flag, string value) =>
        AssertFails(Generate("--prompt", "hello", flag, value), ExitCode.Usage, flag + ": must be ");
}
