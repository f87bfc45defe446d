using HorrorAlign.ML.Data;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Synthesis;
using HorrorAlign.ML.Text;

namespace HorrorAlign.ML.Tests.Data;

/// <summary>The frozen benchmark: valid, large enough, disjoint from everything training or tuning reads, and the same
/// specs on every call.</summary>
public class BenchmarkSpecsTests
{
    public static TheoryData<string> Sets => ["test", "dev"];

    private static ValuePools Pools(string set) => set == "test" ? BenchmarkSpecs.Test : BenchmarkSpecs.Dev;

    private static IEnumerable<(string Field, IReadOnlyList<string> Values)> Fields(ValuePools p) =>
        [("titles", p.Titles), ("settings", p.Settings), ("names", p.Names), ("objects", p.Objects), ("taboos", p.Taboos), ("twists", p.Twists)];

    private static IEnumerable<string> NonNameValues(ValuePools p) => p.Titles.Concat(p.Settings).Concat(p.Objects).Concat(p.Taboos).Concat(p.Twists);

    /// <summary>Lowercased names (and each word of them) of the pools that training and probing read.</summary>
    private static readonly HashSet<string> TrainingNameWords = new(
        ValuePools.Default.Names.Concat(ProbeValues.Pools.Names).SelectMany(StoryText.Words), StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(Sets))]
    public void Pools_HaveAtLeastFortyValuesPerField_AndSixtyNames(string set)
    {
        var pools = Pools(set);
        Assert.All(Fields(pools), f => Assert.True(f.Values.Count >= 40, $"{set} {f.Field}: {f.Values.Count}"));
        Assert.True(pools.Names.Count >= 60, $"{set} names: {pools.Names.Count}");
    }

    [Theory]
    [MemberData(nameof(Sets))]
    public void Pools_CoverTheShapesUsersWrite(string set)
    {
        var pools = Pools(set);
        Assert.Contains(pools.Names, n => n.Contains(' ', StringComparison.Ordinal));
        Assert.Contains(pools.Names, n => n.Contains('-', StringComparison.Ordinal));
        Assert.True(pools.Names.Count(n => n.Any(c => c > 127)) >= 20);
        string[] articles = ["a ", "an ", "the "];
        Assert.Contains(pools.Objects, o => !articles.Any(a => o.StartsWith(a, StringComparison.Ordinal)));
        Assert.Contains(pools.Settings, s => !articles.Any(a => s.StartsWith(a, StringComparison.Ordinal)));
        foreach (string opening in new[] { "never ", "do not ", "don't ", "stay out of ", "keep ", "only " })
            Assert.Contains(pools.Taboos, t => t.StartsWith(opening, StringComparison.Ordinal));
        Assert.Contains(pools.Twists, t => t.Contains("'s ", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Sets))]
    public void Values_AreCheckableAndNeverTripTheChecksOnTheirOwn(string set)
    {
        var pools = Pools(set);
        // The taboo and twist checks look for two content words; a gore word, a comfort cue or a training name inside a
        // value would fail a correct story.
        Assert.All(pools.Taboos.Concat(pools.Twists), v => Assert.True(StoryText.ContentStems(v).Count >= 2, v));
        foreach (string value in pools.Values)
        {
            string[] words = StoryText.Words(value);
            Assert.DoesNotContain(words, StoryLexicon.Gore.Contains);
            Assert.DoesNotContain(words, TrainingNameWords.Contains);
            Assert.DoesNotContain(StoryLexicon.HappyCues, cue => StoryText.ContainsSequence(words, cue.Split(' ')));
        }
    }

    [Fact]
    public void Pools_AreDisjointFromTrainingProbeAndEachOther()
    {
        var training = new HashSet<string>(ValuePools.Default.Values.Concat(ProbeValues.Pools.Values), StringComparer.OrdinalIgnoreCase);
        var test = BenchmarkSpecs.Test.Values;
        var dev = BenchmarkSpecs.Dev.Values;
        Assert.DoesNotContain(test, training.Contains);
        Assert.DoesNotContain(dev, training.Contains);
        Assert.Empty(test.Intersect(dev, StringComparer.OrdinalIgnoreCase));
        // Names share no word with each other either ("Jean-Luc" would make "Jean-Paul" half seen).
        var testNameWords = BenchmarkSpecs.Test.Names.SelectMany(StoryText.Words).ToHashSet(StringComparer.Ordinal);
        Assert.DoesNotContain(BenchmarkSpecs.Dev.Names.SelectMany(StoryText.Words), testNameWords.Contains);
    }

    [Fact]
    public void FreshValues_NeverDrawABenchmarkValue()
    {
        var benchmark = new HashSet<string>(BenchmarkSpecs.Test.Values.Concat(BenchmarkSpecs.Dev.Values), StringComparer.OrdinalIgnoreCase);
        var rng = new Random(31);
        for (int i = 0; i < 20_000; i++)
        {
            var spec = FreshValues.Spec(rng);
            Assert.DoesNotContain(StorySpec.Fields.Select(f => f.Get(spec)), benchmark.Contains);
        }
    }

    [Fact]
    public void TestSpecs_AreFixed_Valid_AndUseEveryValueSeveralTimes()
    {
        var specs = BenchmarkSpecs.TestSpecs();
        Assert.Equal(400, specs.Count);
        Assert.Equal(specs, BenchmarkSpecs.TestSpecs(400));
        Assert.Equal(specs.Take(50), BenchmarkSpecs.TestSpecs(50));
        Assert.Equal(specs.Count, specs.Distinct().Count());
        Assert.Equal("test-0001", specs[0].Id);
        Assert.Equal("test-0400", specs[^1].Id);
        Assert.All(specs, s =>
        {
            s.Validate();
            Assert.True(BenchmarkSpecs.Test.Covers(s));
        });

        var pools = BenchmarkSpecs.Test;
        void AllUsed(IReadOnlyList<string> pool, IEnumerable<string> used, int atLeast)
        {
            var counts = used.GroupBy(v => v, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            Assert.All(pool, v => Assert.True(counts.GetValueOrDefault(v) >= atLeast, $"'{v}' used {counts.GetValueOrDefault(v)} times"));
        }
        AllUsed(pools.Titles, specs.Select(s => s.Title), 3);
        AllUsed(pools.Settings, specs.Select(s => s.Setting), 3);
        AllUsed(pools.Names, specs.SelectMany(s => new[] { s.Protagonist, s.SupportingCharacter }), 3);
        AllUsed(pools.Objects, specs.Select(s => s.Object), 3);
        AllUsed(pools.Taboos, specs.Select(s => s.Taboo), 3);
        AllUsed(pools.Twists, specs.Select(s => s.Twist), 3);
    }

    [Fact]
    public void DevSpecs_AreFixed_AndDrawnFromTheDevPoolsOnly()
    {
        var specs = BenchmarkSpecs.DevSpecs();
        Assert.Equal(200, specs.Count);
        Assert.Equal(specs, BenchmarkSpecs.DevSpecs());
        Assert.Equal("dev-0001", specs[0].Id);
        Assert.All(specs, s => Assert.True(BenchmarkSpecs.Dev.Covers(s)));
        Assert.All(specs, s => Assert.NotEqual(s.Protagonist, s.SupportingCharacter));
    }

    [Fact]
    public void StressSpecs_ParseAndHoldEveryStressShape()
    {
        var specs = BenchmarkSpecs.StressSpecs;
        Assert.InRange(specs.Count, 50, 100);
        Assert.Equal(specs.Count, specs.Select(s => s.Id).Distinct().Count());
        var values = specs.SelectMany(s => StorySpec.Fields.Select(f => f.Get(s))).ToArray();
        Assert.Contains(values, v => v.Length == StorySpec.MaxFieldLength);
        Assert.Contains(specs, s => s.Protagonist.Any(c => c > 127));
        Assert.Contains(specs, s => s.Protagonist.Any(char.IsLetter) && !s.Protagonist.Any(c => c < 128));
        Assert.Contains(values, v => v.Contains(',', StringComparison.Ordinal));
        Assert.Contains(values, v => v.Contains('"', StringComparison.Ordinal));
        Assert.Contains(values, v => v.Contains('\'', StringComparison.Ordinal));
        Assert.Contains(values, v => v.Contains('’', StringComparison.Ordinal));
        // Values that share words: the object's key words come back in the taboo or twist.
        Assert.True(specs.Count(s => StoryText.ContentStems(s.Object).Intersect(StoryText.ContentStems(s.Taboo)).Any()) >= 5);
        Assert.Contains(specs, s => StoryText.Words(s.SupportingCharacter).Intersect(StoryText.Words(s.Protagonist)).Any());
        // No training name hides in a stress value, so a wrong-character failure is the model's.
        Assert.All(values, v => Assert.DoesNotContain(StoryText.Words(v), TrainingNameWords.Contains));
    }
}
