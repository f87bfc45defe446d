using HorrorAlign.ML.Data;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Tests.Data;
using HorrorAlign.ML.Training;

namespace HorrorAlign.ML.Tests.Training;

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
        Assert.Contains("protagonist_named", pairs[1].Failures);
        Assert.All(pairs.Zip(sources.Skip(1)), x =>
        {
            Assert.Equal(x.Second.Spec.ToPrompt(), x.First.Prompt);
            Assert.Equal(x.Second.Chosen, x.First.Chosen);
        });
        Assert.Equal(oneParagraph, pairs[0].ToSample().Rejected);
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
        OnPolicyPairs.WriteJsonl(path, pairs);
        var back = OnPolicyPairs.ReadJsonl(path);
        Assert.Equal(pairs.Select(p => (p.Id, p.Prompt, p.Chosen, p.Rejected, string.Join(",", p.Failures))),
            back.Select(p => (p.Id, p.Prompt, p.Chosen, p.Rejected, string.Join(",", p.Failures))));

        File.AppendAllText(path, "{\"id\":\"x\",\"prompt\":\"p\",\"chosen\":\"c\",\"rejected\":\"r\",\"failures\":\"paragraph_count\"}\n");
        var error = Assert.Throws<JsonlFormatException>(() => OnPolicyPairs.ReadJsonl(path));
        Assert.Equal(pairs.Count + 1, error.Line);
        Assert.Equal("failures", error.Field);
    }
}
