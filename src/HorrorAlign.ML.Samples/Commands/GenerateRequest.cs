using HorrorAlign.ML.Generation;

namespace HorrorAlign.ML.Samples.Commands;

/// <summary>What one <c>generate</c> command line asks for (exactly one input is set).</summary>
/// <param name="Model">The model: a run's model.zip, a model file, or a PyTorch checkpoint.</param>
/// <param name="Prompt">A prompt, <c>\n</c> escapes already turned into line breaks.</param>
/// <param name="SpecFile">A spec as a JSON file.</param>
/// <param name="SpecsFile">Specs as JSONL, one story each, written to <paramref name="OutFile"/>.</param>
/// <param name="OutFile">Where the rows of <paramref name="SpecsFile"/> go.</param>
/// <param name="Interactive">The REPL.</param>
/// <param name="Quiet">No checks line, progress or summary.</param>
/// <param name="Sampling">How to sample.</param>
/// <param name="Heads">Attention heads of a PyTorch checkpoint stored without a description; null = stored, else the original's.</param>
public sealed record GenerateRequest(string Model, string? Prompt, string? SpecFile, string? SpecsFile, string? OutFile,
    bool Interactive, bool Quiet, SamplingOptions Sampling, int? Heads = null)
{
    /// <summary>Where the model runs: <c>cpu</c> (default) or <c>cuda:N</c> (see <see cref="Cli.DeviceOption"/>).</summary>
    public string Device { get; init; } = "cpu";
}
