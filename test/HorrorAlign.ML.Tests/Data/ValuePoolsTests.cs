using HorrorAlign.ML.Data;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.Text;
using Microsoft.ML.Tokenizers;

namespace HorrorAlign.ML.Tests.Data;

public class ValuePoolsTests
{
    private static readonly ValuePools Pools = ValuePools.Default;

    private static IEnumerable<string> NonNameValuesOf(ValuePools pools) =>
        pools.Titles.Concat(pools.Settings).Concat(pools.Objects).Concat(pools.Taboos).Concat(pools.Twists);

    /// <summary>Every pool set the rules hold for: the built-in pools and the probe pools (see ProbeValues).</summary>
    public static TheoryData<string> PoolSets => ["default", "probe"];

    private static ValuePools PoolSet(string name) => name == "probe" ? ProbeValues.Pools : ValuePools.Default;

    [Fact]
    public void DefaultPools_AreFarLargerThanTheOriginal()
    {
        Assert.True(Pools.Titles.Count >= 60);
        Assert.True(Pools.Settings.Count >= 60);
        Assert.True(Pools.Names.Count >= 150);
        Assert.True(Pools.Objects.Count >= 60);
        Assert.True(Pools.Taboos.Count >= 50);
        Assert.True(Pools.Twists.Count >= 50);
        Assert.Equal(Pools.Names.Count, Pools.Names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal(Pools.Values.Count, Pools.Titles.Count + Pools.Settings.Count + Pools.Names.Count + Pools.Objects.Count + Pools.Taboos.Count + Pools.Twists.Count);
        Assert.Equal(Pools.Values, ValuePools.AllValues);
    }

    [Theory]
    [MemberData(nameof(PoolSets))]
    public void Values_FollowTheirPoolsGrammar(string poolSet)
    {
        var pools = PoolSet(poolSet);
        string[] articles = ["a ", "an ", "the "];
        Assert.All(pools.Settings, s => Assert.Contains(articles, a => s.StartsWith(a, StringComparison.Ordinal)));
        Assert.All(pools.Objects, o => Assert.Contains(articles, a => o.StartsWith(a, StringComparison.Ordinal)));
        // "a"/"an" agree with the next word's sound (no "a old", "an brass"; "a one-eyed", "a university" are right).
        string[] consonantSounds = ["one", "uni", "use", "eu"];
        Assert.All(pools.Objects.Concat(pools.Settings), v => Assert.False(
            (v.StartsWith("a ", StringComparison.Ordinal) && "aeiou".Contains(v[2]) && !consonantSounds.Any(c => v[2..].StartsWith(c, StringComparison.Ordinal))) ||
            (v.StartsWith("an ", StringComparison.Ordinal) && !"aeiouh".Contains(v[3])), v));
        Assert.All(pools.Taboos, t => Assert.Matches("^(never|do not|always) [a-z]", t));
        Assert.All(pools.Twists, t => Assert.Matches("^[a-z]", t));
        Assert.All(pools.Titles, t => Assert.Matches("^[A-Z]", t));
        Assert.All(pools.Names, n => Assert.Matches("^[A-Z][a-z]+$", n));
        // Full stops would end sentences mid-template; the only allowed ones are a taboo's closing "a.m.".
        Assert.All(NonNameValuesOf(pools), v => Assert.DoesNotContain('.', v.Replace("a.m.", "", StringComparison.Ordinal)));
        Assert.All(pools.Taboos.Where(t => t.Contains("a.m.", StringComparison.Ordinal)), t => Assert.EndsWith("a.m.", t, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(PoolSets))]
    public void Values_AreEerieNotGraphicNotCheerful_AndNeverMentionAName(string poolSet)
    {
        var pools = PoolSet(poolSet);
        var names = new HashSet<string>(pools.Names.Select(n => n.ToLowerInvariant()));
        foreach (string value in NonNameValuesOf(pools))
        {
            string[] words = StoryText.Words(value);
            Assert.DoesNotContain(words, StoryLexicon.Gore.Contains);
            Assert.DoesNotContain(words, names.Contains);
            Assert.DoesNotContain(StoryLexicon.HappyCues, cue => StoryText.ContainsSequence(words, cue.Split(' ')));
        }
    }

    [Theory]
    [MemberData(nameof(PoolSets))]
    public void TaboosAndTwists_HaveKeyContentWords(string poolSet)
    {
        var pools = PoolSet(poolSet);
        Assert.All(pools.Taboos, t => Assert.True(StoryText.ContentStems(t).Count >= 2, t));
        Assert.All(pools.Twists, t => Assert.True(StoryText.ContentStems(t).Count >= 2, t));
    }

    [Fact]
    public void Names_AreOneOrTwoGpt2Tokens_MostlyOne()
    {
        var tokenizer = TiktokenTokenizer.CreateForModel("gpt2");
        int[] counts = [.. Pools.Names.Select(n => tokenizer.CountTokens(" " + n))];
        Assert.All(counts, c => Assert.InRange(c, 1, 2));
        Assert.True(counts.Count(c => c == 1) > counts.Length / 2);
    }

    [Fact]
    public void Split_IsDisjoint_Complete_AndDeterministic()
    {
        var split = Pools.Split(0.15, seed: 5);
        var again = Pools.Split(0.15, seed: 5);
        var other = Pools.Split(0.15, seed: 6);
        Assert.Equal(split.HeldOut.Values, again.HeldOut.Values);
        Assert.Equal(split.Training.Values, again.Training.Values);
        Assert.NotEqual(split.HeldOut.Values, other.HeldOut.Values);
        Assert.Empty(split.Training.Values.Intersect(split.HeldOut.Values));
        Assert.Equal(Pools.Values.Order(StringComparer.Ordinal), split.Training.Values.Concat(split.HeldOut.Values).Order(StringComparer.Ordinal));
        Assert.Equal((int)Math.Round(0.15 * Pools.Names.Count, MidpointRounding.AwayFromZero), split.HeldOut.Names.Count);
        Assert.Equal(10, split.HeldOut.Titles.Count); // round(0.15 × 64)
        // Both halves keep the canonical order.
        Assert.Equal(Pools.Names.Where(split.HeldOut.Names.Contains), split.HeldOut.Names);
    }

    [Fact]
    public void Split_RejectsFractionsOutsideTheOpenInterval()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Pools.Split(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Pools.Split(1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Pools.Split(double.NaN, 1));
    }

    [Fact]
    public void HeldOutSpecs_UseOnlyHeldOutValues()
    {
        var split = Pools.Split(0.2, seed: 9);
        var specs = split.GenerateHeldOutSpecs(200, seed: 1);
        Assert.Equal(200, specs.Distinct().Count());
        Assert.All(specs, s => Assert.True(split.HeldOut.Covers(s)));
        Assert.All(specs, s => Assert.False(split.Training.Covers(s)));
        Assert.All(specs, s => Assert.NotEqual(s.Protagonist, s.SupportingCharacter));
    }

    [Fact]
    public void SampleSpec_IsDeterministic_AndNeverPairsANameWithItself()
    {
        var a = Pools.GenerateSpecs(300, seed: 11);
        Assert.Equal(a, Pools.GenerateSpecs(300, seed: 11));
        Assert.NotEqual(a, Pools.GenerateSpecs(300, seed: 12));
        Assert.All(a, s => Assert.NotEqual(s.Protagonist, s.SupportingCharacter));
        Assert.All(a, s => Assert.True(Pools.Covers(s)));
    }

    [Fact]
    public void Constructor_RejectsBadPools()
    {
        string[] one = ["x"];
        Assert.Throws<ArgumentException>(() => new ValuePools(one, one, ["Ada"], one, one, one));
        Assert.Throws<ArgumentException>(() => new ValuePools(["x", "X"], one, ["Ada", "Kai"], one, one, one));
        Assert.Throws<ArgumentException>(() => new ValuePools([" x"], one, ["Ada", "Kai"], one, one, one));
        Assert.Throws<InvalidOperationException>(() => new ValuePools(one, one, ["Ada", "Kai"], one, one, one).GenerateSpecs(5, 1));
    }
}
