using HorrorAlign.ML.Generation;

namespace HorrorAlign.ML.Tests.Generation;

public class OutputCleanerTests
{
    [Fact]
    public void StripsPromptEchoAndCutsAtTheFirstEndMarker()
    {
        const string prompt = "Story:\n";
        string raw = "Story:\nThe lamp went out.<|endoftext|>Title: The Well\nSetting: more junk";
        Assert.Equal("The lamp went out.", OutputCleaner.Clean(raw, prompt));
    }

    [Fact]
    public void RemovesStrayMarkersAndBrokenCharacters()
        => Assert.Equal("She waited. Nobody came.", OutputCleaner.Clean("She waited.<|pad|> Nobody came.\uFFFD"));

    [Fact]
    public void NormalisesParagraphBreaksAndSpaces()
    {
        string raw = "  First  paragraph\tline.  \r\n\r\n\r\n \n Second paragraph.\nStill second.\n\n\n";
        Assert.Equal("First paragraph line.\n\nSecond paragraph.\nStill second.", OutputCleaner.Clean(raw));
    }

    [Fact]
    public void CutsADegenerateLoopKeepingOneCopy()
    {
        string raw = "Mara found the key. She opened the door and the door open the door that door " +
                     "and the door open the door that door and the door open the door that door and the door open";
        Assert.Equal("Mara found the key.", OutputCleaner.Clean(raw));
    }

    [Fact]
    public void CutsARepeatedTwentyWordTailAtTheFirstRepeatsEnd()
    {
        const string span = "The bell rang again, though no one had touched the rope since the night Elias went down to the cellar.";
        string raw = "Nobody spoke at dinner. " + span + " " + span + " The bell rang again, though no one";
        Assert.Equal("Nobody spoke at dinner. " + span, OutputCleaner.Clean(raw));
    }

    [Fact]
    public void RepeatsFollowedByNewTextAreKept()
    {
        const string rule = "never answer the door after the clock strikes twelve at night";
        string story = $"Her grandmother had one rule: {rule}. She kept it for years.\n\nThen the knocking began, and she remembered: {rule}. She opened it anyway, and the hallway behind her went dark.";
        Assert.Equal(story, OutputCleaner.Clean(story));
    }

    [Fact]
    public void ShortTextsAndCleanStoriesPassThrough()
    {
        Assert.Equal("", OutputCleaner.Clean("   "));
        Assert.Equal("The end.", OutputCleaner.Clean("The end."));
        Assert.Equal("No ending punctuation here", OutputCleaner.TrimPartialSentence("No ending punctuation here"));
        Assert.Equal("One. \"Two!\"", OutputCleaner.TrimPartialSentence("One. \"Two!\" Three and"));
    }
}
