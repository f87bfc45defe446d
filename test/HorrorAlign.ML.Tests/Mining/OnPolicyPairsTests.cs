using HorrorAlign.ML.Data;
using HorrorAlign.ML.Mining;
using HorrorAlign.ML.Generation;
using HorrorAlign.ML.Synthesis;
using HorrorAlign.ML.Tests.Generation;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Tests.Data;

namespace HorrorAlign.ML.Tests.Mining;

public class OnPolicyPairsTests
{
    private static readonly Dataset Data = Dataset.Generate(new DatasetOptions { SftTrainSize = 3, SftValidationSize = 1, SftTestSize = 1,
        PrefTrainSize = 3, PrefValidationSize = 1, PrefTestSize = 1, HeldOutSpecCount = 1 });

    private static List<OnPolicySource> Sources() => [.. Data.SftTrain.Select(e => new OnPolicySource(e.Id, e.Spec!, e.Response))];

    [Fact]
    public void OnlyFailingStoriesBecomePairsWithTheirFailures()
    {
        var sources = Sources();
        string oneParagraph = sources[1].Chosen.Replace("\n\n", " ", StringComparison.Ordinal);
        string renamed = sources[2].Chosen.Replace(sources[2].Spec.Protagonist, "Zorvath", StringComparison.Ordinal);
        var pairs = OnPolicyPairs.FromStories(sources, [sources[0].Chosen, oneParagraph, renamed]);

        Assert.Equal([sources[1].Id, sources[2].Id], pairs.Select(p => p.Id));
        Assert.Equal(["paragraph_count"], pairs[0].Failures);
        Assert.Contains("protagonist_named", pairs[1].Failures!);
        Assert.All(pairs.Zip(sources.Skip(1)), x =>
        {
            Assert.Equal(x.Second.Spec.ToPrompt(), x.First.Prompt);
            Assert.Equal(x.Second.Chosen, x.First.Chosen);
        });
        Assert.Equal(oneParagraph, pairs[0].Rejected);
        Assert.All(pairs, p => Assert.Equal(PairKind.OnPolicy, p.Kind));
        Assert.All(pairs, p => Assert.False(p.Repaired));
    }

    [Fact]
    public void TrainingPairsAreTheTemplatePairsThenEachMinedPairRepeated()
    {
        var sources = Sources();
        var mined = OnPolicyPairs.FromStories(sources, [.. sources.Select(s => s.Chosen.Replace("\n\n", " ", StringComparison.Ordinal))]);
        var training = OnPolicyPairs.TrainingPairs(Data.PrefTrain, mined, repeats: 2);
        Assert.Equal([.. Data.PrefTrain, .. mined, .. mined], training);
    }

    [Fact]
    public void MismatchedOrIncompleteInputIsAClearError()
    {
        var sources = Sources();
        var e = Assert.Throws<ArgumentException>(() => OnPolicyPairs.FromStories(sources, ["only one"]));
        Assert.Contains("3 sources and 1 stories", e.Message);
        var noChosen = new List<OnPolicySource>(sources) { [1] = sources[1] with { Chosen = " " } };
        e = Assert.Throws<ArgumentException>(() => OnPolicyPairs.FromStories(noChosen, ["a", "b", "c"]));
        Assert.Contains($"sources[1] (id '{sources[1].Id}') has no chosen story", e.Message);
    }

    [Fact]
    public void JsonlRoundTripsAndAMalformedLineNamesFileAndLine()
    {
        using var dir = new TempDirectory();
        var sources = Sources();
        var pairs = OnPolicyPairs.FromStories(sources, [.. sources.Select(s => s.Chosen.Replace("\n\n", " ", StringComparison.Ordinal))]);
        string path = Path.Combine(dir.Path, "pairs.jsonl");
        PreferencePair.WriteJsonl(path, pairs);
        Assert.All(File.ReadLines(path), line => Assert.Contains("\"kind\":\"on_policy\",\"failures\":[", line));
        var back = PreferencePair.ReadJsonl(path);
        Assert.Equal(pairs.Select(p => (p.Id, p.Prompt, p.Chosen, p.Rejected, p.Kind, string.Join(",", p.Failures!), p.Repaired)),
            back.Select(p => (p.Id, p.Prompt, p.Chosen, p.Rejected, p.Kind, string.Join(",", p.Failures!), p.Repaired)));
        var repaired = pairs.Select(p => p with { Repaired = true }).ToList();
        PreferencePair.WriteJsonl(path, repaired);
        Assert.All(PreferencePair.ReadJsonl(path), p => Assert.True(p.Repaired));
        // Files of mined pairs from before they had a kind (and from before repairs existed) have "failures" but no
        // "kind" (nor "repaired"): they are on-policy pairs whose chosen side is the reference story.
        File.WriteAllText(path, "{\"id\":\"x\",\"prompt\":\"p\",\"chosen\":\"c\",\"rejected\":\"r\",\"failures\":[\"paragraph_count\"]}\n");
        var old = Assert.Single(PreferencePair.ReadJsonl(path));
        Assert.Equal((PairKind.OnPolicy, "paragraph_count", false), (old.Kind, Assert.Single(old.Failures!), old.Repaired));
        PreferencePair.WriteJsonl(path, pairs);

        File.AppendAllText(path, "{\"id\":\"x\",\"prompt\":\"p\",\"chosen\":\"c\",\"rejected\":\"r\",\"failures\":\"paragraph_count\"}\n");
        var error = Assert.Throws<JsonlFormatException>(() => PreferencePair.ReadJsonl(path));
        Assert.Equal(pairs.Count + 1, error.Line);
        Assert.Equal("failures", error.Field);
        // An on-policy row must say which checks its rejected story failed.
        File.WriteAllText(path, "{\"id\":\"x\",\"prompt\":\"p\",\"chosen\":\"c\",\"rejected\":\"r\",\"kind\":\"on_policy\"}\n");
        Assert.Equal("failures", Assert.Throws<JsonlFormatException>(() => PreferencePair.ReadJsonl(path)).Field);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(37)]
    [InlineData(98)]
    [InlineData(99)]
    public void RepairSearchFindsTheLatestPassingCutInLogarithmicTries(int lastPassing)
    {
        var tried = new List<int>();
        string? Attempt(int cut)
        {
            tried.Add(cut);
            return cut <= lastPassing ? $"story cut at {cut}" : null;
        }
        Assert.Equal($"story cut at {lastPassing}", OnPolicyPairs.LatestPassingCut(100, Attempt));
        Assert.Equal(0, tried[0]);
        Assert.InRange(tried.Count, 2, 1 + (int)Math.Ceiling(Math.Log2(100)));
        Assert.DoesNotContain(100, tried); // the whole story is known to fail
    }

    [Fact]
    public void RepairSearchGivesUpWhenEvenAFreshStoryFails()
    {
        int calls = 0;
        Assert.Null(OnPolicyPairs.LatestPassingCut(50, _ => { calls++; return null; }));
        Assert.Equal(1, calls);
    }

    [Fact]
    public void OptionsAreValidatedByName()
    {
        Assert.Contains("SamplesPerSource", Assert.Throws<ArgumentException>(() => new OnPolicyOptions { SamplesPerSource = 0 }.Validate()).Message);
        Assert.Contains("RepairTries", Assert.Throws<ArgumentException>(() => new OnPolicyOptions { RepairTries = -1 }.Validate()).Message);
        Assert.Contains("Parallelism", Assert.Throws<ArgumentException>(() => new OnPolicyOptions { Parallelism = 0 }.Validate()).Message);
        new OnPolicyOptions().Validate();
    }

    [Fact]
    public void RepairKeepsTheStoryUpToItsMistakeAndLetsThePolicyWriteOnFromThere()
    {
        // A model overfitted on "The well answered in her mother's voice. / She did not look down." (greedy = that story).
        var model = TextGeneratorTests.Trained.Value;
        const string prompt = "Title: The Well\nStory:\n";
        var options = new OnPolicyOptions { Sampling = new SamplingOptions { Temperature = 0, MaxNewTokens = 40 }, RepairTries = 1 };
        string wrong = "The well answered in her father's voice.\n\nShe did not look down.";
        var tried = new List<string>();
        string? repaired = OnPolicyPairs.Repair(model, prompt, wrong, story =>
        {
            tried.Add(story);
            return story.Contains("mother's", StringComparison.Ordinal);
        }, options, seed: 1);
        Assert.Equal("The well answered in her mother's voice.\n\nShe did not look down.", repaired);
        // The search also tried cuts past the mistake (into "father", which no continuation can undo), and the last
        // passing cut is the one right before it.
        Assert.Contains(tried, t => t.StartsWith("The well answered in her f", StringComparison.Ordinal));
        Assert.True(tried.Count <= 1 + (int)Math.Ceiling(Math.Log2(model.Vocabulary.Encode(wrong).Length)), string.Join(" | ", tried));
        Assert.Null(OnPolicyPairs.Repair(model, prompt, wrong, _ => false, options, seed: 1));
    }
}
