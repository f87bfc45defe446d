using System.Text;
using System.Text.Json;
using HorrorAlign.ML.Data;
using HorrorAlign.ML.Specs;

namespace HorrorAlign.ML.Tests.Specs;

public class StorySpecTests
{
    /// <summary>The poster's example spec (its prompt is the last case of golden/gpt2_tokens.json).</summary>
    internal static readonly StorySpec Poster = new("The Door That Wasn't There", "an old apartment building during a winter blackout",
        "Mina", "Kai", "a brass key", "never answer knocks after 2 a.m.", "the sound is coming from inside the walls");

    internal static string GoldenPosterPrompt()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "data", "golden", "gpt2_tokens.json")));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Last().GetProperty("text").GetString()!;
    }

    [Fact]
    public void ToPrompt_EqualsThePostersPromptByteForByte()
    {
        string golden = GoldenPosterPrompt();
        Assert.Equal(golden, Poster.ToPrompt());
        Assert.Equal(Encoding.UTF8.GetBytes(golden), Encoding.UTF8.GetBytes(Poster.ToPrompt()));
    }

    [Fact]
    public void FromPrompt_ParsesThePostersPromptBackIntoItsSpec() =>
        Assert.Equal(Poster, StorySpec.FromPrompt(GoldenPosterPrompt()));

    [Fact]
    public void FromPrompt_OfToPrompt_IsTheSameSpec_ForManySpecs()
    {
        foreach (var spec in ValuePools.Default.GenerateSpecs(500, seed: 3))
            Assert.Equal(spec, StorySpec.FromPrompt(spec.ToPrompt()));
        Assert.Equal(Poster, StorySpec.FromPrompt(Poster.ToPrompt().Replace("\n", "\r\n", StringComparison.Ordinal)));
    }

    [Fact]
    public void FromPrompt_RejectsTextThatIsNotAPrompt()
    {
        var e = Assert.ThrowsAny<FormatException>(() => StorySpec.FromPrompt("Once upon a time there was a house."));
        Assert.Contains("Not a story prompt", e.Message, StringComparison.Ordinal);
        var footer = Assert.ThrowsAny<FormatException>(() => StorySpec.FromPrompt(Poster.ToPrompt().Replace("Story:\n", "Tale:\n", StringComparison.Ordinal)));
        Assert.Contains("Story:", footer.Message, StringComparison.Ordinal);
        Assert.False(StorySpec.TryFromPrompt("nope", out var none));
        Assert.Null(none);
    }

    [Theory]
    [InlineData("Title: ", "title")]
    [InlineData("Supporting character: ", "supporting_character")]
    [InlineData("Taboo rule: ", "taboo")]
    [InlineData("Twist: ", "twist")]
    public void FromPrompt_MissingFieldLine_NamesTheField(string label, string field)
    {
        string prompt = Poster.ToPrompt();
        int start = prompt.IndexOf(label, StringComparison.Ordinal);
        int end = prompt.IndexOf('\n', start);
        var e = Assert.Throws<SpecValidationException>(() => StorySpec.FromPrompt(prompt.Remove(start, end - start + 1)));
        Assert.Equal(field, e.Field);
        Assert.Contains(label.TrimEnd(), e.Message, StringComparison.Ordinal);
        Assert.Contains(field, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromPrompt_BlankValue_NamesTheField()
    {
        var e = Assert.Throws<SpecValidationException>(() => StorySpec.FromPrompt(Poster.ToPrompt().Replace("Twist: the sound is coming from inside the walls", "Twist: ", StringComparison.Ordinal)));
        Assert.Equal("twist", e.Field);
    }

    public static TheoryData<Func<StorySpec, StorySpec>, string> InvalidSpecs => new()
    {
        { s => s with { Title = "" }, "title" },
        { s => s with { Setting = "   " }, "setting" },
        { s => s with { Protagonist = " Mina" }, "protagonist" },
        { s => s with { SupportingCharacter = "Kai " }, "supporting_character" },
        { s => s with { Object = "a brass\nkey" }, "object" },
        { s => s with { Taboo = new string('x', StorySpec.MaxFieldLength + 1) }, "taboo" },
        { s => s with { Twist = null! }, "twist" },
        { s => s with { SupportingCharacter = "MINA" }, "supporting_character" },
        { s => s with { Id = " " }, "id" },
    };

    [Theory]
    [MemberData(nameof(InvalidSpecs))]
    public void Validate_NamesTheOffendingField(Func<StorySpec, StorySpec> corrupt, string field)
    {
        var e = Assert.Throws<SpecValidationException>(() => corrupt(Poster).Validate());
        Assert.Equal(field, e.Field);
        Assert.Contains($"'{field}'", e.Message, StringComparison.Ordinal);
        Assert.Null(e.FileName);
        Assert.IsAssignableFrom<FormatException>(e);
        Assert.Throws<SpecValidationException>(() => corrupt(Poster).ToPrompt());
    }

    [Fact]
    public void Validate_AcceptsTheLongestAllowedValue() =>
        (Poster with { Title = new string('x', StorySpec.MaxFieldLength) }).Validate();

    [Fact]
    public void Json_UsesSnakeCaseNames_AndRoundTrips()
    {
        string json = JsonSerializer.Serialize(Poster);
        using (var doc = JsonDocument.Parse(json))
        {
            string[] names = [.. doc.RootElement.EnumerateObject().Select(p => p.Name)];
            Assert.Equal(["title", "setting", "protagonist", "supporting_character", "object", "taboo", "twist"], names);
        }
        Assert.Equal(Poster, JsonSerializer.Deserialize<StorySpec>(json));

        var withId = Poster with { Id = "spec-7" };
        string withIdJson = JsonSerializer.Serialize(withId);
        Assert.StartsWith("{\"id\":\"spec-7\",\"title\":", withIdJson, StringComparison.Ordinal);
        Assert.Equal(withId, JsonSerializer.Deserialize<StorySpec>(withIdJson));

        // The project's own writer gives the same names, and keeps apostrophes readable.
        Assert.Equal("{\"id\":\"spec-7\",\"title\":\"The Door That Wasn't There\",\"setting\":\"an old apartment building during a winter blackout\"," +
            "\"protagonist\":\"Mina\",\"supporting_character\":\"Kai\",\"object\":\"a brass key\",\"taboo\":\"never answer knocks after 2 a.m.\"," +
            "\"twist\":\"the sound is coming from inside the walls\"}", withId.ToJson());
        Assert.Equal(withId, StorySpec.FromJson(withId.ToJson()));
    }

    [Fact]
    public void FromJson_MissingOrWrongTypedField_NamesIt()
    {
        var missing = Assert.Throws<SpecValidationException>(() => StorySpec.FromJson(Poster.ToJson().Replace(",\"twist\":\"the sound is coming from inside the walls\"", "", StringComparison.Ordinal)));
        Assert.Equal("twist", missing.Field);
        var wrongType = Assert.Throws<SpecValidationException>(() => StorySpec.FromJson(Poster.ToJson().Replace("\"Mina\"", "7", StringComparison.Ordinal)));
        Assert.Equal("protagonist", wrongType.Field);
        Assert.ThrowsAny<FormatException>(() => StorySpec.FromJson("{not json"));
    }

    [Fact]
    public void SpecFile_ReportsFileLineAndField()
    {
        string dir = Directory.CreateTempSubdirectory("ha-spec-").FullName;
        try
        {
            string path = Path.Combine(dir, "specs.jsonl");
            StorySpecFile.Write(path, [Poster, Poster with { Id = "b" }]);
            Assert.Equal([Poster, Poster with { Id = "b" }], StorySpecFile.Read(path));

            File.WriteAllText(path, Poster.ToJson() + "\n" + Poster.ToJson().Replace("\"never answer knocks after 2 a.m.\"", "\"\"", StringComparison.Ordinal) + "\n");
            var e = Assert.Throws<SpecValidationException>(() => StorySpecFile.Read(path));
            Assert.Equal("taboo", e.Field);
            Assert.Equal(path, e.FileName);
            Assert.Equal(2, e.Line);
            Assert.StartsWith(path + ":2: ", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
