using HorrorAlign.ML.Generation;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace HorrorAlign.ML.MLNet;

// Saved-model contract: never rename the contract, the class or the column bindings; version with a new suffix.

/// <summary>Input of <see cref="StoryGenerationMapping"/>.</summary>
internal sealed class StoryGenerationInputRow
{
    [ColumnName(InternalColumns.Prompt)] public string Prompt = "";
    [ColumnName(InternalColumns.Model)] public string Model = "";
    [ColumnName(InternalColumns.Settings)] public string Settings = "";
}

/// <summary>Output of <see cref="StoryGenerationMapping"/>.</summary>
internal sealed class StoryGenerationOutputRow
{
    [ColumnName(InternalColumns.Story)] public string Story = "";
}

/// <summary>
/// Generates the story of one row: the model comes from the cache by the row's model header, the sampling options from
/// the persisted settings. Every row uses the same seed, so a given prompt always gives the same story; a story written
/// ahead in a batch (<see cref="PreparedStories"/>) is that same story.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
internal sealed class StoryGenerationMapping : CustomMappingFactory<StoryGenerationInputRow, StoryGenerationOutputRow>
{
    public const string ContractName = "HorrorAlign.GenerateStory.v1";

    public override Action<StoryGenerationInputRow, StoryGenerationOutputRow> GetMapping() => static (src, dst) =>
    {
        string hash = ModelPayload.ReadHash(src.Model);
        if (PreparedStories.TryGet(hash, src.Settings, src.Prompt ?? "", out var story))
        {
            dst.Story = story; // written ahead in a batch (BatchedStoryView)
            return;
        }
        var options = GenerationSettings.Parse(src.Settings);
        using var lease = StoryModelCache.AcquireCached(hash);
        dst.Story = TextGenerator.Generate(lease.Model, src.Prompt ?? "", options);
    };
}
