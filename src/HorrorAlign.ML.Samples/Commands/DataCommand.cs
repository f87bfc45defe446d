using HorrorAlign.ML.Data;
using HorrorAlign.ML.Samples.Cli;
using HorrorAlign.ML.Tokenization;

namespace HorrorAlign.ML.Samples.Commands;

/// <summary><c>horroralign data --out DIR [--seed N] [sizes…]</c>: writes the template dataset and its stats.</summary>
public static class DataCommand
{
    /// <summary>Reads the dataset options shared by <c>data</c> and <c>train</c>.</summary>
    public static DatasetOptions ReadOptions(CliArgs a, DatasetOptions defaults)
    {
        return (defaults with
        {
            Seed = a.Int("seed") ?? defaults.Seed,
            SftTrainSize = a.Int("sft-train") ?? defaults.SftTrainSize,
            SftValidationSize = a.Int("sft-val") ?? defaults.SftValidationSize,
            SftTestSize = a.Int("sft-test") ?? defaults.SftTestSize,
            PrefTrainSize = a.Int("pref-train") ?? defaults.PrefTrainSize,
            PrefValidationSize = a.Int("pref-val") ?? defaults.PrefValidationSize,
            PrefTestSize = a.Int("pref-test") ?? defaults.PrefTestSize,
            HeldOutFraction = a.Double("heldout-fraction") ?? defaults.HeldOutFraction,
            HeldOutSpecCount = a.Int("heldout-specs") ?? defaults.HeldOutSpecCount,
            FreshValueShare = a.Double("fresh-share") ?? defaults.FreshValueShare,
        }).Validate();
    }

    /// <summary>Runs the command.</summary>
    public static int Run(CliArgs a, CancellationToken ct)
    {
        string outDir = a.String("out") ?? throw new CliException("data needs --out DIR");
        var options = ReadOptions(a, new DatasetOptions());
        a.ThrowIfUnknown();

        var dataset = Dataset.Generate(options);
        dataset.WriteTo(outDir);
        var gpt2 = Gpt2Tokenizer.Shared;
        string statsPath = dataset.WriteStats(outDir, t => gpt2.Encode(t).Length);
        Console.WriteLine($"wrote {Dataset.SftTrainFile} ({dataset.SftTrain.Count}), {Dataset.SftValidationFile} ({dataset.SftValidation.Count}), " +
                          $"{Dataset.SftTestFile} ({dataset.SftTest.Count}), {Dataset.PrefTrainFile} ({dataset.PrefTrain.Count}), " +
                          $"{Dataset.PrefValidationFile} ({dataset.PrefValidation.Count}), {Dataset.PrefTestFile} ({dataset.PrefTest.Count}) to {Path.GetFullPath(outDir)}");
        Console.WriteLine($"stats: {statsPath}");
        return 0;
    }
}
