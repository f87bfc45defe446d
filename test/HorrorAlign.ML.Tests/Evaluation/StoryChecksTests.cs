using HorrorAlign.ML.Data;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Synthesis;
using HorrorAlign.ML.Tests.Specs;
using HorrorAlign.ML.Text;

namespace HorrorAlign.ML.Tests.Evaluation;

public class StoryChecksTests
{
    private static readonly StorySpec Spec = StorySpecTests.Poster;

    // A hand-written story that meets the poster's spec.
    private const string Good =
        "The power had been out for hours in the old apartment building, and Mina could hear the radiators ticking as they cooled. " +
        "\"Never answer knocks after 2 a.m.,\" Kai had told her on the stairs, pressing a brass key into her hand.\n\n" +
        "At 2:14 the knocking began: three soft taps, then silence. Mina held the key so tightly it left a mark.\n\n" +
        "It was Kai who worked it out first: the sound is coming from inside the walls. It had never been at the door at all, " +
        "and it was still there when the lights came back, patient, waiting for someone to answer.";

    // The poster's own sample output (seed file), which the original pipeline produced for the same spec.
    private const string PosterSample =
        "Mina learned the never answer knocks after 2 a.m. the hard way, in an old apartment building during a winter blackout.\n\n" +
        "When Mina tried to leave, the hallway stretched and the a brass key grew warm in their pocket, as if it was counting something no one could see. " +
        "Mina insisted it was nothing, yet their smile never reached their eyes. Then it happened: the door open the door that door.\n\n" +
        "When Mina tried to leave, the hallway stretched and the a brass key grew warm in their pocket, as if it had finally found its owner.";

    [Fact]
    public void AGoodStory_PassesEveryCheck()
    {
        var result = StoryChecks.Check(Spec, Good);
        Assert.True(result.AllPassed, result.ToString());
        Assert.Empty(result.FailureNames);
        Assert.Equal(3, result.Paragraphs);
    }

    [Fact]
    public void ThePostersSample_FailsWhatItGotWrong()
    {
        var result = StoryChecks.Check(Spec, PosterSample);
        // Kai never appears, the twist is never paid off, a 20-word span repeats, "the a brass key"; and its last
        // paragraph ("as if it had finally found its owner") carries none of the lexicon's cues of unease.
        Assert.Equal(["supporting_character_named", "twist_paid_off", "unsettling_ending", "no_repeated_spans", "no_doubled_articles"], result.FailureNames);
        Assert.True(result.TabooHonoured); // "learned the never answer knocks after 2 a.m." is ungrammatical, but states the rule
    }

    [Theory]
    [InlineData("One single paragraph about Mina and Kai, a brass key, the walls.", 1)]
    [InlineData("Mina held the key.\n\nKai did not move.\n\nThe walls were listening.\n\nNobody slept that night.\n\nIt waited for them.", 5)]
    [InlineData("Mina held the key.\n \n\n\nThe walls were listening.", 2)]
    [InlineData("A.\n\nB.\n\nC.", 0)]
    [InlineData("Mina held the brass key.\n\nMina.", 1)]
    [InlineData("Mina held the brass key.\n\nKai and the walls and", 1)]
    [InlineData("Mina held the brass key.\n\n\"Do not answer,\" Kai said. Mina.\n\nIt waited for them.", 3)]
    public void ParagraphCount_CountsBlocksWithAFullSentence(string story, int paragraphs)
    {
        var result = StoryChecks.Check(Spec, story);
        Assert.Equal(paragraphs, result.Paragraphs);
        Assert.Equal(paragraphs is >= 2 and <= 4, result.ParagraphCount);
    }

    [Fact]
    public void Names_MatchWholeWordsCaseInsensitively()
    {
        Assert.True(StoryChecks.Check(Spec, Good.Replace("Mina could", "MINA could", StringComparison.Ordinal).Replace("Mina held", "Mina's hand held", StringComparison.Ordinal)).ProtagonistNamed);
        string noKai = Good.Replace("Kai", "Kaiser", StringComparison.Ordinal);
        Assert.False(StoryChecks.Check(Spec, noKai).SupportingCharacterNamed);
    }

    [Fact]
    public void WrongCharacter_IsAnyOtherPoolName_ButNotANameThatIsPartOfTheSpec()
    {
        var result = StoryChecks.Check(Spec, Good.Replace("It was Kai who", "It was Kai and Leon who", StringComparison.Ordinal));
        Assert.Equal(["no_wrong_character"], result.FailureNames);
        Assert.Equal(["Leon"], result.UnexpectedNames);

        var titled = Spec with { Title = "The Ballad of Leon" };
        Assert.True(StoryChecks.Check(titled, Good.Replace("It was Kai who", "It was Kai and Leon who", StringComparison.Ordinal)).NoWrongCharacter);
        Assert.False(StoryChecks.Check(Spec, Good + " Zed", ["Zed"]).NoWrongCharacter);
    }

    [Fact]
    public void ObjectUsed_NeedsTheWholePhrase_ItsLastWordPossiblyInflected()
    {
        Assert.True(StoryChecks.Check(Spec, Good.Replace("brass key", "brass keys", StringComparison.Ordinal)).ObjectUsed);
        Assert.True(StoryChecks.Check(Spec, Good.Replace("a brass key", "the brass key", StringComparison.Ordinal)).ObjectUsed);
        Assert.False(StoryChecks.Check(Spec, Good.Replace("brass key", "brass coin", StringComparison.Ordinal)).ObjectUsed);
        Assert.False(StoryChecks.Check(Spec, Good.Replace("a brass key", "a key", StringComparison.Ordinal)).ObjectUsed);

        var string12 = Spec with { Object = "two brass keys on a red string" };
        Assert.True(StoryChecks.Check(string12, Good.Replace("a brass key", "two brass keys on a red string", StringComparison.Ordinal)).ObjectUsed);
        Assert.False(StoryChecks.Check(string12, Good.Replace("a brass key", "two brass keys", StringComparison.Ordinal)).ObjectUsed);
        var rosary = Spec with { Object = "grandmother's rosary" };
        Assert.True(StoryChecks.Check(rosary, Good.Replace("a brass key", "grandmother's rosary", StringComparison.Ordinal)).ObjectUsed);
        Assert.False(StoryChecks.Check(rosary, Good.Replace("a brass key", "a rosary", StringComparison.Ordinal)).ObjectUsed);
    }

    [Fact]
    public void Taboo_MustBeStatedWhole_NotParaphrased()
    {
        string paraphrased = Good.Replace("\"Never answer knocks after 2 a.m.,\" Kai had told her on the stairs", "Kai had said that nobody answers the knocking, ever", StringComparison.Ordinal);
        Assert.Equal(["taboo_honoured"], StoryChecks.Check(Spec, paraphrased).FailureNames);
        string cut = Good.Replace("after 2 a.m.,", "after 2,", StringComparison.Ordinal);
        Assert.False(StoryChecks.Check(Spec, cut).TabooHonoured);

        var spec = Spec with { Taboo = "never open the cellar door" };
        string scattered = "Mina and Kai sat by the door with a brass key.\n\nLater, Kai said the cellar was cold. Mina would open nothing. The sound is coming from inside the walls, and it is still waiting.";
        Assert.False(StoryChecks.Check(spec, scattered).TabooHonoured);
        Assert.False(StoryChecks.Check(spec, scattered.Replace("Mina would open nothing.", "Mina never opened the cellar door.", StringComparison.Ordinal)).TabooHonoured);
        Assert.True(StoryChecks.Check(spec, scattered.Replace("Mina would open nothing.", "Kai said: never open the cellar door.", StringComparison.Ordinal)).TabooHonoured);
    }

    [Fact]
    public void Twist_MustBePaidOffWhole()
    {
        Assert.False(StoryChecks.Check(Spec, Good.Replace("the sound is coming from inside the walls", "it simply stopped", StringComparison.Ordinal)).TwistPaidOff);
        Assert.False(StoryChecks.Check(Spec, Good.Replace("the sound is coming from inside the walls", "the sound came from the walls", StringComparison.Ordinal)).TwistPaidOff);
        Assert.True(StoryChecks.Check(Spec, Good.Replace("first: the sound is", "first. The sound is", StringComparison.Ordinal)).TwistPaidOff);
    }

    [Fact]
    public void Ending_MustBeUnsettlingAndUnresolved()
    {
        string happy = Good + "\n\nBy morning it was all over, and Mina and Kai laughed about it over breakfast.";
        Assert.Equal(["unsettling_ending"], StoryChecks.Check(Spec, happy).FailureNames);
        string flat = Good[..Good.LastIndexOf("\n\n", StringComparison.Ordinal)] + "\n\nThe sound came from inside the walls. Kai made tea.";
        Assert.False(StoryChecks.Check(Spec, flat).UnsettlingEnding);
    }

    [Fact]
    public void Gore_EndMarkers_Repeats_AndDoubledArticles_AreCaught()
    {
        Assert.Equal(["not_graphic"], StoryChecks.Check(Spec, Good.Replace("left a mark", "drew blood", StringComparison.Ordinal)).FailureNames);
        Assert.Equal(["no_end_markers"], StoryChecks.Check(Spec, Good + "<|endoftext|>").FailureNames);
        Assert.False(StoryChecks.Check(Spec, Good + "</s>").NoEndMarkers);
        string repeated = Good + " The knocking began with three soft taps then silence, and the knocking began with three soft taps then silence.";
        Assert.False(StoryChecks.Check(Spec, repeated).NoRepeatedSpans);
        string sevenTwice = Good + " one two three four five six seven, then one two three four five six seven.";
        Assert.True(StoryChecks.Check(Spec, sevenTwice).NoRepeatedSpans);
        Assert.False(StoryChecks.Check(Spec, Good.Replace("a brass key", "the a brass key", StringComparison.Ordinal)).NoDoubledArticles);
        Assert.False(StoryChecks.Check(Spec, Good + " The the end.").NoDoubledArticles);
        Assert.True(StoryChecks.Check(Spec, Good + " It was the a.m. shift.").NoDoubledArticles);
    }

    [Fact]
    public void CheckNames_AreStableSnakeCase()
    {
        Assert.Equal(
            ["paragraph_count", "protagonist_named", "supporting_character_named", "object_used", "taboo_honoured", "twist_paid_off",
             "unsettling_ending", "not_graphic", "no_wrong_character", "no_end_markers", "no_repeated_spans", "no_doubled_articles",
             "taboo_not_inverted", "no_spliced_values", "no_prompt_text"],
            StoryCheckNames.Checks.Select(c => c.ToName()));
        Assert.All(StoryCheckNames.Checks, c => Assert.Equal(c, StoryCheckNames.Parse(c.ToName())));
        Assert.Throws<FormatException>(() => StoryCheckNames.Parse("scary_enough"));
    }

    [Fact]
    public void PairKinds_MapToTheirChecks()
    {
        Assert.Equal(
            ["contrastive", "ignores_taboo", "missing_twist", "wrong_paragraph_count", "happy_ending", "graphic_gore", "wrong_character", "repeated_span"],
            PairKindExtensions.TemplateKinds.Select(k => k.ToName()));
        Assert.Null(PairKind.Contrastive.TargetCheck());
        Assert.Equal(StoryCheck.TabooHonoured, PairKind.IgnoresTaboo.TargetCheck());
        Assert.Equal(StoryCheck.NoWrongCharacter, PairKind.WrongCharacter.TargetCheck());
        Assert.Equal(StoryCheck.NoRepeatedSpans, PairKind.RepeatedSpan.TargetCheck());
        Assert.Equal(7, PairKindExtensions.Kinds.Select(k => k.TargetCheck()).OfType<StoryCheck>().Distinct().Count());
        // Mined pairs come after the template kinds: they fail whatever checks the model's story failed.
        Assert.Equal([.. PairKindExtensions.TemplateKinds, PairKind.OnPolicy], PairKindExtensions.Kinds);
        Assert.Equal(PairKind.OnPolicy, PairKindExtensions.ParsePairKind("on_policy"));
        Assert.Null(PairKind.OnPolicy.TargetCheck());
        Assert.False(PairKind.OnPolicy.IsHard());
        Assert.Equal("\"happy_ending\"", System.Text.Json.JsonSerializer.Serialize(PairKind.HappyEnding));
        Assert.Equal(PairKind.GraphicGore, System.Text.Json.JsonSerializer.Deserialize<PairKind>("\"graphic_gore\""));
    }

    [Fact]
    public void Summary_GivesPassRatesPerCheck()
    {
        var summary = ModelEvaluator.EvaluateStories([Spec, Spec], [Good, PosterSample]);
        Assert.Equal(2, summary.Count);
        Assert.Equal(0.5, summary.AllPassedRate);
        Assert.Equal(1.0, summary.PassRates.Single(p => p.Check == StoryCheck.ParagraphCount.ToName()).PassRate);
        Assert.Equal(0.5, summary.PassRates.Single(p => p.Check == StoryCheck.NoDoubledArticles.ToName()).PassRate);
    }

    // A spec with its own values and a template story that passes every check, for tests that insert one artefact.
    private static (StorySpec Spec, string Story) Written(StorySpec spec)
    {
        var writer = new StoryWriter();
        Assert.True(writer.TryWriteChosen(spec, new Random(3), out string? story));
        Assert.True(StoryChecks.Check(spec, story).AllPassed, StoryChecks.Check(spec, story) + "\n" + story);
        return (spec, story);
    }

    [Theory]
    [InlineData("never look into the mirror at the end of the hall", "Always look into the mirror at the end of the hall.")]
    [InlineData("never look into the mirror at the end of the hall", "Mina would always look into the mirror at the end of the hall.")]
    [InlineData("do not open the cellar door", "Open the cellar door.")]
    [InlineData("do not open the cellar door", "The rule was simple: open the cellar door.")]
    [InlineData("don't whistle after dark", "Do whistle after dark.")]
    [InlineData("Don't whistle after dark", "\"Whistle after dark,\" Kai said.")]
    [InlineData("you must not speak to the lady in grey", "You must speak to the lady in grey.")]
    [InlineData("always keep a candle lit in the window", "Never keep a candle lit in the window.")]
    [InlineData("always keep a candle lit in the window", "\"Don't keep a candle lit in the window,\" Kai said.")]
    public void InvertedTaboo_FailsOnlyTabooNotInverted(string taboo, string inverted)
    {
        var (spec, story) = Written(Spec with { Taboo = taboo });
        Assert.Equal(["taboo_not_inverted"], StoryChecks.Check(spec, inverted + " " + story).FailureNames);
    }

    [Theory]
    [InlineData("never look into the mirror at the end of the hall", "Mina would never look into the mirror at the end of the hall.")]
    [InlineData("never look into the mirror at the end of the hall", "Mina looked into the mirror at the end of the hall.")]
    [InlineData("never look into the mirror at the end of the hall", "Mina did look into the mirror at the end of the hall once.")]
    [InlineData("do not open the cellar door", "Nobody would open the cellar door.")]
    [InlineData("do not open the cellar door", "\"Never, ever open the cellar door,\" Kai said.")]
    [InlineData("always keep a candle lit in the window", "Mina could not keep a candle lit in the window.")]
    public void TabooNarratedOrRepeated_IsNotInverted(string taboo, string sentence)
    {
        var (spec, story) = Written(Spec with { Taboo = taboo });
        Assert.True(StoryChecks.Check(spec, sentence + " " + story).AllPassed, StoryChecks.Check(spec, sentence + " " + story).ToString());
    }

    private static readonly StorySpec Spliceable = new("The Quiet Frequency", "a lakeside chapel after closing time", "Zoë", "Bjørn",
        "a locket with a broken clasp", "never answer a call sign you do not recognise", "something calls the village from beneath it");

    [Theory]
    [InlineData("In a lakeside chapel after closing the village from beneath it, Zoë waited.")] // a setting whose tail is the twist's
    [InlineData("Zoë held a locket with a broken clkeeper's lantern.")] // cut inside a word, spliced into another
    [InlineData("\"Never answer a call sign you do not recogn,\" Bjørn said.")] // cut inside the last word
    [InlineData("Bjørn said it twice: never answer a call sign you do not.")] // cut before the last word, at a sentence end
    [InlineData("Zoë sat in the lakeside chapel after closing a locket with a broken clasp.")] // cut, then another value
    [InlineData("Never answer a call sign something calls the village from beneath it.")] // a taboo running into the twist
    public void CutOrSplicedValues_FailOnlyNoSplicedValues(string sentence)
    {
        var (spec, story) = Written(Spliceable);
        Assert.Equal(["no_spliced_values"], StoryChecks.Check(spec, sentence + " " + story).FailureNames);
    }

    [Theory]
    [InlineData("Zoë could not sleep in the lakeside chapel.")]
    [InlineData("Bjørn turned the locket with its broken clasp over and over.")]
    [InlineData("The lakeside chapel after dark was worse.")]
    [InlineData("Never answer a call sign, Bjørn had said, and Zoë had laughed at him then.")]
    public void ShortNaturalReferences_AreNotSplices(string sentence)
    {
        var (spec, story) = Written(Spliceable);
        Assert.True(StoryChecks.Check(spec, sentence + " " + story).Passed(StoryCheck.NoSplicedValues));
    }

    [Fact]
    public void FusedNames_FailNoSplicedValues()
    {
        var (spec, story) = Written(Spliceable with { Protagonist = "Ottoline", SupportingCharacter = "Ignatius" });
        Assert.Equal(["no_spliced_values"], StoryChecks.Check(spec, "Ottolinatius waited. " + story).FailureNames);
        var (nonAscii, other) = Written(Spliceable with { Protagonist = "Siobhán", SupportingCharacter = "Bjørn" });
        Assert.Equal(["no_spliced_values"], StoryChecks.Check(nonAscii, "Siobjørn waited. " + other).FailureNames);
    }

    [Theory]
    [InlineData("Zoë", "Bjørn")]
    [InlineData("James", "Siobhán")]
    [InlineData("Jean-Luc", "Mary Ann")]
    [InlineData("Zoe\u0308", "Bjørn")]
    public void NonAsciiAndMultiWordNames_AreFound(string protagonist, string supporting)
    {
        var (spec, story) = Written(Spliceable with { Protagonist = protagonist, SupportingCharacter = supporting });
        Assert.Contains(English.Possessive(protagonist), story + English.Possessive(protagonist));
        Assert.True(StoryChecks.Check(spec, story.Replace(protagonist, protagonist.ToUpperInvariant(), StringComparison.Ordinal)).ProtagonistNamed);
        Assert.False(StoryChecks.Check(spec, story.Replace(protagonist, protagonist + "x", StringComparison.Ordinal)).ProtagonistNamed);
    }

    [Theory]
    [InlineData("Kai had chosen it: in the door that wasn't there, the radiators ticked.")] // the setting taken from the Title line
    [InlineData("\"Do not graphic.,\" Kai had warned.")]
    [InlineData("Keep it suspenseful and eerie, not graphic.")]
    [InlineData("The story would end with an unsettling implication.")]
    [InlineData("Mina wrote 2 to 4 paragraphs about it.")]
    [InlineData("Twist: the sound is coming from inside the walls.")]
    [InlineData("Story:\nMina waited.")]
    [InlineData("constraints: none.")]
    [InlineData("Kai looked up. Taboo rule: never answer.")]
    public void PromptText_FailsOnlyNoPromptText(string leak)
    {
        var result = StoryChecks.Check(Spec, leak + "\n" + Good);
        Assert.Equal(["no_prompt_text"], result.FailureNames);
    }

    [Fact]
    public void ShortTitlesAndTitlesInsideOtherFields_MayAppear()
    {
        Assert.True(StoryChecks.Check(Spec with { Title = "The Door" }, "The door creaked. " + Good).AllPassed);
        var cellar = Spec with { Title = "The Cellar Door Stays Shut", Taboo = "never open the cellar door stays shut" };
        Assert.True(StoryChecks.Check(cellar, Good.Replace("Never answer knocks after 2 a.m.", "Never open the cellar door stays shut", StringComparison.Ordinal)).Passed(StoryCheck.NoPromptText));
        Assert.True(StoryChecks.Check(Spec, "There was a twist in the stairs. " + Good).Passed(StoryCheck.NoPromptText));
    }

    [Fact]
    public void ALongValueMentionedTwice_IsNotARepeatedSpan_ButALoopIs()
    {
        var spec = Spec with { Object = "two brass keys on a red string that never tangles" };
        string twice = Good.Replace("a brass key", "two brass keys on a red string that never tangles", StringComparison.Ordinal)
            .Replace("Mina held the key", "Mina held the two brass keys on a red string that never tangles", StringComparison.Ordinal);
        Assert.True(StoryChecks.Check(spec, twice).AllPassed, StoryChecks.Check(spec, twice).ToString());

        string nameLoop = Good.Replace("Kai had told her", "Kai had said Mina's name aloud's name aloud's name aloud and told her", StringComparison.Ordinal);
        Assert.Equal(["no_repeated_spans"], StoryChecks.Check(Spec, nameLoop).FailureNames);
        string valueLoop = twice.Replace("Mina held the two brass keys on a red string that never tangles",
            "Mina held the two brass keys on a red string that never tangles held the two brass keys on a red string that never tangles", StringComparison.Ordinal);
        Assert.Equal(["no_repeated_spans"], StoryChecks.Check(spec, valueLoop).FailureNames);
        string echoed = Good.Replace("three soft taps, then silence.", "three soft taps, then silence. Let me in. Let me in.", StringComparison.Ordinal);
        Assert.True(StoryChecks.Check(Spec, echoed).NoRepeatedSpans);
    }

    [Fact]
    public void ALongNameMentionedOften_IsNotARepeatedSpan()
    {
        const string Long = "María de los Ángeles Concepción Fernández y López";
        var spec = Spec with { Protagonist = Long };
        string story = Good.Replace("Mina", Long, StringComparison.Ordinal).Replace("Kai had told her", $"Kai had told {Long}", StringComparison.Ordinal);
        Assert.True(StoryChecks.Check(spec, story).AllPassed, StoryChecks.Check(spec, story).ToString());
    }

    [Fact]
    public void TheReadmeDpoStory_PassesEveryCheck()
    {
        var spec = new StorySpec("The Umbrella in the Crypt", "a cathedral crypt beneath the old town", "Andrew", "Kemal", "a black umbrella",
            "never answer if a voice asks for directions", "the phone keeps ringing from a disconnected line");
        const string Story =
            "In a cathedral crypt beneath the old town, Andrew tried hard to believe that every noise had an ordinary cause. Kemal\n" +
            "had grown up with one rule and had never once broken it: never answer if a voice asks for directions. Andrew kept a\n" +
            "black umbrella close all evening, because it was the only thing in the place that felt familiar.\n\n" +
            "The black umbrella grew cold in Andrew's hands, then colder, as if it were counting down to something.\n\n" +
            "It took Andrew far too long to see it, but there was no mistaking it now: the phone keeps ringing from a disconnected\n" +
            "line.\n\n" +
            "Some nights Andrew still wakes to Kemal's voice, calling from a room that no longer exists.";
        var result = StoryChecks.Check(spec, Story);
        Assert.True(result.AllPassed, result.ToString());
        Assert.Equal(4, result.Paragraphs);
    }

    [Theory]
    [InlineData("Never answer knocks after 2 a.m. Mina ran.", 2)]
    [InlineData("She learned it after 2 a.m. the hard way.", 1)]
    [InlineData("Mr. Hale waited. \"Who?\" she asked.", 2)]
    [InlineData("One.\n\nTwo! Three?", 3)]
    public void Sentences_SplitAtRealSentenceEnds(string text, int count) => Assert.Equal(count, StoryText.Sentences(text).Count);

    [Theory]
    [InlineData("knocks", "knock")]
    [InlineData("knocking", "knock")]
    [InlineData("knocked", "knock")]
    [InlineData("houses", "hous")]
    [InlineData("house", "hous")]
    [InlineData("stories", "story")]
    [InlineData("glass", "glass")]
    public void Stem_MapsInflectionsTogether(string word, string stem)
    {
        Assert.Equal(stem, StoryText.Stem(word));
        Assert.True(StoryText.StemsTo(word, stem));
    }
}
