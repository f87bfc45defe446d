using System.Globalization;
using System.Text;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.Generation;
using HorrorAlign.ML.IO;

namespace HorrorAlign.ML.Pipeline;

/// <summary>
/// <c>samples.md</c>: a handful of held-out specs, each with the story of every checkpoint (SFT, DPO) and a table of
/// the constraint checks (✅ passed / ❌ failed). The stories are those of the evaluation, so they match metrics.json.
/// </summary>
internal static class SamplesMarkdown
{
    /// <summary>The file name inside a run folder.</summary>
    public const string FileName = "samples.md";

    /// <summary>Writes the first <paramref name="count"/> stories of each checkpoint's constraint report.</summary>
    /// <param name="path">The Markdown file.</param>
    /// <param name="checkpoints">Checkpoint name and its constraint report, e.g. ("SFT", …), ("DPO", …); the reports
    /// must cover the same specs in the same order.</param>
    /// <param name="count">How many specs to show.</param>
    public static void Write(string path, IReadOnlyList<(string Name, ConstraintReport Report)> checkpoints, int count)
    {
        AtomicFile.WriteAllText(path, Render(checkpoints, count));
    }

    /// <summary>The Markdown text of <see cref="Write"/>.</summary>
    public static string Render(IReadOnlyList<(string Name, ConstraintReport Report)> checkpoints, int count)
    {
        ArgumentNullException.ThrowIfNull(checkpoints);
        if (checkpoints.Count == 0) throw new ArgumentException("At least one checkpoint is needed.", nameof(checkpoints));
        var first = checkpoints[0].Report;
        count = Math.Min(count, first.Stories.Count);
        var md = new StringBuilder();
        md.Append("# Sample generations\n\n");
        md.Append(CultureInfo.InvariantCulture, $"{count} of the {first.Count} held-out specs (values never seen in training), ");
        md.Append("one story per checkpoint");
        if (first.Sampling is { } s) md.Append(CultureInfo.InvariantCulture, $", sampled with {Describe(s)} (story i uses seed {s.Seed} + i)");
        md.Append(".\n\n");
        md.Append("| checkpoint | stories passing every check |\n| --- | --- |\n");
        foreach (var (name, report) in checkpoints)
            md.Append(CultureInfo.InvariantCulture, $"| {name} | {RunMetrics.Percent(report.AllPassedRate)} of {report.Count} |\n");
        md.Append('\n');

        for (int i = 0; i < count; i++)
        {
            var spec = first.Stories[i].Spec;
            md.Append(CultureInfo.InvariantCulture, $"## {i + 1}. {Escape(spec.Title)} (`{first.Stories[i].Id}`)\n\n");
            md.Append("| field | value |\n| --- | --- |\n");
            md.Append(CultureInfo.InvariantCulture, $"| setting | {Escape(spec.Setting)} |\n| protagonist | {Escape(spec.Protagonist)} |\n");
            md.Append(CultureInfo.InvariantCulture, $"| supporting character | {Escape(spec.SupportingCharacter)} |\n| object | {Escape(spec.Object)} |\n");
            md.Append(CultureInfo.InvariantCulture, $"| taboo | {Escape(spec.Taboo)} |\n| twist | {Escape(spec.Twist)} |\n\n");

            foreach (var (name, report) in checkpoints)
            {
                var story = report.Stories[i];
                md.Append(CultureInfo.InvariantCulture, $"### {name}: {(story.AllPassed ? "all checks passed" : "failed " + string.Join(", ", story.Failures))}\n\n");
                // A fenced block shows the text exactly (paragraph breaks, any stray markers) without Markdown reading it.
                md.Append("```text\n").Append(story.Story.Replace("```", "'''", StringComparison.Ordinal)).Append("\n```\n\n");
            }

            md.Append("| check |");
            foreach (var (name, _) in checkpoints) md.Append(' ').Append(name).Append(" |");
            md.Append("\n| --- |");
            foreach (var _ in checkpoints) md.Append(" :---: |");
            md.Append('\n');
            foreach (var check in StoryCheckNames.Checks)
            {
                string checkName = check.ToName();
                md.Append("| ").Append(checkName).Append(" |");
                foreach (var (_, report) in checkpoints)
                    md.Append(report.Stories[i].Failures.Contains(checkName) ? " ❌ |" : " ✅ |");
                md.Append('\n');
            }
            md.Append('\n');
        }
        return md.ToString();
    }

    /// <summary>A one-line description of sampling settings.</summary>
    public static string Describe(SamplingOptions s) => string.Create(CultureInfo.InvariantCulture,
        $"temperature {s.Temperature}, top-p {s.TopP}, top-k {(s.TopK == 0 ? "off" : s.TopK)}, repetition penalty {s.RepetitionPenalty}, max {s.MaxNewTokens} new tokens");

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
