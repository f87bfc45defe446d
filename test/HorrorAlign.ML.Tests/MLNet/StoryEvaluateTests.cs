using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Tests.Specs;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace HorrorAlign.ML.Tests.MLNet;

/// <summary><c>mlContext.StoryGeneration().Evaluate</c> on hand-made rows (no model involved).</summary>
public sealed class StoryEvaluateTests
{
    /// <summary>A scored row: the seven spec columns and a story column.</summary>
    public sealed class ScoredRow
    {
        [ColumnName("title")] public string Title { get; set; } = "";
        [ColumnName("setting")] public string Setting { get; set; } = "";
        [ColumnName("protagonist")] public string Protagonist { get; set; } = "";
        [ColumnName("supporting_character")] public string SupportingCharacter { get; set; } = "";
        [ColumnName("object")] public string Object { get; set; } = "";
        [ColumnName("taboo")] public string Taboo { get; set; } = "";
        [ColumnName("twist")] public string Twist { get; set; } = "";
        public string Story { get; set; } = "";

        public static ScoredRow Of(StorySpec s, string story) => new()
        {
            Title = s.Title, Setting = s.Setting, Protagonist = s.Protagonist, SupportingCharacter = s.SupportingCharacter,
            Object = s.Object, Taboo = s.Taboo, Twist = s.Twist, Story = story,
        };
    }

    sealed class NoTwistRow
    {
        [ColumnName("title")] public string Title { get; set; } = "T";
        [ColumnName("setting")] public string Setting { get; set; } = "";
        [ColumnName("protagonist")] public string Protagonist { get; set; } = "";
        [ColumnName("supporting_character")] public string SupportingCharacter { get; set; } = "";
        [ColumnName("object")] public string Object { get; set; } = "";
        [ColumnName("taboo")] public string Taboo { get; set; } = "";
        public string Story { get; set; } = "";
    }

    // Passes every check for the poster's spec (see StoryChecksTests).
    const string Good =
        "The power had been out for hours in the old apartment building, and Mina could hear the radiators ticking as they cooled. " +
        "\"Never answer knocks after 2 a.m.,\" Kai had told her on the stairs, pressing a brass key into her hand.\n\n" +
        "At 2:14 the knocking began: three soft taps, then silence. Mina held the key so tightly it left a mark.\n\n" +
        "It was Kai who worked it out first: the sound is coming from inside the walls. It had never been at the door at all, " +
        "and it was still there when the lights came back, patient, waiting for someone to answer.";

    // Never names Kai and never pays the twist off.
    static readonly string Bad = Good.Replace("Kai", "she", StringComparison.Ordinal)
        .Replace("the sound is coming from inside the walls", "the sound was nothing", StringComparison.Ordinal);

    readonly MLContext _ml = new(seed: 1);

    [Fact]
    public void EvaluateGradesEveryRowWithTheLibrarysChecks()
    {
        var spec = StorySpecTests.Poster;
        var data = _ml.Data.LoadFromEnumerable([ScoredRow.Of(spec, Good), ScoredRow.Of(spec, Bad)]);
        var metrics = _ml.StoryGeneration().Evaluate(data);

        Assert.Equal(2, metrics.Count);
        Assert.Equal(0.5, metrics.AllChecksPassRate);
        Assert.Equal(Wilson.Interval(1, 2), (metrics.AllChecksPassRateLowerBound, metrics.AllChecksPassRateUpperBound));
        Assert.Equal(StoryCheckNames.Checks.Count, metrics.PassRates.Count);
        Assert.Equal(0.5, metrics.PassRates[StoryCheck.SupportingCharacterNamed]);
        Assert.Equal(0.5, metrics.PassRates[StoryCheck.TwistPaidOff]);
        Assert.Equal(1.0, metrics.PassRates[StoryCheck.NotGraphic]);
        var failing = Assert.Single(metrics.FailingRows);
        Assert.Equal(1, failing.Row);
        Assert.Equal(spec.Title, failing.Title);
        Assert.Equal(StoryChecks.Check(spec, Bad).FailureNames, failing.FailedChecks);
        Assert.Contains("supporting_character_named", failing.FailedChecks);
        // The same figures as the core's report on the same stories.
        var report = ModelEvaluator.EvaluateStories([spec, spec], [Good, Bad]);
        Assert.Equal(report.PassRates.Select(r => (r.Check, r.PassRate, r.Ci95![0], r.Ci95[1])), metrics.Report.PassRates.Select(r => (r.Check, r.PassRate, r.Ci95![0], r.Ci95[1])));
        Assert.StartsWith("2 stories, all checks passed 50.0 % [", metrics.ToString());
    }

    [Fact]
    public void EvaluateReadsTheNamedStoryColumnAndKnownNames()
    {
        var spec = StorySpecTests.Poster;
        var rows = new[] { ScoredRow.Of(spec, Good + " Zed was never seen again.") };
        var data = _ml.Transforms.CopyColumns("Generated", "Story").Fit(_ml.Data.LoadFromEnumerable(rows))
            .Transform(_ml.Data.LoadFromEnumerable(rows));
        var sg = _ml.StoryGeneration();
        Assert.Equal(1.0, sg.Evaluate(data, "Generated").AllChecksPassRate);
        var withZed = sg.Evaluate(data, new StoryEvaluationOptions { StoryColumnName = "Generated", KnownNames = ["Zed"] });
        Assert.Equal(["no_wrong_character"], Assert.Single(withZed.FailingRows).FailedChecks);
    }

    [Fact]
    public void EvaluateNamesAMissingColumn()
    {
        var sg = _ml.StoryGeneration();
        var specsOnly = _ml.Data.LoadFromEnumerable([StorySpecInput.FromSpec(StorySpecTests.Poster)]);
        var noStory = Assert.Throws<ArgumentOutOfRangeException>(() => sg.Evaluate(specsOnly));
        Assert.Contains("Column 'Story' (the story to evaluate: score the data first", noStory.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => sg.Evaluate(specsOnly, "Generated"));

        var noTwist = Assert.Throws<ArgumentOutOfRangeException>(() => sg.Evaluate(_ml.Data.LoadFromEnumerable([new NoTwistRow()])));
        Assert.Contains("Column 'twist' (story spec field 'twist') was not found", noTwist.Message);
    }

    [Fact]
    public void EvaluateNamesTheRowOfAnInvalidSpecAndRefusesEmptyData()
    {
        var sg = _ml.StoryGeneration();
        var bad = ScoredRow.Of(StorySpecTests.Poster with { Twist = " " }, Good);
        var e = Assert.Throws<SpecValidationException>(() => sg.Evaluate(_ml.Data.LoadFromEnumerable([ScoredRow.Of(StorySpecTests.Poster, Good), bad])));
        Assert.Contains("row 1", e.Message);
        Assert.Contains("twist", e.Message);
        Assert.Throws<InvalidOperationException>(() => sg.Evaluate(_ml.Data.LoadFromEnumerable(Array.Empty<ScoredRow>())));
    }
}
