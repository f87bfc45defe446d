using System.Text.Json;
using HorrorAlign.ML.Data;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Synthesis;
using HorrorAlign.ML.Tests.Data;

namespace HorrorAlign.ML.Tests.App;

/// <summary><c>evaluate --stories</c> grades FIXED stories (no model): every story's failures are known by construction.</summary>
public sealed class EvaluateStoriesCommandTests
{
    [Fact]
    public void FixedStoriesGiveTheirKnownPerCheckResults()
    {
        var cases = FixedStories.Build();
        using var dir = new TempDirectory();
        string specs = dir.File("specs.jsonl"), stories = dir.File("stories.jsonl"), report = dir.File("report.json");
        StorySpecFile.Write(specs, cases.Select(c => c.Spec));
        // Rows as `generate --specs` writes them, minus the prompt for half of them: the spec then comes from --specs by id.
        Jsonl.Write(stories, cases.Select((c, i) => (c, i)), (w, x) =>
        {
            w.WriteStartObject();
            w.WriteString("id", x.c.Spec.Id);
            if (x.i % 2 == 0) w.WriteString("prompt", x.c.Spec.ToPrompt());
            w.WriteString("story", x.c.Story);
            w.WriteEndObject();
        });

        var run = CliRun.Invoke(["evaluate", "--stories", stories, "--specs", specs, "--out", report]);

        Assert.True(run.ExitCode == 0, run.ToString());
        var parsed = ModelEvaluationReport.FromJson(File.ReadAllText(report));
        var constraints = parsed.Constraints!;
        Assert.Null(parsed.Preferences);
        Assert.Equal(cases.Count, constraints.Count);
        for (int i = 0; i < cases.Count; i++)
        {
            Assert.Equal(cases[i].Spec.Id, constraints.Stories[i].Id);
            Assert.Equal(cases[i].Failures, constraints.Stories[i].Failures);
        }
        foreach (var check in StoryCheckNames.Checks)
        {
            double expected = cases.Count(c => !c.Failures.Contains(check.ToName())) / (double)cases.Count;
            Assert.Equal(expected, constraints.PassRate(check), 12);
        }
        Assert.Equal(cases.Count(c => c.Failures.Count == 0) / (double)cases.Count, constraints.AllPassedRate, 12);
        Assert.Contains("ALL checks passed", run.Out);
        Assert.Contains("no_end_markers", run.Out);
    }

    [Fact]
    public void AStoryWithoutAnySpecIsARuntimeErrorNamingTheLine()
    {
        using var dir = new TempDirectory();
        string stories = dir.File("stories.jsonl");
        File.WriteAllText(stories, "{\"id\":\"a\",\"story\":\"Once.\"}\n");
        var run = CliRun.Invoke(["evaluate", "--stories", stories, "--quiet"]);
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("error: ", run.Error);
        Assert.Contains("stories.jsonl:1", run.Error);
        Assert.Contains("no spec", run.Error);
    }

    [Fact]
    public void ReportJsonRoundTripsAndUsesSnakeCase()
    {
        var cases = FixedStories.Build();
        var report = new ModelEvaluationReport(
            ModelEvaluator.EvaluateStories([.. cases.Select(c => c.Spec)], [.. cases.Select(c => c.Story)]), null, null, 0.5);
        string json = report.ToJson();
        using var doc = JsonDocument.Parse(json);
        Assert.True(doc.RootElement.GetProperty("constraints").TryGetProperty("all_passed_rate", out _));
        Assert.Equal("paragraph_count", doc.RootElement.GetProperty("constraints").GetProperty("pass_rates")[0].GetProperty("check").GetString());
        Assert.Equal(json, ModelEvaluationReport.FromJson(json).ToJson());
    }
}

/// <summary>Stories whose check results are known by construction: template stories pass every check; each hard
/// pair's rejected story fails exactly its kind's check (the data contract); three edits of a passing story add exactly
/// one artefact each (an end marker, a doubled article, a repeated 9-word span) in its FIRST paragraph, which no other
/// check can lose by.</summary>
internal static class FixedStories
{
    public sealed record Case(StorySpec Spec, string Story, IReadOnlyList<string> Failures);

    public static List<Case> Build()
    {
        var data = Dataset.Generate(new DatasetOptions
        {
            Seed = 5, SftTrainSize = 3, SftValidationSize = 0, SftTestSize = 0, PrefTrainSize = 6, PrefValidationSize = 0,
            PrefTestSize = 0, HeldOutSpecCount = 0, HeldOutFraction = 0, PairKinds = PairKindMix.HardOnly,
        });
        var cases = new List<Case>();
        int n = 0;
        StorySpec Id(StorySpec s) => s with { Id = $"story-{++n}" };
        foreach (var e in data.SftTrain) cases.Add(new Case(Id(e.Spec!), e.Response, []));
        foreach (var p in data.PrefTrain)
        {
            cases.Add(new Case(Id(p.Spec!), p.Chosen, []));
            cases.Add(new Case(Id(p.Spec!), p.Rejected, [p.Kind.TargetCheck()!.Value.ToName()]));
        }
        var baseCase = data.SftTrain[0];
        string EditFirstParagraph(string insert)
        {
            int end = baseCase.Response.IndexOf("\n\n", StringComparison.Ordinal);
            return baseCase.Response[..end] + insert + baseCase.Response[end..];
        }
        cases.Add(new Case(Id(baseCase.Spec!), EditFirstParagraph(" <|endoftext|>"), [StoryCheck.NoEndMarkers.ToName()]));
        cases.Add(new Case(Id(baseCase.Spec!), EditFirstParagraph(" It was the the hour of candles."), [StoryCheck.NoDoubledArticles.ToName()]));
        cases.Add(new Case(Id(baseCase.Spec!),
            EditFirstParagraph(" Nobody in town ever spoke about that winter again. Nobody in town ever spoke about that winter again."),
            [StoryCheck.NoRepeatedSpans.ToName()]));
        return cases;
    }
}
