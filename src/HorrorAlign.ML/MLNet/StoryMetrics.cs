using System.Globalization;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.MLNet;
using HorrorAlign.ML.Specs;
using Microsoft.ML;

namespace HorrorAlign.ML;

/// <summary>Options of <see cref="StoryGenerationCatalog.Evaluate(IDataView, StoryEvaluationOptions)"/>.</summary>
public sealed class StoryEvaluationOptions
{
    /// <summary>The story column to check (text). Default "Story".</summary>
    public string StoryColumnName = StoryColumnNames.Story;

    /// <summary>
    /// First names that count as a wrong character when they appear besides the spec's two characters (the
    /// <c>no_wrong_character</c> check). Default null: every name of the built-in pools, held-out ones included.
    /// </summary>
    public IReadOnlyList<string>? KnownNames;
}

/// <summary>A story that failed at least one check: a row of <see cref="StoryMetrics.FailingRows"/>.</summary>
/// <param name="Row">The row's 0-based position in the evaluated data.</param>
/// <param name="Title">The row's spec title, to find it by.</param>
/// <param name="FailedChecks">Snake_case names of the failed checks (<see cref="StoryCheckNames.ToName"/>), in
/// <see cref="StoryCheck"/> order.</param>
public sealed record StoryRowFailure(long Row, string Title, IReadOnlyList<string> FailedChecks);

/// <summary>
/// What <see cref="StoryGenerationCatalog.Evaluate(IDataView, string)"/> measured: how many stories follow their specs
/// under the library's constraint checks (<see cref="StoryChecks"/>), overall and per check.
/// </summary>
public sealed class StoryMetrics
{
    internal StoryMetrics(ConstraintReport report)
    {
        Report = report;
        (AllChecksPassRateLowerBound, AllChecksPassRateUpperBound) = Wilson.Interval(report.Stories.Count(s => s.AllPassed), report.Count);
        PassRates = StoryCheckNames.Checks.ToDictionary(c => c, report.PassRate);
        FailingRows = [.. report.Stories.Select((s, i) => (s, i)).Where(x => !x.s.AllPassed)
            .Select(x => new StoryRowFailure(x.i, x.s.Spec.Title, x.s.Failures))];
    }

    /// <summary>Number of stories (rows) checked.</summary>
    public int Count => Report.Count;

    /// <summary>Share of stories that passed every check, in [0, 1].</summary>
    public double AllChecksPassRate => Report.AllPassedRate;

    /// <summary>Low end of the 95 % Wilson interval of <see cref="AllChecksPassRate"/>.</summary>
    public double AllChecksPassRateLowerBound { get; }

    /// <summary>High end of the 95 % Wilson interval of <see cref="AllChecksPassRate"/>.</summary>
    public double AllChecksPassRateUpperBound { get; }

    /// <summary>Share of stories that passed each check, for every <see cref="StoryCheck"/>.</summary>
    public IReadOnlyDictionary<StoryCheck, double> PassRates { get; }

    /// <summary>The stories that failed a check, in row order, with the checks they failed.</summary>
    public IReadOnlyList<StoryRowFailure> FailingRows { get; }

    /// <summary>
    /// The full report the figures come from (the same as <see cref="ModelEvaluator.EvaluateStories"/> gives): every story
    /// with its spec and failures, each check's rate with its 95 % interval, and the spec values that failed most often.
    /// </summary>
    public ConstraintReport Report { get; }

    /// <summary>One line, e.g. <c>12 stories, all checks passed 83.3 % [55.2, 95.3]; failing: unsettling_ending 2</c>.</summary>
    public override string ToString()
    {
        var ci = CultureInfo.InvariantCulture;
        string text = string.Format(ci, "{0} stories, all checks passed {1:0.0} % [{2:0.0}, {3:0.0}]", Count, 100 * AllChecksPassRate,
            100 * AllChecksPassRateLowerBound, 100 * AllChecksPassRateUpperBound);
        var failing = StoryCheckNames.Checks.Select(c => (c, Failed: FailingRows.Count(r => r.FailedChecks.Contains(c.ToName()))))
            .Where(x => x.Failed > 0).Select(x => string.Format(ci, "{0} {1}", x.c.ToName(), x.Failed)).ToArray();
        return failing.Length == 0 ? text : text + "; failing: " + string.Join(", ", failing);
    }

    /// <summary>Reads the spec and story columns of <paramref name="data"/> and grades every row.</summary>
    internal static StoryMetrics Compute(IDataView data, StoryEvaluationOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.StoryColumnName, "options.StoryColumnName");
        var schema = data.Schema;
        foreach (var field in StoryColumnNames.SpecFields)
            SchemaChecks.RequireText(schema, field, $"story spec field '{field}'", nameof(data));
        SchemaChecks.RequireText(schema, options.StoryColumnName,
            "the story to evaluate: score the data first, e.g. with model.Transform(specs), or name the story column", nameof(data));

        var specs = new List<StorySpec>();
        var stories = new List<string>();
        foreach (var (spec, extra) in SpecRows.Read(data, options.StoryColumnName))
        {
            specs.Add(spec);
            stories.Add(extra[0]);
        }
        if (specs.Count == 0) throw new InvalidOperationException("The data to evaluate has no rows.");
        return new StoryMetrics(ModelEvaluator.EvaluateStories(specs, stories, options.KnownNames));
    }
}
