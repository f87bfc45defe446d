using HorrorAlign.ML.Data;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Samples.Commands;
using HorrorAlign.ML.Tests.Data;

namespace HorrorAlign.ML.Tests.App;

/// <summary><c>evaluate --benchmark test|dev|stress</c>: the spec set comes from <see cref="BenchmarkSpecs"/>.</summary>
public sealed class EvaluateBenchmarkCommandTests
{
    [Fact]
    public void BenchmarkAndSpecsTogether_OrAnUnknownSet_AreUsageErrorsNamingTheFlag()
    {
        using var dir = new TempDirectory();
        string stories = dir.File("stories.jsonl");
        File.WriteAllText(stories, "{\"id\":\"stress-01-long\",\"story\":\"Once.\"}\n");

        void Refused(string expected, params string[] args)
        {
            var run = CliRun.Invoke(["evaluate", .. args]);
            Assert.True(run.ExitCode == 2, run.ToString());
            Assert.Contains(expected, run.Error);
        }
        Refused("--benchmark and --specs", "--stories", stories, "--benchmark", "stress", "--specs", dir.File("s.jsonl"));
        Refused("--benchmark takes test, dev or stress (got 'held-out')", "--stories", stories, "--benchmark", "held-out");
        Refused("--benchmark", "--stories", stories, "--benchmark");
        Refused("--benchmark takes test, dev or stress", "--model", dir.File("none.zip"), "--benchmark", "nope");
    }

    [Fact]
    public void StoriesForStressSpecs_AreGradedByIdWithIntervalsAndFailingValues()
    {
        var specs = BenchmarkSpecs.StressSpecs;
        using var dir = new TempDirectory();
        string stories = dir.File("stories.jsonl"), report = dir.File("report.json");
        Jsonl.Write(stories, specs, (w, s) =>
        {
            w.WriteStartObject();
            w.WriteString("id", s.Id);
            w.WriteString("story", $"{s.Protagonist} waited.");
            w.WriteEndObject();
        });

        var run = CliRun.Invoke(["evaluate", "--stories", stories, "--benchmark", "stress", "--out", report, "--quiet"]);
        Assert.True(run.ExitCode == 0, run.ToString());

        var constraints = ModelEvaluationReport.FromJson(File.ReadAllText(report)).Constraints!;
        Assert.Equal(specs.Count, constraints.Count);
        Assert.Equal(specs.Select(s => s.Id), constraints.Stories.Select(s => s.Id));
        Assert.Equal(0, constraints.AllPassedRate);
        Assert.Equal(0, constraints.AllPassedCi95![0]);
        Assert.Equal(FailingValues.Top, constraints.FailingValues!["twist"].Count);
        Assert.All(constraints.FailingValues["protagonist"], v => Assert.Equal(v.Stories, v.Failed));
    }

    [Fact]
    public void EachSetNameGivesItsSpecs()
    {
        Assert.Equal(BenchmarkSpecs.TestSpecs(), EvaluateCommand.Benchmark("test"));
        Assert.Equal(BenchmarkSpecs.DevSpecs(), EvaluateCommand.Benchmark("dev"));
        Assert.Same(BenchmarkSpecs.StressSpecs, EvaluateCommand.Benchmark("stress"));
    }
}
