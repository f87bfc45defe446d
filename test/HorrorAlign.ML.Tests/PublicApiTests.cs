using System.Runtime.CompilerServices;

namespace HorrorAlign.ML.Tests;

/// <summary>The public API is locked by PublicApiAnalyzers (the build fails on a change not recorded in
/// src/HorrorAlign.ML/PublicAPI.Shipped.txt); this keeps the recorded API free of the machinery behind it.</summary>
public sealed class PublicApiTests
{
    private static string[] Shipped([CallerFilePath] string here = "") =>
        File.ReadAllLines(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "src", "HorrorAlign.ML", "PublicAPI.Shipped.txt"));

    [Fact]
    public void TheLockedApiHoldsNoInternalMachinery()
    {
        var api = Shipped();
        Assert.True(api.Length > 100, "the baseline was read");
        // Whole folders that are machinery, and the types of the others that are.
        string[] hidden =
        [
            "HorrorAlign.ML.Tokenization.", "HorrorAlign.ML.Text.", "HorrorAlign.ML.Modeling.GptModel", "HorrorAlign.ML.Modeling.KvCache",
            "HorrorAlign.ML.Modeling.CopyHead", "HorrorAlign.ML.Modeling.RmsNorm", "HorrorAlign.ML.Modeling.TorchThreads",
            "HorrorAlign.ML.Losses.CompletionLoss", "HorrorAlign.ML.Losses.DpoLoss.", "HorrorAlign.ML.IO.AtomicFile", "HorrorAlign.ML.IO.Jsonl.",
            "HorrorAlign.ML.IO.InlineProgress", "StoryModelCache", "HorrorAlign.ML.Generation.TokenSampler", "HorrorAlign.ML.Generation.TokenGenerator",
            "HorrorAlign.ML.Synthesis.FreshValues", "HorrorAlign.ML.Synthesis.StoryWriter", "HorrorAlign.ML.Training.StoryTraining",
            "HorrorAlign.ML.Mining.OnPolicyPairs", "HorrorAlign.ML.Data.ValuePools", "HorrorAlign.ML.Data.ProbeValues",
        ];
        var leaks = api.Where(line => hidden.Any(h => line.Contains(h, StringComparison.Ordinal))).ToList();
        Assert.True(leaks.Count == 0, "public API exposes machinery:\n" + string.Join("\n", leaks));
    }

    [Fact]
    public void ThePublicTypesAreTheOnesAUserNeeds()
    {
        var types = Shipped().Where(l => !l.StartsWith('#') && !l.Contains(" -> ", StringComparison.Ordinal) && !l.Contains('('))
            .Select(l => l.Trim()).ToHashSet(StringComparer.Ordinal);
        foreach (var expected in new[]
        {
            "HorrorAlign.ML.StoryGenerationCatalog", "HorrorAlign.ML.SftTrainer", "HorrorAlign.ML.DpoTrainer", "HorrorAlign.ML.StoryGenerator",
            "HorrorAlign.ML.Specs.StorySpec", "HorrorAlign.ML.Persistence.StoryModel", "HorrorAlign.ML.Generation.TextGenerator",
            "HorrorAlign.ML.Evaluation.ModelEvaluator", "HorrorAlign.ML.Synthesis.Dataset", "HorrorAlign.ML.Pipeline.AlignmentPipeline",
            "HorrorAlign.ML.Pipeline.RunOptions",
        })
            Assert.Contains(expected, types);
        Assert.InRange(types.Count, 60, 90); // 115 before the API was trimmed; a new public type is a decision
    }
}
