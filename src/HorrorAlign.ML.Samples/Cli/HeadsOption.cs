using System.CommandLine;
using HorrorAlign.ML.Persistence;

namespace HorrorAlign.ML.Samples.Cli;

/// <summary><c>--heads N</c> for the commands that load a model: the one thing a PyTorch checkpoint's tensor shapes
/// cannot tell, when no config was saved beside it.</summary>
public static class HeadsOption
{
    /// <summary>A new <c>--heads</c> option.</summary>
    public static Option<int> Create() => CliOption.Create<int>("--heads",
        $"Attention heads of a PyTorch checkpoint saved without a config.json (default: the stored config, else the original's {PyTorchCheckpoint.OriginalHeads}).", "N").AtLeast(1);

    /// <summary>The heads the command line gives, or null when it gives none.</summary>
    public static int? Read(ParseResult result, Option<int> option)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.GetResult(option) is null ? null : result.GetValue(option);
    }
}
