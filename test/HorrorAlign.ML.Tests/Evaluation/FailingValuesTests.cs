using System.Text.Json;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Synthesis;

namespace HorrorAlign.ML.Tests.Evaluation;

public class FailingValuesTests
{
    private static readonly StorySpec Base = new("The Quiet Floor", "a lighthouse", "Zoë", "Bjørn", "grandmother's rosary",
        "don't look back", "the keeper's wife never left");

    private static StoryEvaluation Story(StorySpec spec, bool passed) =>
        new("x", spec, "story", passed, passed ? [] : ["twist_paid_off"], 3);

    [Fact]
    public void RanksValuesByFailuresThenValue_AndLeavesOutValuesThatNeverFailed()
    {
        StoryEvaluation[] stories =
        [
            Story(Base, passed: false),
            Story(Base, passed: false),
            Story(Base, passed: true),
            Story(Base with { Object = "two brass keys", Protagonist = "Siobhán" }, passed: false),
            Story(Base with { Object = "a dog whistle", Protagonist = "Łukasz" }, passed: false),
            Story(Base with { Object = "seven candles" }, passed: true),
        ];

        var failing = FailingValues.Of(stories);

        Assert.Equal(StorySpec.Fields.Select(f => f.Json), failing.Keys);
        Assert.Equal(
            [new ValueFailures("grandmother's rosary", 3, 2), new ValueFailures("a dog whistle", 1, 1), new ValueFailures("two brass keys", 1, 1)],
            failing["object"]);
        Assert.Equal(
            // Ties in ordinal order: "S" sorts before "Ł".
            [new ValueFailures("Zoë", 4, 2), new ValueFailures("Siobhán", 1, 1), new ValueFailures("Łukasz", 1, 1)],
            failing["protagonist"]);
        Assert.Equal([new ValueFailures("a lighthouse", 6, 4)], failing["setting"]);
        Assert.Empty(FailingValues.Of([Story(Base, passed: true)])["twist"]);
    }

    [Fact]
    public void KeepsTheTopTenPerField()
    {
        var stories = Enumerable.Range(0, 15).Select(i => Story(Base with { Twist = $"twist number {i:D2}" }, passed: false)).ToArray();
        var twists = FailingValues.Of(stories)["twist"];
        Assert.Equal(FailingValues.Top, twists.Count);
        Assert.Equal("twist number 00", twists[0].Value);
    }

    [Fact]
    public void TheReportCarriesIntervalsAndFailingValuesInSnakeCase()
    {
        var specs = new[] { Base with { Id = "a" }, Base with { Id = "b", Protagonist = "Mary Ann" } };
        string good = new StoryWriter().WriteChosen(specs[0], new Random(1));
        var report = new ModelEvaluationReport(ModelEvaluator.EvaluateStories(specs, [good, "Mary Ann smiled."]), null, null, 0);

        var constraints = report.Constraints!;
        Assert.Equal(0.5, constraints.AllPassedRate);
        var (low, high) = Wilson.Interval(1, 2);
        Assert.Equal([low, high], constraints.AllPassedCi95!);
        Assert.All(constraints.PassRates, r => Assert.Equal(2, r.Ci95!.Count));
        Assert.Equal([new ValueFailures("Mary Ann", 1, 1)], constraints.FailingValues!["protagonist"]);

        using var doc = JsonDocument.Parse(report.ToJson());
        var json = doc.RootElement.GetProperty("constraints");
        Assert.Equal(2, json.GetProperty("all_passed_ci95").GetArrayLength());
        Assert.Equal(2, json.GetProperty("pass_rates")[0].GetProperty("ci95").GetArrayLength());
        var row = json.GetProperty("failing_values").GetProperty("protagonist")[0];
        Assert.Equal("Mary Ann", row.GetProperty("value").GetString());
        Assert.Equal(1, row.GetProperty("failed").GetInt32());
        Assert.Equal(report.ToJson(), ModelEvaluationReport.FromJson(report.ToJson()).ToJson());
    }
}
