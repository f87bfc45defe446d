using System.Text;
using HorrorAlign.ML.Data;
using HorrorAlign.ML.Generation;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Synthesis;
using HorrorAlign.ML.Tests.Data;

namespace HorrorAlign.ML.Tests.Specs;

/// <summary>Inputs that used to be accepted silently or failed without a location (issue 16): each is now an error
/// naming the file, line, field or option.</summary>
public sealed class InputValidationTests
{
    private static readonly string PosterJson = StorySpecTests.Poster.ToJson();

    private static byte[] Line(string json) => Encoding.UTF8.GetBytes(json + "\n");

    [Fact]
    public void InvalidUtf8_IsAnErrorNamingFileAndLine()
    {
        using var dir = new TempDirectory();
        string path = dir.File("specs.jsonl");
        byte[] bad = Encoding.UTF8.GetBytes(PosterJson.Replace("Mina", "ZoX", StringComparison.Ordinal));
        bad[Array.IndexOf(bad, (byte)'X')] = 0xFF;
        File.WriteAllBytes(path, [.. Line(PosterJson), .. bad, (byte)'\n']);

        var e = Assert.Throws<JsonlFormatException>(() => StorySpecFile.Read(path));
        Assert.Equal(2, e.Line);
        Assert.StartsWith(path + ":2: line is not valid UTF-8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoneSurrogateEscape_NamesFileLineAndField()
    {
        using var dir = new TempDirectory();
        string path = dir.File("specs.jsonl");
        File.WriteAllText(path, PosterJson + "\n" + PosterJson.Replace("\"Mina\"", "\"\\ud800\"", StringComparison.Ordinal) + "\n");

        var e = Assert.Throws<SpecValidationException>(() => StorySpecFile.Read(path));
        Assert.Equal((path, 2, "protagonist"), (e.FileName, e.Line, e.Field));
        Assert.Contains("unpaired surrogate", e.Message, StringComparison.Ordinal);
        // Without a file the field is still named (the REPL's spec lines).
        Assert.Equal("protagonist", Assert.Throws<SpecValidationException>(() => StorySpec.FromJson(PosterJson.Replace("\"Mina\"", "\"\\udc00x\"", StringComparison.Ordinal))).Field);
    }

    [Fact]
    public void LoneSurrogateInAnyJsonlStringField_IsAFormatErrorNamingTheField()
    {
        using var dir = new TempDirectory();
        string path = dir.File("sft.jsonl");
        File.WriteAllText(path, "{\"id\":\"a\",\"prompt\":\"p\",\"response\":\"r \\ud800\"}\n");
        var e = Assert.Throws<JsonlFormatException>(() => SftExample.ReadJsonl(path));
        Assert.Equal((1, "response"), (e.Line, e.Field));
    }

    [Theory]
    [InlineData("the knock comes at <|endoftext|> past two")]
    [InlineData("<|title|>")]
    [InlineData("a door <|x|>")]
    public void SpecialTokenText_IsRejectedNamingTheField(string twist)
    {
        var e = Assert.Throws<SpecValidationException>(() => (StorySpecTests.Poster with { Twist = twist }).Validate());
        Assert.Equal("twist", e.Field);
        Assert.Contains("special-token", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a <| b")]
    [InlineData("a |> b <| c")]
    public void TextThatIsNotASpecialToken_IsAccepted(string twist) =>
        (StorySpecTests.Poster with { Twist = twist }).Validate();

    [Fact]
    public void UnpairedSurrogateBuiltInCode_IsRejected()
    {
        Assert.Equal("object", Assert.Throws<SpecValidationException>(() => (StorySpecTests.Poster with { Object = "a key \ud800" }).Validate()).Field);
        (StorySpecTests.Poster with { Object = "a key 😀" }).Validate(); // a pair is text
    }

    [Fact]
    public void SpecFileSyntaxError_NamesFileAndLine()
    {
        using var dir = new TempDirectory();
        string path = dir.File("spec.json");
        File.WriteAllText(path, "{\n  \"title\": \"x\",\n  \"setting\" \"y\"\n}\n");
        var e = Assert.Throws<JsonlFormatException>(() => StorySpecFile.ReadSingle(path));
        Assert.Equal((path, 3), (e.FileName, e.Line));
        Assert.StartsWith(path + ":3: file is not valid JSON", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SpecFileFieldError_NamesFileAndField()
    {
        using var dir = new TempDirectory();
        string path = dir.File("spec.json");
        File.WriteAllText(path, PosterJson.Replace("\"twist\":\"", "\"twist\":\"<|endoftext|>", StringComparison.Ordinal));
        var e = Assert.Throws<SpecValidationException>(() => StorySpecFile.ReadSingle(path));
        Assert.Equal((path, "twist"), (e.FileName, e.Field));
        Assert.StartsWith(path + ": ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptySpecsFile_IsAnErrorWhereSpecsAreRequired()
    {
        using var dir = new TempDirectory();
        string path = dir.File("specs.jsonl");
        File.WriteAllText(path, "\n  \n");
        Assert.Empty(StorySpecFile.Read(path)); // the library's reader allows an empty list (held-out specs may be none)
        var e = Assert.Throws<InvalidDataException>(() => StorySpecFile.ReadRequired(path));
        Assert.StartsWith(path + ": the file holds no specs", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RequiredRead_KeepsEachSpecsLine()
    {
        using var dir = new TempDirectory();
        string path = dir.File("specs.jsonl");
        File.WriteAllText(path, "\n" + PosterJson + "\n\n" + PosterJson + "\n");
        Assert.Equal([2, 4], StorySpecFile.ReadRequired(path).Select(s => s.Line));
    }

    [Fact]
    public void EmptySftTrainingSplit_IsAnErrorNamingTheFile()
    {
        using var dir = new TempDirectory();
        foreach (string name in new[] { Dataset.SftTrainFile, Dataset.SftValidationFile, Dataset.SftTestFile, Dataset.PrefTrainFile, Dataset.PrefValidationFile, Dataset.PrefTestFile })
            File.WriteAllText(dir.File(name), "");
        var e = Assert.Throws<InvalidDataException>(() => Dataset.ReadFrom(dir.Path));
        Assert.Contains(Dataset.SftTrainFile, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(nameof(DatasetOptions.SftTrainSize), 2_000_000_000)]
    [InlineData(nameof(DatasetOptions.PrefTestSize), DatasetOptions.MaxSplitSize + 1)]
    [InlineData(nameof(DatasetOptions.HeldOutSpecCount), 2_000_000_000)]
    [InlineData(nameof(DatasetOptions.HeldOutSpecCount), DatasetOptions.MaxHeldOutSpecCount + 1)]
    public void HugeDatasetSizes_AreRejectedNamingTheProperty(string property, int size)
    {
        var options = property switch
        {
            nameof(DatasetOptions.SftTrainSize) => new DatasetOptions { SftTrainSize = size },
            nameof(DatasetOptions.PrefTestSize) => new DatasetOptions { PrefTestSize = size },
            _ => new DatasetOptions { HeldOutSpecCount = size },
        };
        Assert.Equal(property, Assert.Throws<ArgumentOutOfRangeException>(() => options.Validate()).ParamName);
        // The maxima themselves are valid.
        new DatasetOptions { SftTrainSize = DatasetOptions.MaxSplitSize, HeldOutSpecCount = DatasetOptions.MaxHeldOutSpecCount }.Validate();
    }

    [Theory]
    [InlineData(nameof(SamplingOptions.RepetitionPenalty), 1e-50)]
    [InlineData(nameof(SamplingOptions.RepetitionPenalty), 1e-4)]
    [InlineData(nameof(SamplingOptions.RepetitionPenalty), 1e4)]
    [InlineData(nameof(SamplingOptions.Temperature), 1e308)]
    [InlineData(nameof(SamplingOptions.Temperature), 100.5)]
    [InlineData(nameof(SamplingOptions.Temperature), 1e-50)]
    public void SamplingValuesThatMisbehaveAsFloats_AreRejectedNamingTheOption(string property, double value)
    {
        var options = property == nameof(SamplingOptions.Temperature) ? new SamplingOptions { Temperature = value } : new SamplingOptions { RepetitionPenalty = value };
        Assert.Equal(property, Assert.Throws<ArgumentException>(options.Validate).ParamName);
    }

    [Fact]
    public void SamplingRangeEnds_AreValid()
    {
        foreach (var options in new SamplingOptions[]
        {
            new() { Temperature = 0 }, new() { Temperature = SamplingOptions.MinTemperature }, new() { Temperature = SamplingOptions.MaxTemperature },
            new() { RepetitionPenalty = SamplingOptions.MinRepetitionPenalty }, new() { RepetitionPenalty = SamplingOptions.MaxRepetitionPenalty },
        })
            options.Validate();
    }
}
