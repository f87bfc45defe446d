using HorrorAlign.ML.Data;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Samples.Cli;
using HorrorAlign.ML.Samples.Commands;
using HorrorAlign.ML.Tests.Data;

namespace HorrorAlign.ML.Tests.App;

/// <summary><c>evaluate --benchmark test|dev|stress</c>: the spec set comes from <see cref="BenchmarkSpecs"/>.</summary>
public sealed class EvaluateBenchmarkCommandTests
{
    private static int Run(params string[] args) => EvaluateCommand.Run(new CliArgs(["evaluate", .. args]), default, new AppConsole().Console);

    [Fact]
    public void BenchmarkAndSpecsTogether_OrAnUnknownSet_AreUsageErrors()
    {
        using var dir = new TempDirectory();
        string stories = dir.File("stories.jsonl");
        File.WriteAllText(stories, "{\"id\":\"stress-01-long\",\"story\":\"Once.\"}\n");

        Assert.Contains("--specs", Assert.Throws<CliException>(() => Run("--stories", stories, "--benchmark", "stress", "--specs", dir.File("s.jsonl"))).Message);
        Assert.Contains("test, dev or stress", Assert.Throws<CliException>(() => Run("--stories", stories, "--benchmark", "held-out")).Message);
        Assert.Contains("--benchmark needs a value", Assert.Throws<CliException>(() => Run("--stories", stories, "--benchmark")).Message);
        Assert.Contains("--benchmark", Assert.Throws<CliException>(() => Run("--model", dir.File("none.zip"), "--benchmark", "nope")).Message);
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

        Assert.Equal(0, Run("--stories", stories, "--benchmark", "stress", "--out", report, "--quiet"));

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
