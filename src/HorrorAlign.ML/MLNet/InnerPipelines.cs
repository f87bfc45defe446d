using Microsoft.ML;

namespace HorrorAlign.ML.MLNet;

/// <summary>
/// The chains of BUILT-IN transformers that each public component is made of. ML.NET 5 lets a third-party transformer
/// neither write its own bytes into a model zip nor register a loader (both internal), so every public transformer
/// forwards <c>Save</c> to one of these chains, which ML.NET persists and reloads by itself:
/// <list type="bullet">
/// <item>state (a model payload, sampling settings) is the value of a ValueMapping from one constant key;</item>
/// <item>work is done by CustomMappings whose factories are found again on load by their contract names;</item>
/// <item>user-chosen column names are bridged with CopyColumns, and internal columns are dropped at the end.</item>
/// </list>
/// </summary>
internal static class InnerPipelines
{
    /// <summary>Emits the constant key column.</summary>
    static IEstimator<ITransformer> Key(MLContext ml) =>
        ml.Transforms.CustomMapping(new ModelKeyMapping().GetMapping(), ModelKeyMapping.ContractName);

    /// <summary>Maps the constant key to <paramref name="value"/> in <paramref name="column"/>.</summary>
    static IEstimator<ITransformer> Constant(MLContext ml, string column, string value) =>
        ml.Transforms.Conversion.MapValue(column, [KeyValuePair.Create(ModelKeyMapping.KeyValue, value)], InternalColumns.Key);

    /// <summary>payload → internal model-reference column (decodes into the cache once per process).</summary>
    static IEstimator<ITransformer> Payload(MLContext ml, string payload) =>
        Constant(ml, InternalColumns.Payload, payload)
            .Append(ml.Transforms.CustomMapping(new ModelReferenceMapping().GetMapping(), ModelReferenceMapping.ContractName));

    /// <summary>A trainer's transformer: adds <paramref name="modelColumn"/> holding the model's header.</summary>
    public static IEstimator<ITransformer> ModelStage(MLContext ml, string payload, string modelColumn) =>
        Key(ml)
            .Append(Payload(ml, payload))
            .Append(ml.Transforms.CopyColumns(modelColumn, InternalColumns.Model))
            .Append(ml.Transforms.DropColumns(InternalColumns.Key, InternalColumns.Payload, InternalColumns.Model));

    /// <summary>
    /// The generator: adds <paramref name="storyColumn"/>. With a <paramref name="payload"/> it carries its own model;
    /// without, it reads the model reference that an upstream trainer's stage put in <paramref name="modelColumn"/>.
    /// </summary>
    public static IEstimator<ITransformer> GenerationStage(MLContext ml, string? payload, string settings,
        string promptColumn, string modelColumn, string storyColumn)
    {
        IEstimator<ITransformer> chain = Key(ml).Append(Constant(ml, InternalColumns.Settings, settings));
        chain = payload is null
            ? chain.Append(ml.Transforms.CopyColumns(InternalColumns.Model, modelColumn))
            : chain.Append(Payload(ml, payload));
        string[] drop = payload is null
            ? [InternalColumns.Key, InternalColumns.Settings, InternalColumns.Model, InternalColumns.Prompt, InternalColumns.Story]
            : [InternalColumns.Key, InternalColumns.Settings, InternalColumns.Payload, InternalColumns.Model, InternalColumns.Prompt, InternalColumns.Story];
        return chain
            .Append(ml.Transforms.CopyColumns(InternalColumns.Prompt, promptColumn))
            .Append(ml.Transforms.CustomMapping(new StoryGenerationMapping().GetMapping(), StoryGenerationMapping.ContractName))
            .Append(ml.Transforms.CopyColumns(storyColumn, InternalColumns.Story))
            .Append(ml.Transforms.DropColumns(drop));
    }

    /// <summary>The spec featurizer: the seven spec columns → <paramref name="promptColumn"/>.</summary>
    public static IEstimator<ITransformer> FeaturizeStage(MLContext ml, string promptColumn) =>
        ml.Transforms.CustomMapping(new SpecPromptMapping().GetMapping(), SpecPromptMapping.ContractName)
            .Append(ml.Transforms.CopyColumns(promptColumn, InternalColumns.Prompt))
            .Append(ml.Transforms.DropColumns(InternalColumns.Prompt));
}
