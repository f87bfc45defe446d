using HorrorAlign.ML.Data;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.Synthesis;
using HorrorAlign.ML.Tests.Specs;
using HorrorAlign.ML.Text;

namespace HorrorAlign.ML.Tests.Synthesis;

public class StoryTemplatesTests
{
    private static readonly string[][] ChosenParts =
    [
        StoryTemplates.Openers, StoryTemplates.TabooStatements, StoryTemplates.ObjectSentences,
        StoryTemplates.Escalations, StoryTemplates.TwistReveals, StoryTemplates.Endings,
    ];

    private static IEnumerable<string> AllTemplates => ChosenParts.SelectMany(p => p).Concat(new[]
    {
        RejectionTemplates.TabooFree, RejectionTemplates.TwistFree, RejectionTemplates.HappyEndings, RejectionTemplates.Graphic,
        RejectionTemplates.WholesomeOpeners, RejectionTemplates.TabooJokes, RejectionTemplates.WholesomeObjects,
        RejectionTemplates.TwistCoincidences, RejectionTemplates.CosyEndings,
    }.SelectMany(p => p));

    [Fact]
    public void EveryPartHasAtLeastEightTemplates() => Assert.All(ChosenParts, p => Assert.True(p.Length >= 8));

    [Fact]
    public void EveryTemplateRenders_AndStartsWithACapital()
    {
        var slots = new StorySlots(StorySpecTests.Poster);
        Assert.All(AllTemplates, t => Assert.Matches("^[A-Z\"]", slots.Fill(t)));
        Assert.Throws<InvalidOperationException>(() => slots.Fill("{nope}"));
    }

    [Fact]
    public void ChosenParts_CarryWhatTheirRoleNeeds()
    {
        Assert.All(StoryTemplates.Openers, t => Assert.True(t.Contains("{P}") && t.Contains("{setting}"), t));
        Assert.All(StoryTemplates.TabooStatements, t => Assert.True(t.Contains("{S}") && t.Contains("aboo"), t));
        Assert.All(StoryTemplates.ObjectSentences, t => Assert.Contains("{obj}", t, StringComparison.Ordinal));
        Assert.All(StoryTemplates.TwistReveals, t => Assert.Contains("{twist.}", t, StringComparison.Ordinal));
        Assert.All(StoryTemplates.Endings, t => Assert.Contains("{P", t, StringComparison.Ordinal));
        Assert.All(RejectionTemplates.TabooFree, t => Assert.True(t.Contains("{S}") && !t.Contains("aboo") && !t.Contains("rule"), t));
        Assert.All(RejectionTemplates.TwistFree, t => Assert.DoesNotContain("twist", t, StringComparison.Ordinal));
        Assert.All(RejectionTemplates.HappyEndings, t => Assert.Contains("{P}", t, StringComparison.Ordinal));
    }

    [Fact]
    public void ChosenTemplates_HaveNoHappyCueGoreOrName_AndEndingsAreUnsettling()
    {
        var names = new HashSet<string>(ValuePools.Default.Names.Select(n => n.ToLowerInvariant()));
        foreach (string t in ChosenParts.SelectMany(p => p))
        {
            string[] words = StoryText.Words(t);
            Assert.DoesNotContain(words, StoryLexicon.Gore.Contains);
            Assert.DoesNotContain(words, names.Contains);
            Assert.DoesNotContain(StoryLexicon.HappyCues, cue => StoryText.ContainsSequence(words, cue.Split(' ')));
        }
        Assert.All(StoryTemplates.Endings, t =>
            Assert.Contains(StoryLexicon.UnsettlingCues, cue => StoryText.ContainsSequence(StoryText.Words(t), cue.Split(' '))));
        Assert.All(RejectionTemplates.Graphic, t => Assert.Contains(StoryText.Words(t), StoryLexicon.Gore.Contains));
        Assert.All(RejectionTemplates.HappyEndings.Concat(RejectionTemplates.CosyEndings), t =>
            Assert.Contains(StoryLexicon.HappyCues, cue => StoryText.ContainsSequence(StoryText.Words(t), cue.Split(' '))));
    }
}
