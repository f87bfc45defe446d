using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Synthesis;
using HorrorAlign.ML.Text;
using HorrorAlign.ML.Tokenization;

namespace HorrorAlign.ML.Tests.Tokenization;

public class FieldTokensTests
{
    private static StorySpec Spec(string protagonist = "Mina", string supporting = "Kai", string obj = "a brass key",
        string taboo = "never answer knocks after 2 a.m.", string twist = "the sound is coming from inside the walls",
        string setting = "an old apartment building during a winter blackout") =>
        new("The Door", setting, protagonist, supporting, obj, taboo, twist);

    // The shapes users write that a spelling model broke on: multi-word, hyphenated and non-ASCII names, a name ending
    // in s, objects without an article or in the plural, quotes and commas inside values, an event as a setting.
    public static TheoryData<StorySpec> Shapes => new()
    {
        Spec("Mary Ann", "Jean-Luc"),
        Spec("Zoë", "Bjørn", obj: "grandmother's rosary"),
        Spec("Siobhán", "James", obj: "two brass keys on a red string"),
        Spec("Nguyễn Thị Mai", "Łukasz", taboo: "don't say \"goodnight\", not even to yourself", twist: "Mai's reflection, not Mai, had been answering the door"),
        Spec("Oluwaseun", "Anne-Sophie", setting: "a night shift at a rural veterinary clinic", taboo: "Never look into the mirror at the end of the hall!"),
        Spec("Thomas", "Agnes", twist: "the lighthouse keeper's wife never left the lamp room", taboo: "keep the lamp lit, whatever Thomas says"),
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void TemplateStories_RoundTripExactly_ThroughFieldTokens(StorySpec spec)
    {
        var writer = new StoryWriter();
        var rng = new Random(7);
        for (int i = 0; i < 40; i++)
        {
            string story = writer.WriteChosen(spec, rng);
            string delex = FieldTokens.Delexicalize(spec, story, out var missing);
            Assert.True(missing.All(f => f == "setting"), string.Join(", ", missing));
            Assert.Equal(story, FieldTokens.Expand(spec, delex));
            // No literal value is left in the delexicalized text: every occurrence became a field token.
            Assert.DoesNotContain(spec.Protagonist, delex);
            Assert.DoesNotContain(English.LowerStart(spec.Taboo), delex);
        }
    }

    [Fact]
    public void EveryTemplateStoryOfTheDefaultDataset_RoundTrips_AndNamesEveryRequiredField()
    {
        var data = Dataset.Generate(new DatasetOptions { Seed = 3, FreshValueShare = 0.5 });
        foreach (var row in data.SftTrain)
        {
            string delex = FieldTokens.Delexicalize(row.Spec!, row.Response, out var missing);
            Assert.Equal(row.Response, FieldTokens.Expand(row.Spec!, delex));
            Assert.Empty(missing);
        }
        foreach (var pair in data.PrefTrain)
        {
            Assert.Equal(pair.Chosen, FieldTokens.Expand(pair.Spec!, FieldTokens.Delexicalize(pair.Spec!, pair.Chosen, out _)));
            Assert.Equal(pair.Rejected, FieldTokens.Expand(pair.Spec!, FieldTokens.Delexicalize(pair.Spec!, pair.Rejected, out _)));
        }
    }

    [Fact]
    public void Expand_WritesTheExactForm_AndCapitalisesAtASentenceStartOnly()
    {
        var spec = Spec("de Souza", "James", obj: "grandmother's rosary");
        string text = $"{M(FieldForm.Protagonist)} woke. {M(FieldForm.ObjectDefinite)} lay there, and {M(FieldForm.SupportingPossessive)} " +
                      $"hands shook.\n\n\"{M(FieldForm.TabooQuote)}\" {M(FieldForm.Protagonist)} said: {M(FieldForm.TwistSentence)}";
        Assert.Equal("De Souza woke. Grandmother's rosary lay there, and James's hands shook.\n\n" +
                     "\"Never answer knocks after 2 a.m.,\" de Souza said: the sound is coming from inside the walls.",
            FieldTokens.Expand(spec, text));
    }

    [Fact]
    public void Delexicalize_PrefersTheLongestForm_AndRespectsWordBoundaries()
    {
        var spec = Spec("Ann", "Kai", taboo: "never let Ann open the door");
        string delex = FieldTokens.Delexicalize(spec, "Anna and Ann's friend Kai said: never let Ann open the door. Annex.", out var missing);
        Assert.Equal($"Anna and {M(FieldForm.ProtagonistPossessive)} friend {M(FieldForm.Supporting)} said: {M(FieldForm.TabooSentence)} Annex.", delex);
        Assert.Equal(["object", "setting", "twist"], missing);
    }

    [Fact]
    public void Delexicalize_GivesAFormWithTheSameTextAsAnother_TheTokenTheTemplateUsedThere()
    {
        // No article: the object and its definite form read alike; the first mention is the object, later ones definite.
        // A taboo ending in "?" is its own sentence and quotation form: a closing quote makes it the quotation.
        var spec = Spec(obj: "grandmother's rosary", taboo: "who knocks after 2 a.m.?", twist: "it was never there.");
        string story = "Mina found grandmother's rosary. Grandmother's rosary grew cold. \"Who knocks after 2 a.m.?\" Kai said. " +
                       "The rule: who knocks after 2 a.m.? Then: it was never there.";
        string delex = FieldTokens.Delexicalize(spec, story, out _);
        Assert.Equal($"{M(FieldForm.Protagonist)} found {M(FieldForm.Object)}. {M(FieldForm.ObjectDefinite)} grew cold. " +
                     $"\"{M(FieldForm.TabooQuote)}\" {M(FieldForm.Supporting)} said. The rule: {M(FieldForm.TabooSentence)} " +
                     $"Then: {M(FieldForm.TwistSentence)}", delex);
        Assert.Equal(story, FieldTokens.Expand(spec, delex));
    }

    [Fact]
    public void Delexicalize_ReportsAbsentValues_AndCannotBeForgedByMarkersInText()
    {
        var spec = Spec();
        string delex = FieldTokens.Delexicalize(spec, "Mina waited.\uE000", out var missing);
        Assert.Equal($"{M(FieldForm.Protagonist)} waited.\uFFFD", delex);
        Assert.Equal(["supporting_character", "object", "setting", "taboo", "twist"], missing);
    }

    [Fact]
    public void Coverage_CountsHandWrittenRowsWhereAValueIsWordedOtherwise()
    {
        var spec = Spec("Zoë", "Bjørn", obj: "grandmother's rosary");
        var rows = new (string Prompt, string Story)[]
        {
            (spec.ToPrompt(), "Zoë held grandmother's rosary. Bjørn said: never answer knocks after 2 a.m. " +
                              "In an old apartment building during a winter blackout, the sound is coming from inside the walls."),
            (spec.ToPrompt(), "Zoë held the beads. Bjørn told her not to answer the knocking. The noise came from the walls."),
            ("Once upon a time", "a story"),
        };
        var coverage = FieldTokenCoverage.Measure(rows);
        Assert.Equal((3, 1, 1), (coverage.Stories, coverage.Plain, coverage.Complete));
        Assert.Equal(1, coverage.MissingByField["object"]);
        Assert.Equal(1, coverage.MissingByField["taboo"]);
        Assert.Equal(0, coverage.MissingByField["protagonist"]);
    }

    [Fact]
    public void Vocabulary_EncodesMarkersAsFieldTokens_OnlyInResponses()
    {
        var vocabulary = TokenVocabulary.BuildCompact(["In the house, a story."], fieldTokens: true);
        Assert.Equal(FieldTokens.Count, vocabulary.FieldTokenCount);
        int p = vocabulary.FieldTokenId(FieldForm.Protagonist);
        Assert.True(vocabulary.IsFieldToken(p, out var form));
        Assert.Equal(FieldForm.Protagonist, form);

        string delex = $"In the house, {M(FieldForm.Protagonist)} slept.";
        int[] ids = vocabulary.EncodeResponse(delex);
        Assert.Contains(p, ids);
        Assert.Equal(delex, vocabulary.Decode(ids));
        // Plain text (a prompt) never yields a field token, markers included.
        Assert.DoesNotContain(vocabulary.Encode(delex), id => vocabulary.IsFieldToken(id, out _));
    }

    [Fact]
    public void Codec_ReadsEverySpecPromptAlike_WritesValuesAsFieldTokens_AndPlainTextOtherwise()
    {
        var spec = Spec("Zoë", "Bjørn");
        var other = Spec("Nguyễn Thị Mai", "Jean-Luc", obj: "two brass keys on a red string", setting: "a night shift at a rural veterinary clinic");
        var vocabulary = TokenVocabulary.BuildCompact([spec.ToPrompt()], fieldTokens: true);
        var codec = StoryCodec.For(vocabulary, spec.ToPrompt());
        Assert.True(codec.UsesFieldTokens);
        // The model reads the prompt's format with a field token for each value: any two specs read the same.
        Assert.Equal(codec.EncodePrompt(), StoryCodec.For(vocabulary, other.ToPrompt()).EncodePrompt());
        Assert.Equal(7, codec.EncodePrompt().Count(id => vocabulary.IsFieldToken(id, out _)));

        string story = "Zoë found a brass key. Bjørn said: never answer knocks after 2 a.m.";
        int[] ids = codec.EncodeStory(story);
        Assert.Equal(4, ids.Count(id => vocabulary.IsFieldToken(id, out _))); // Zoë, a brass key, Bjørn, the taboo
        Assert.Equal(story, codec.DecodeStory(ids));

        var plain = StoryCodec.For(vocabulary, "Once upon a time");
        Assert.False(plain.UsesFieldTokens);
        Assert.Equal(vocabulary.Encode("Once upon a time"), plain.EncodePrompt());
        Assert.DoesNotContain(plain.EncodeStory(story), id => vocabulary.IsFieldToken(id, out _));
    }

    private static char M(FieldForm form) => FieldTokens.Marker(form);
}
