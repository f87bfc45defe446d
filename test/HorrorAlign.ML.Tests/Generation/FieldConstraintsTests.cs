using HorrorAlign.ML.Generation;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Tokenization;

namespace HorrorAlign.ML.Tests.Generation;

public class FieldConstraintsTests
{
    private static readonly StorySpec Spec = new("The Door", "an old house", "Mina", "Kai", "a brass key", "never answer knocks", "the knocks come from inside");
    private static readonly TokenVocabulary Vocabulary = TokenVocabulary.BuildCompact(["In the house, a story. Kai could not hear. "], fieldTokens: true);

    private static int Id(FieldForm form) => Vocabulary.FieldTokenId(form);

    private static float[] Logits() => new float[Vocabulary.Size];

    [Fact]
    public void EndOfText_WaitsForBothCharactersTheObjectTheTabooAndTheTwist_AndTheyAreNotRepeated()
    {
        var constraints = FieldConstraints.For(StoryCodec.For(Vocabulary, Spec.ToPrompt()), enforce: true)!;
        FieldForm[] story = [FieldForm.Protagonist, FieldForm.Setting, FieldForm.SupportingPossessive, FieldForm.TabooSentence, FieldForm.ObjectDefinite];
        foreach (var form in story)
        {
            var logits = Logits();
            constraints.Apply(logits);
            Assert.Equal(float.NegativeInfinity, logits[Vocabulary.EosId]);
            constraints.Observe(Id(form));
        }
        var before = Logits();
        constraints.Apply(before);
        Assert.Equal(float.NegativeInfinity, before[Id(FieldForm.Taboo)]);   // a second taboo in any form
        Assert.Equal(float.NegativeInfinity, before[Id(FieldForm.Setting)]);
        Assert.Equal(0, before[Id(FieldForm.Protagonist)]);                   // names and the object may recur
        Assert.Equal(float.NegativeInfinity, before[Id(FieldForm.Title)]);     // the title is never written

        constraints.Observe(Id(FieldForm.TwistSentence));
        var after = Logits();
        constraints.Apply(after);
        Assert.Equal(0, after[Vocabulary.EosId]);
    }

    [Fact]
    public void ARunOfWordsWrittenTwiceInARow_CannotBeCompleted_PunctuationAside()
    {
        // "Kai could not hear. Kai could not" → "hear" is banned; punctuation and spaces do not break the repeat.
        var constraints = FieldConstraints.For(StoryCodec.For(Vocabulary, Spec.ToPrompt()), enforce: true)!;
        int[] words = Vocabulary.Encode(" could not hear");
        int[] story = [Id(FieldForm.Supporting), .. words, .. Vocabulary.Encode(". "), Id(FieldForm.Supporting), .. words[..^1]];
        foreach (int token in story) constraints.Observe(token);
        var logits = Logits();
        constraints.Apply(logits);
        Assert.Equal(float.NegativeInfinity, logits[words[^1]]);
        Assert.Equal(0, logits[Id(FieldForm.Protagonist)]);

        var alone = FieldConstraints.For(StoryCodec.For(Vocabulary, Spec.ToPrompt()), enforce: false)!;
        foreach (int token in story) alone.Observe(token);
        logits = Logits();
        alone.Apply(logits);
        Assert.Equal(0, logits[words[^1]]);
    }

    [Fact]
    public void TheModelAlone_IsOnlyKeptFromTheTitle_AndAFreePromptFromEveryFieldToken()
    {
        var alone = FieldConstraints.For(StoryCodec.For(Vocabulary, Spec.ToPrompt()), enforce: false)!;
        var logits = Logits();
        alone.Apply(logits);
        Assert.Equal([Id(FieldForm.Title)], Enumerable.Range(0, logits.Length).Where(i => float.IsNegativeInfinity(logits[i])));

        var free = FieldConstraints.For(StoryCodec.For(Vocabulary, "Once upon a time"), enforce: true)!;
        logits = Logits();
        free.Apply(logits);
        Assert.All(ValueForms.All, form => Assert.Equal(float.NegativeInfinity, logits[Id(form)]));
        Assert.Equal(0, logits[Vocabulary.EosId]);

        Assert.Null(FieldConstraints.For(StoryCodec.For(TokenVocabulary.BuildCompact(["x"]), Spec.ToPrompt()), enforce: true));
    }
}
