using System.Text;
using HorrorAlign.ML.Data;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Tests.Specs;

namespace HorrorAlign.ML.Tests.Data;

public class JsonlTests
{
    private static readonly string PromptJson = System.Text.Json.JsonSerializer.Serialize(StorySpecTests.Poster.ToPrompt());

    [Fact]
    public void MalformedLine_ReportsFileAndOneBasedLine()
    {
        using var dir = new TempDirectory();
        string path = dir.File("sft.jsonl");
        File.WriteAllText(path, "{\"id\":\"a\",\"prompt\":\"p\",\"response\":\"r\"}\n\n{\"id\":\"b\",\"prompt\":\n");
        var e = Assert.Throws<JsonlFormatException>(() => SftExample.ReadJsonl(path));
        Assert.Equal(3, e.Line); // the blank line 2 is skipped but still counted
        Assert.Equal(path, e.FileName);
        Assert.Null(e.Field);
        Assert.StartsWith(path + ":3: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NonObjectLine_IsRejected()
    {
        using var dir = new TempDirectory();
        string path = dir.File("x.jsonl");
        File.WriteAllText(path, "[1,2]\n");
        var e = Assert.Throws<JsonlFormatException>(() => Jsonl.Read(path, r => r.Line));
        Assert.Equal(1, e.Line);
        Assert.Contains("JSON object", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"id\":\"a\",\"prompt\":\"p\"}", "response")]
    [InlineData("{\"id\":\"a\",\"response\":\"r\"}", "prompt")]
    [InlineData("{\"id\":\"a\",\"prompt\":\"p\",\"response\":\"  \"}", "response")]
    [InlineData("{\"id\":\"a\",\"prompt\":5,\"response\":\"r\"}", "prompt")]
    public void SftRow_MissingOrBadField_IsNamedWithItsLine(string badLine, string field)
    {
        using var dir = new TempDirectory();
        string path = dir.File("sft.jsonl");
        File.WriteAllText(path, "{\"id\":\"ok\",\"prompt\":\"p\",\"response\":\"r\"}\n" + badLine + "\n");
        var e = Assert.Throws<JsonlFormatException>(() => SftExample.ReadJsonl(path));
        Assert.Equal(2, e.Line);
        Assert.Equal(field, e.Field);
        Assert.Contains($"'{field}'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"prompt\":\"p\",\"chosen\":\"c\"}", "rejected")]
    [InlineData("{\"prompt\":\"p\",\"chosen\":\"c\",\"rejected\":\"r\",\"kind\":\"spooky\"}", "kind")]
    [InlineData("{\"prompt\":\"p\",\"chosen\":\"c\",\"rejected\":\"r\",\"failures\":[1]}", "failures")]
    [InlineData("{\"prompt\":\"p\",\"chosen\":\"c\",\"rejected\":\"r\",\"failures\":[],\"repaired\":\"yes\"}", "repaired")]
    public void PrefRow_MissingOrMalformedFieldOrUnknownKind_IsNamed(string line, string field)
    {
        using var dir = new TempDirectory();
        string path = dir.File("pref.jsonl");
        File.WriteAllText(path, line + "\n");
        var e = Assert.Throws<JsonlFormatException>(() => PreferencePair.ReadJsonl(path));
        Assert.Equal((1, field), (e.Line, e.Field));
    }

    [Fact]
    public void RowSpec_InvalidField_IsReportedWithFileLineAndField()
    {
        using var dir = new TempDirectory();
        string path = dir.File("sft.jsonl");
        string badSpec = StorySpecTests.Poster.ToJson().Replace("\"Kai\"", "\"mina\"", StringComparison.Ordinal);
        File.WriteAllText(path, $"{{\"id\":\"a\",\"prompt\":{PromptJson},\"response\":\"r\"}}\n{{\"id\":\"b\",\"prompt\":{PromptJson},\"response\":\"r\",\"spec\":{badSpec}}}\n");
        var e = Assert.Throws<SpecValidationException>(() => SftExample.ReadJsonl(path));
        Assert.Equal(("supporting_character", 2, path), (e.Field, e.Line, e.FileName));
        Assert.StartsWith(path + ":2: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RowSpec_ThatDoesNotMatchThePrompt_IsRejected()
    {
        using var dir = new TempDirectory();
        string path = dir.File("sft.jsonl");
        string otherSpec = (StorySpecTests.Poster with { Title = "Another Title" }).ToJson();
        File.WriteAllText(path, $"{{\"id\":\"a\",\"prompt\":{PromptJson},\"response\":\"r\",\"spec\":{otherSpec}}}\n");
        var e = Assert.Throws<JsonlFormatException>(() => SftExample.ReadJsonl(path));
        Assert.Equal("spec", e.Field);
    }

    [Fact]
    public void Rows_WithoutIdOrSpec_GetDefaults()
    {
        using var dir = new TempDirectory();
        string path = dir.File("pref.jsonl");
        File.WriteAllText(path, $"{{\"prompt\":{PromptJson},\"chosen\":\"c\",\"rejected\":\"r\"}}\n{{\"prompt\":\"free text\",\"chosen\":\"c\",\"rejected\":\"r\",\"kind\":\"missing_twist\"}}\n");
        var rows = PreferencePair.ReadJsonl(path);
        Assert.Equal("pref:1", rows[0].Id);
        Assert.Equal(PairKind.Contrastive, rows[0].Kind);
        Assert.Equal(StorySpecTests.Poster, rows[0].Spec);
        Assert.Equal(PairKind.MissingTwist, rows[1].Kind);
        Assert.Null(rows[1].Spec);
    }

    [Fact]
    public void Write_GivesOneCompactObjectPerLine_InUtf8WithoutBom_AndRoundTrips()
    {
        using var dir = new TempDirectory();
        string path = dir.File("pref.jsonl");
        var spec = StorySpecTests.Poster;
        PreferencePair[] rows =
        [
            new("p-1", spec.ToPrompt(), "Chosen \"story\"\n\nwith é", "Rejected", PairKind.IgnoresTaboo, spec),
            new("p-2", "free prompt", "c", "r", PairKind.WrongParagraphCount),
        ];
        PreferencePair.WriteJsonl(path, rows);
        byte[] bytes = File.ReadAllBytes(path);
        Assert.False(bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble));
        string[] lines = Encoding.UTF8.GetString(bytes).Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Equal("", lines[2]);
        Assert.StartsWith("{\"id\":\"p-1\",\"prompt\":\"You are a creative writing assistant.\\n", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"kind\":\"ignores_taboo\",\"spec\":{\"title\":", lines[0], StringComparison.Ordinal);
        Assert.Equal("{\"id\":\"p-2\",\"prompt\":\"free prompt\",\"chosen\":\"c\",\"rejected\":\"r\",\"kind\":\"wrong_paragraph_count\"}", lines[1]);
        Assert.Equal(rows, PreferencePair.ReadJsonl(path));
    }

    [Fact]
    public void MissingFile_IsReportedByPath()
    {
        var e = Assert.Throws<FileNotFoundException>(() => SftExample.ReadJsonl("/nonexistent/sft_train.jsonl"));
        Assert.Contains("sft_train.jsonl", e.Message, StringComparison.Ordinal);
    }
}
