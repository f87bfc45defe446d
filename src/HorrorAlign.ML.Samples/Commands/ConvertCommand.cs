using System.CommandLine;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Samples.Cli;

namespace HorrorAlign.ML.Samples.Commands;

/// <summary>
/// <c>horroralign convert --model IN --out OUT</c>: a model from any format this project reads (a run's model.zip, a
/// model file, a PyTorch <c>.pt</c> or <c>.safetensors</c>) into the format OUT's extension names: <c>.zip</c> (an
/// ML.NET model an app loads), <c>.safetensors</c> or <c>.pt</c>/<c>.pth</c>/<c>.bin</c> (for PyTorch, with the
/// description beside the weights). The way into PyTorch and the way back.
/// </summary>
public sealed class ConvertCommand : Command
{
    private static readonly string[] s_pyTorch = [".safetensors", ".pt", ".pth", ".bin"];

    private readonly Option<string> _model = CliOption.Create<string>("--model",
        "The model to read: a run's model.zip, a model file, or a PyTorch checkpoint (.pt, .safetensors).", "PATH", "--checkpoint");
    private readonly Option<string> _out = CliOption.Create<string>("--out",
        "Where to write it; the extension picks the format: .zip (ML.NET), .safetensors, or .pt/.pth/.bin (with config.json beside it).", "PATH")
        .Require(p => p is null || s_pyTorch.Contains(Path.GetExtension(p).ToLowerInvariant()) || Path.GetExtension(p).Equals(".zip", StringComparison.OrdinalIgnoreCase),
            "must end in .zip, .safetensors, .pt, .pth or .bin");
    private readonly Option<int> _heads = HeadsOption.Create();

    /// <summary>Defines the command, writing to <paramref name="console"/>.</summary>
    public ConvertCommand(CliConsole console)
        : base("convert", "Convert a model between the ML.NET zip and PyTorch's .pt and .safetensors (both ways).")
    {
        _model.Required = true;
        _out.Required = true;
        foreach (var option in new Option[] { _model, _out, _heads }) Options.Add(option);
        this.SetGuardedAction(console, (result, _) =>
        {
            string input = result.GetRequiredValue(_model), output = result.GetRequiredValue(_out);
            int? heads = HeadsOption.Read(result, _heads);
            OutputTarget.Check("--out", output, ("--model", input));
            // A .pt output writes its description beside it: over the one a torch.save --model in that folder is read with.
            if (WritesDescription(output) && File.Exists(input) && PyTorchPickle.Looks(input))
                OutputTarget.CheckFolder("--out", output, new FolderWrites([DescriptionFile(output)], [], []), ("the description of --model", DescriptionFile(input)));
            using var model = ModelArchive.Load(input, new PyTorchCheckpointOptions { Heads = heads });
            if (Path.GetExtension(output).Equals(".zip", StringComparison.OrdinalIgnoreCase)) ModelArchive.Save(model, output);
            else PyTorchCheckpoint.Save(model, output);
            var c = model.Config;
            console.Out.Profile.Out.Writer.WriteLine(
                $"wrote {output}: d_model {c.DModel}, {c.NHeads} heads, {c.NLayers} blocks, context {c.ContextLength}, vocabulary {c.VocabSize}" +
                (WritesDescription(output) ? $" (description in {DescriptionFile(output)})" : ""));
            return ExitCode.Success;
        });
    }

    /// <summary>A .pt/.pth/.bin output: a bare state dict, with its description in a file beside it.</summary>
    private static bool WritesDescription(string output) => s_pyTorch[1..].Contains(Path.GetExtension(output).ToLowerInvariant());

    /// <summary>The description file beside a torch.save model.</summary>
    private static string DescriptionFile(string model) => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(model))!, ModelDescription.FileName);
}
