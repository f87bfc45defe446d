using HorrorAlign.ML.Text;

namespace HorrorAlign.ML.Tests.Text;

public class EnglishTests
{
    [Theory]
    [InlineData("a brass key", "the brass key")]
    [InlineData("an old music box", "the old music box")]
    [InlineData("A brass key", "the brass key")]
    [InlineData("the lighthouse logbook", "the lighthouse logbook")]
    [InlineData("The lighthouse logbook", "the lighthouse logbook")]
    [InlineData("the caretaker's lantern", "the caretaker's lantern")]
    [InlineData("Mina's diary", "Mina's diary")]
    [InlineData("her grandmother's ring", "her grandmother's ring")]
    [InlineData("candles", "the candles")]
    [InlineData("two silver coins", "the two silver coins")]
    [InlineData("Excalibur", "Excalibur")]
    public void Definite_NeverDoublesArticles(string phrase, string expected) => Assert.Equal(expected, English.Definite(phrase));

    [Theory]
    [InlineData("Mina", "Mina's")]
    [InlineData("James", "James's")]
    [InlineData("old Yannick, who counts the boats", "old Yannick's")]
    [InlineData("the man who sold the lighthouse", "the man's")]
    [InlineData("Wren, whose mother drowned", "Wren's")]
    [InlineData("the caretaker, Wanda", "the caretaker, Wanda's")]
    [InlineData("Whoopi", "Whoopi's")]
    public void Possessive_UsesOneRule(string name, string expected) => Assert.Equal(expected, English.Possessive(name));

    [Theory]
    [InlineData("never answer knocks after 2 a.m.", "never answer knocks after 2 a.m.")]
    [InlineData("never open the cellar door", "never open the cellar door.")]
    [InlineData("is it here?", "is it here?")]
    public void EndSentence_AddsOneFullStopAtMost(string clause, string expected) => Assert.Equal(expected, English.EndSentence(clause));

    [Theory]
    [InlineData("Never answer knocks", "never answer knocks")]
    [InlineData("The sound is inside", "the sound is inside")]
    [InlineData("Kai was never there", "Kai was never there")]
    [InlineData("never mind", "never mind")]
    public void LowerStart_KeepsNamesCapitalised(string clause, string expected) => Assert.Equal(expected, English.LowerStart(clause));

    [Theory]
    [InlineData("the brass key", "The brass key")]
    [InlineData("\"never answer", "\"Never answer")]
    [InlineData("Already", "Already")]
    public void Capitalize_UpperCasesTheFirstLetter(string text, string expected) => Assert.Equal(expected, English.Capitalize(text));

    [Fact]
    public void EndQuote_AddsACommaUnlessTheQuoteEndsInAQuestionOrExclamation()
    {
        Assert.Equal("Never answer knocks after 2 a.m.,", English.EndQuote("Never answer knocks after 2 a.m."));
        Assert.Equal("Who is there?", English.EndQuote("Who is there?"));
    }

    [Theory]
    [InlineData("old key", "an")]
    [InlineData("hourglass", "an")]
    [InlineData("one-eyed doll", "a")]
    [InlineData("uniform", "a")]
    [InlineData("brass key", "a")]
    [InlineData("unheated bunker", "an")]
    [InlineData("heirloom locket", "an")]
    [InlineData("used ticket", "a")]
    public void IndefiniteArticle_FollowsTheSound(string phrase, string expected)
    {
        Assert.Equal(expected, English.IndefiniteArticle(phrase));
        Assert.Equal(expected + " " + phrase, English.WithIndefiniteArticle(phrase));
    }

    [Theory]
    [InlineData("the lantern at Crow Fen", "The Lantern at Crow Fen")]
    [InlineData("what the Orchard Remembered", "What the Orchard Remembered")]
    [InlineData("the Upside-Down Ferry", "The Upside-Down Ferry")]
    [InlineData("a Bell Without a Tower", "A Bell Without a Tower")]
    [InlineData("do not wake the cold-eyed keeper", "Do Not Wake the Cold-Eyed Keeper")]
    public void TitleCase_KeepsSmallWordsLowerExceptFirst(string title, string expected) => Assert.Equal(expected, English.TitleCase(title));
}
