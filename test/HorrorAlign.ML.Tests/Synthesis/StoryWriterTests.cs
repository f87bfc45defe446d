using System.Text.RegularExpressions;
using HorrorAlign.ML.Data;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Synthesis;
using HorrorAlign.ML.Tests.Specs;
using HorrorAlign.ML.Text;
using Microsoft.ML.Tokenizers;

namespace HorrorAlign.ML.Tests.Synthesis;

public class StoryWriterTests
{
    private const int Stories = 3000;
    private static readonly StoryWriter Writer = new();

    /// <summary>Thousands of specs with a raw (unverified) chosen story each, written once for all tests.</summary>
    private static readonly Lazy<List<(StorySpec Spec, string Story)>> Chosen = new(() =>
    {
        var rng = new Random(2024);
        return [.. ValuePools.Default.GenerateSpecs(Stories, seed: 7).Select(s => (s, Writer.WriteChosen(s, rng)))];
    });

    /// <summary>Pairs of every kind over many specs (verified by TryWritePair).</summary>
    private static readonly Lazy<List<(StorySpec Spec, PairKind Kind, string Chosen, string Rejected)>> Pairs = new(() =>
    {
        var rng = new Random(99);
        var pairs = new List<(StorySpec, PairKind, string, string)>();
        foreach (var kind in PairKindExtensions.TemplateKinds)
            foreach (var spec in ValuePools.Default.GenerateSpecs(500, seed: 100 + (int)kind))
                if (Writer.TryWritePair(spec, kind, rng, out var chosen, out var rejected)) pairs.Add((spec, kind, chosen, rejected));
        return pairs;
    });

    [Fact]
    public void ChosenStories_PassEveryCheck_OverThousandsOfSpecs()
    {
        var failures = Chosen.Value.Select(x => (x.Spec, x.Story, Result: StoryChecks.Check(x.Spec, x.Story))).Where(x => !x.Result.AllPassed).ToList();
        Assert.True(failures.Count == 0, failures.Count == 0 ? "" :
            $"{failures.Count} chosen stories fail; first: {failures[0].Result}\n{failures[0].Spec}\n{failures[0].Story}");
    }

    [Fact]
    public void ChosenStories_NameBothCharacters_UseTheObject_AndStateTheTabooAndTwistVerbatim()
    {
        foreach (var (spec, story) in Chosen.Value.Take(500))
        {
            Assert.Contains(spec.Protagonist, story, StringComparison.Ordinal);
            Assert.Contains(spec.SupportingCharacter, story, StringComparison.Ordinal);
            Assert.Contains(English.Definite(spec.Object)[4..], story, StringComparison.Ordinal);
            Assert.Contains(spec.Taboo[1..].TrimEnd('.'), story, StringComparison.Ordinal);
            Assert.Contains(spec.Twist, story, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ChosenStories_HaveTwoToFourParagraphs_SeparatedByOneBlankLine()
    {
        var counts = new HashSet<int>();
        foreach (var (_, story) in Chosen.Value)
        {
            string[] paragraphs = story.Split("\n\n");
            Assert.InRange(paragraphs.Length, 2, 4);
            Assert.All(paragraphs, p => Assert.False(p.Contains('\n') || p != p.Trim() || p.Length == 0));
            counts.Add(paragraphs.Length);
        }
        Assert.Equal([2, 3, 4], counts.Order());
    }

    [Fact]
    public void ChosenStories_Are90To175Gpt2Tokens()
    {
        var tokenizer = TiktokenTokenizer.CreateForModel("gpt2");
        int[] lengths = [.. Chosen.Value.Take(1000).Select(x => tokenizer.CountTokens(x.Story))];
        Assert.InRange(lengths.Min(), 90, 175);
        Assert.InRange(lengths.Max(), 90, 175);
        Assert.InRange(lengths.Average(), 115, 155);
    }

    [Fact]
    public void ChosenStories_Vary()
    {
        // The first sentence alone takes many forms, and whole stories practically never repeat.
        var openings = Chosen.Value.Select(x => x.Story.Split(". ")[0].Replace(x.Spec.Protagonist, "P", StringComparison.Ordinal)[..20]).Distinct().Count();
        Assert.True(openings >= 15, $"only {openings} distinct openings");
        Assert.Equal(Chosen.Value.Count, Chosen.Value.Select(x => x.Story).Distinct().Count());
    }

    // Artefacts of the original generator and other grammar slips no generated story may contain.
    private static readonly (string Name, Regex Pattern)[] BadPatterns =
    [
        ("doubled article", new Regex(@"\b(the|a|an) (the|a|an) ", RegexOptions.IgnoreCase)),
        ("learned the never", new Regex(@"learned the (never|do not|always)\b", RegexOptions.IgnoreCase)),
        ("lowercase sentence start", new Regex(@"[.!?] [a-z]")),
        ("lowercase story start", new Regex(@"^[^A-Z""]")),
        ("lowercase paragraph start", new Regex(@"\n\n[^A-Z""]")),
        ("double full stop", new Regex(@"\.\.")),
        ("space before punctuation", new Regex(@" [.,;:!?]")),
        ("double space", new Regex(@"  ")),
        ("unfilled placeholder", new Regex(@"[{}]")),
        ("comma after question", new Regex(@"[?!],")),
    ];

    [Fact]
    public void GeneratedStories_HaveNoGrammarArtefacts()
    {
        var texts = Chosen.Value.Select(x => x.Story).Concat(Pairs.Value.SelectMany(p => new[] { p.Chosen, p.Rejected }));
        int scanned = 0;
        foreach (string text in texts)
        {
            scanned++;
            foreach (var (name, pattern) in BadPatterns)
                Assert.False(pattern.IsMatch(text), $"{name} in: {text}");
        }
        Assert.True(scanned > 5000);
    }

    [Fact]
    public void HardPairs_RejectedFailsExactlyTheKindsCheck_AndChosenPassesAll()
    {
        foreach (var (spec, kind, chosen, rejected) in Pairs.Value.Where(p => p.Kind.IsHard()))
        {
            Assert.True(StoryChecks.Check(spec, chosen).AllPassed);
            var failures = StoryChecks.Check(spec, rejected).Failures;
            Assert.True(failures.SequenceEqual([kind.TargetCheck()!.Value]), $"{kind.ToName()}: [{string.Join(", ", failures)}]\n{rejected}");
        }
    }

    [Fact]
    public void ContrastivePairs_RejectedFailsAtLeastOneCheck()
    {
        var contrastive = Pairs.Value.Where(p => p.Kind == PairKind.Contrastive).ToList();
        Assert.True(contrastive.Count > 400);
        Assert.All(contrastive, p => Assert.False(StoryChecks.Check(p.Spec, p.Rejected).AllPassed));
        Assert.All(contrastive, p => Assert.Contains("harmless coincidence", p.Rejected, StringComparison.Ordinal));
    }

    [Fact]
    public void TryWritePair_AlmostAlwaysSucceeds()
    {
        foreach (var kind in PairKindExtensions.TemplateKinds)
            Assert.True(Pairs.Value.Count(p => p.Kind == kind) >= 495, $"{kind}: too many specs without a valid pair");
    }

    [Fact]
    public void HardPairs_ShareMostOfTheirText()
    {
        foreach (var (_, kind, chosen, rejected) in Pairs.Value.Where(p => p.Kind.IsHard()))
        {
            var a = StoryText.Words(chosen);
            var b = StoryText.Words(rejected);
            double shared = a.Intersect(b).Count() / (double)a.Union(b).Count();
            Assert.True(shared > 0.6, $"{kind}: only {shared:P0} shared words");
        }
    }

    [Fact]
    public void Pairs_AreDeterministicForASeed()
    {
        var spec = StorySpecTests.Poster;
        foreach (var kind in PairKindExtensions.TemplateKinds)
        {
            Assert.True(Writer.TryWritePair(spec, kind, new Random(5), out var c1, out var r1));
            Assert.True(Writer.TryWritePair(spec, kind, new Random(5), out var c2, out var r2));
            Assert.Equal((c1, r1), (c2, r2));
        }
        Assert.NotEqual(Writer.WriteChosen(spec, new Random(1)), Writer.WriteChosen(spec, new Random(2)));
    }

    [Fact]
    public void PosterSpec_GetsAGrammaticalTabooStatement()
    {
        string story = Writer.WriteChosen(StorySpecTests.Poster, new Random(3));
        Assert.DoesNotContain("the never", story, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("the a brass key", story, StringComparison.Ordinal);
        Assert.Matches(@"(: never answer knocks after 2 a\.m\.|""Never answer knocks after 2 a\.m\.,"")", story);
    }

    /// <summary>RepeatedSpan pairs over pool specs and over fresh (never seen) specs.</summary>
    private static readonly Lazy<List<(StorySpec Spec, string? Chosen, string? Rejected)>> Loops = new(() =>
    {
        var rng = new Random(31);
        var fresh = new Random(32);
        var specs = ValuePools.Default.GenerateSpecs(600, seed: 33).Concat(Enumerable.Range(0, 600).Select(_ => FreshValues.Spec(fresh)));
        return [.. specs.Select(spec => Writer.TryWritePair(spec, PairKind.RepeatedSpan, rng, out var c, out var r) ? (spec, c, r) : (spec, null, null))];
    });

    [Fact]
    public void RepeatedSpanPairs_AlwaysSucceed_AndTheRejectedFailsOnlyNoRepeatedSpans()
    {
        var failed = Loops.Value.Where(x => x.Rejected is null).ToList();
        Assert.True(failed.Count == 0, failed.Count == 0 ? "" : $"{failed.Count} specs without a repeated-span pair; first:\n{failed[0].Spec}");
        foreach (var (spec, chosen, rejected) in Loops.Value)
        {
            Assert.True(StoryChecks.Check(spec, chosen!).AllPassed);
            var result = StoryChecks.Check(spec, rejected!);
            Assert.True(result.Failures.SequenceEqual([StoryCheck.NoRepeatedSpans]), $"[{string.Join(", ", result.Failures)}]\n{rejected}");
            Assert.Equal(StoryChecks.Check(spec, chosen!).ParagraphCount, result.ParagraphCount);
        }
    }

    [Fact]
    public void RepeatedSpanRejection_OnlyInsertsALoopIntoTheChosenText()
    {
        foreach (var (_, chosen, rejected) in Loops.Value)
        {
            // rejected = chosen[..i] + loop + chosen[i..]: a common prefix and suffix cover all of the chosen story.
            int prefix = 0;
            while (prefix < chosen!.Length && chosen[prefix] == rejected![prefix]) prefix++;
            int suffix = 0;
            while (suffix < chosen.Length && chosen[^(suffix + 1)] == rejected![^(suffix + 1)]) suffix++;
            Assert.True(prefix + suffix >= chosen.Length && rejected!.Length > chosen.Length, rejected);
            Assert.Equal(chosen.Split("\n\n").Length, rejected!.Split("\n\n").Length);
        }
    }

    [Fact]
    public void RepeatedSpanRejection_VariesTheLoop()
    {
        var rejected = Loops.Value.Select(x => (x.Spec, x.Chosen!, Rejected: x.Rejected!)).ToList();
        int Share(Func<(StorySpec Spec, string Chosen, string Rejected), bool> f) => rejected.Count(f) * 100 / rejected.Count;
        string FirstSentence(string story) => StoryText.Sentences(story)[0];
        // The opening sentence written twice; a span looped twice (some 8-word run occurs three times); run-on loops
        // inside a sentence (no new sentence); loops through the setting or the protagonist's name.
        int openingTwice = Share(x => x.Rejected.StartsWith(FirstSentence(x.Chosen) + " " + FirstSentence(x.Chosen), StringComparison.Ordinal));
        int loopedTwice = Share(x => MaxRunOccurrences(x.Rejected) >= 3);
        int runOn = Share(x => StoryText.Sentences(x.Rejected).Count == StoryText.Sentences(x.Chosen).Count);
        int throughSetting = Share(x => Count(x.Rejected, English.InSentence(x.Spec.Setting)) > Count(x.Chosen, English.InSentence(x.Spec.Setting)));
        int moreNames = Share(x => Count(x.Rejected, x.Spec.Protagonist) > Count(x.Chosen, x.Spec.Protagonist));
        Assert.InRange(openingTwice, 5, 40);
        Assert.InRange(loopedTwice, 10, 50);
        Assert.InRange(runOn, 20, 80);
        Assert.InRange(throughSetting, 5, 50);
        Assert.InRange(moreNames, 10, 90);
        Assert.Equal(rejected.Count, rejected.Select(x => x.Rejected).Distinct().Count());
    }

    private static int Count(string text, string value) => Regex.Matches(text, @"\b" + Regex.Escape(value) + @"\b").Count;

    private static int MaxRunOccurrences(string story)
    {
        var words = StoryText.Words(story);
        return Enumerable.Range(0, Math.Max(0, words.Length - StoryChecks.RepeatedSpanWords + 1))
            .GroupBy(i => string.Join(' ', words, i, StoryChecks.RepeatedSpanWords), StringComparer.Ordinal).Max(g => g.Count());
    }

    [Fact]
    public void WrongCharacterRejection_UsesTheWritersPoolNames()
    {
        var split = ValuePools.Default.Split(0.2, seed: 1);
        var writer = new StoryWriter(split.Training, ValuePools.Default.Names);
        var rng = new Random(4);
        foreach (var spec in split.Training.GenerateSpecs(200, seed: 2))
        {
            Assert.True(writer.TryWritePair(spec, PairKind.WrongCharacter, rng, out _, out var rejected));
            var wrong = Assert.Single(StoryChecks.Check(spec, rejected).UnexpectedNames);
            Assert.Contains(wrong, split.Training.Names);
        }
    }
}
