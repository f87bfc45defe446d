using System.CommandLine;
using HorrorAlign.ML.Samples.Cli;
using HorrorAlign.ML.Synthesis;
using HorrorAlign.ML.Tokenization;

namespace HorrorAlign.ML.Samples.Commands;

/// <summary><c>horroralign data --out DIR [--seed N] [sizes…]</c>: writes the template dataset and its stats.</summary>
public sealed class DataCommand : Command
{
    private readonly Option<string> _out = CliOption.Create<string>("--out", "Folder to write the dataset into.", "DIR");

    /// <summary>The dataset flags (seed and sizes).</summary>
    public DatasetOptionsBinder Sizes { get; } = new(shownDefaults: new DatasetOptions());

    /// <summary>Defines the command, writing to <paramref name="console"/>.</summary>
    public DataCommand(CliConsole console) : base("data", "Write the template dataset: six JSONL files, the held-out specs and stats.json.")
    {
        _out.Required = true;
        Options.Add(_out);
        Sizes.AddTo(this);
        this.SetGuardedAction(console, (result, _) => Run(result.GetRequiredValue(_out), Sizes.Read(result, new DatasetOptions()), console));
    }

    private static int Run(string outDir, DatasetOptions options, CliConsole console)
    {
        var dataset = Dataset.Generate(options);
        dataset.WriteTo(outDir);
        var gpt2 = Gpt2Tokenizer.Shared;
        string statsPath = dataset.WriteStats(outDir, t => gpt2.Encode(t).Length);
        var output = console.Out.Profile.Out.Writer;
        output.WriteLine($"wrote {Dataset.SftTrainFile} ({dataset.SftTrain.Count}), {Dataset.SftValidationFile} ({dataset.SftValidation.Count}), " +
                         $"{Dataset.SftTestFile} ({dataset.SftTest.Count}), {Dataset.PrefTrainFile} ({dataset.PrefTrain.Count}), " +
                         $"{Dataset.PrefValidationFile} ({dataset.PrefValidation.Count}), {Dataset.PrefTestFile} ({dataset.PrefTest.Count}) to {Path.GetFullPath(outDir)}");
        output.WriteLine($"stats: {statsPath}");
        return ExitCode.Success;
    }
}
