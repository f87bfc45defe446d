namespace HorrorAlign.ML;

/// <summary>
/// Default column names used by the story-generation components. Every component takes its column names from its
/// <c>Options</c>, so these are only the defaults.
/// </summary>
public static class StoryColumnNames
{
    /// <summary>The prompt text (made by <see cref="SpecFeaturizer"/> or supplied ready-made).</summary>
    public const string Prompt = "Prompt";
    /// <summary>The preferred story: the SFT target and the DPO "chosen" completion.</summary>
    public const string Chosen = "Chosen";
    /// <summary>The dispreferred story of a DPO pair.</summary>
    public const string Rejected = "Rejected";
    /// <summary>The generated story added by <see cref="StoryGenerator"/>.</summary>
    public const string Story = "Story";
    /// <summary>
    /// The model-reference column added by the trainers' transformers: the header
    /// <c>HORRORALIGN-MODEL-v1;&lt;sha256&gt;</c> of the trained model, by which later components of the same chain (a
    /// <see cref="DpoTrainer"/>, a <see cref="StoryGenerator"/>) find that model. The model itself is held by the library
    /// internally, as long as the transformer that added the column (or, for a chain loaded from a zip, until
    /// <see cref="StoryModelZip.ReleaseStoryModels"/>).
    /// </summary>
    public const string Model = "StoryModel";

    /// <summary>The seven spec columns read by <see cref="SpecFeaturizer"/>, in prompt order.</summary>
    public static IReadOnlyList<string> SpecFields { get; } =
        ["title", "setting", "protagonist", "supporting_character", "object", "taboo", "twist"];
}
