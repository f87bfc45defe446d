using System.CommandLine;
using HorrorAlign.ML.Samples.Reporting;

namespace HorrorAlign.ML.Samples.Cli;

/// <summary>The display and clean-up flags of the commands that train into a folder (<c>train</c>, <c>pretrain</c>):
/// <c>--quiet</c>, <c>--json</c> and <c>--keep-checkpoints</c>.</summary>
public sealed class RunOutputOptions
{
    private readonly Option<bool> _quiet = CliOption.Create<bool>("--quiet", "Only errors and the final line.");
    private readonly Option<bool> _json = CliOption.Create<bool>("--json", "One JSON object per line: stages, every training log entry, the summary.");
    private readonly Option<bool> _keep = CliOption.Create<bool>("--keep-checkpoints", "Keep checkpoints/ after the run completes.");

    /// <summary>Adds the flags to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var option in new Option[] { _quiet, _json, _keep }) command.Options.Add(option);
    }

    /// <summary>How progress is shown: --json wins over --quiet.</summary>
    public OutputMode Mode(ParseResult result) =>
        result.GetValue(_json) ? OutputMode.Json : result.GetValue(_quiet) ? OutputMode.Quiet : OutputMode.Rich;

    /// <summary>Whether checkpoints stay after a completed run.</summary>
    public bool KeepCheckpoints(ParseResult result) => result.GetValue(_keep);
}
