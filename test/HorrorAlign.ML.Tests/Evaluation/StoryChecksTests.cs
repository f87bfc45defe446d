using HorrorAlign.ML.Data;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Tests.Specs;

namespace HorrorAlign.ML.Tests.Evaluation;

public class StoryChecksTests
{
    private static readonly StorySpec Spec = StorySpecTests.Poster;

    // A hand-written story that meets the poster's spec.
    private const string Good =
        "The power had been out for hours in the old apartment building, and Mina could hear the radiators ticking as they cooled. " +
        "\"Never answer knocks after 2 a.m.,\" Kai had told her on the stairs, pressing a brass key into her hand.\n\n" +
        "At 2:14 the knocking began: three soft taps, then silence. Mina held the key so tightly it left a mark.\n\n" +
        "It was Kai who worked it out first. The sound was not at the door at all; it was coming from inside the walls, " +
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
    [InlineData("A.\n\nB.\n\nC.\n\nD.\n\nE.", 5)]
    [InlineData("A.\n \n\n\nB.", 2)]
    public void ParagraphCount_CountsNonEmptyBlocks(string story, int paragraphs)
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

    [Theory]
    [InlineData("a brass key", "brass key")]
    [InlineData("an old music box", "box")]
    [InlineData("a reel of film", "reel")]
    [InlineData("the caretaker's lantern", "lantern")]
    [InlineData("a diary with a broken clasp", "diary")]
    [InlineData("a one-eyed stuffed rabbit", "rabbit")]
    [InlineData("candles", "candles")]
    public void ObjectHead_IsTheNounAfterArticlesAndBeforePrepositions(string phrase, string expectedLastWord) =>
        Assert.Equal(expectedLastWord.Split(' ')[^1], StoryChecks.ObjectHead(phrase));

    [Fact]
    public void ObjectUsed_AcceptsInflections()
    {
        var spec = Spec with { Object = "a brass key" };
        Assert.True(StoryChecks.Check(spec, Good.Replace("key", "keys", StringComparison.Ordinal)).ObjectUsed);
        Assert.False(StoryChecks.Check(spec, Good.Replace("key", "coin", StringComparison.Ordinal)).ObjectUsed);
    }

    [Fact]
    public void Taboo_CountsParaphrasesInOneSentence_NotScatteredWords()
    {
        string paraphrased = Good.Replace("\"Never answer knocks after 2 a.m.,\" Kai had told her on the stairs", "Kai had said that nobody answers the knocking, ever", StringComparison.Ordinal);
        Assert.True(StoryChecks.Check(Spec, paraphrased).TabooHonoured);

        var spec = Spec with { Taboo = "never open the cellar door" };
        string scattered = "Mina and Kai sat by the door with a brass key.\n\nLater, Kai said the cellar was cold. Mina would open nothing. The sound was coming from inside the walls, and it is still waiting.";
        Assert.False(StoryChecks.Check(spec, scattered).TabooHonoured);
        Assert.True(StoryChecks.Check(spec, scattered.Replace("Mina would open nothing.", "Mina never opened the cellar door.", StringComparison.Ordinal)).TabooHonoured);
    }

    [Fact]
    public void Twist_MustBePaidOff()
    {
        Assert.False(StoryChecks.Check(Spec, Good.Replace("it was coming from inside the walls", "it simply stopped", StringComparison.Ordinal)).TwistPaidOff);
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
             "unsettling_ending", "not_graphic", "no_wrong_character", "no_end_markers", "no_repeated_spans", "no_doubled_articles"],
            StoryCheckNames.Checks.Select(c => c.ToName()));
        Assert.All(StoryCheckNames.Checks, c => Assert.Equal(c, StoryCheckNames.Parse(c.ToName())));
        Assert.Throws<FormatException>(() => StoryCheckNames.Parse("scary_enough"));
    }

    [Fact]
    public void PairKinds_MapToTheirChecks()
    {
        Assert.Equal(
            ["contrastive", "ignores_taboo", "missing_twist", "wrong_paragraph_count", "happy_ending", "graphic_gore", "wrong_character", "repeated_span"],
            PairKindExtensions.Kinds.Select(k => k.ToName()));
        Assert.Null(PairKind.Contrastive.TargetCheck());
        Assert.Equal(StoryCheck.TabooHonoured, PairKind.IgnoresTaboo.TargetCheck());
        Assert.Equal(StoryCheck.NoWrongCharacter, PairKind.WrongCharacter.TargetCheck());
        Assert.Equal(StoryCheck.NoRepeatedSpans, PairKind.RepeatedSpan.TargetCheck());
        Assert.Equal(7, PairKindExtensions.Kinds.Select(k => k.TargetCheck()).OfType<StoryCheck>().Distinct().Count());
        Assert.Equal("\"happy_ending\"", System.Text.Json.JsonSerializer.Serialize(PairKind.HappyEnding));
        Assert.Equal(PairKind.GraphicGore, System.Text.Json.JsonSerializer.Deserialize<PairKind>("\"graphic_gore\""));
    }

    [Fact]
    public void Summarize_GivesPassRatesPerCheck()
    {
        var summary = StoryChecks.Summarize([StoryChecks.Check(Spec, Good), StoryChecks.Check(Spec, PosterSample)]);
        Assert.Equal(2, summary.Count);
        Assert.Equal(0.5, summary.AllPassedRate);
        Assert.Equal(1.0, summary.PassRates.Single(p => p.Key == StoryCheck.ParagraphCount).Value);
        Assert.Equal(0.5, summary.PassRates.Single(p => p.Key == StoryCheck.NoDoubledArticles).Value);
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
