using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace HorrorAlign.ML.MLNet;

// Saved-model contract: never rename the contract, the class or the column bindings; version with a new suffix.

/// <summary>Input of <see cref="ModelReferenceMapping"/>: the full model payload (a reference to the ValueMapping's string, not a copy).</summary>
internal sealed class ModelPayloadRow
{
    [ColumnName(InternalColumns.Payload)] public ReadOnlyMemory<char> Payload;
}

/// <summary>Output of <see cref="ModelReferenceMapping"/>: the model's header, which downstream components resolve through the cache.</summary>
internal sealed class ModelReferenceRow
{
    [ColumnName(InternalColumns.Model)] public string Model = "";
}

/// <summary>
/// Turns the persisted payload into the row's model reference. It makes sure the model is decoded into the
/// <see cref="StoryModelCache"/> (once per process: later rows only read the header and find the cache entry), so that
/// everything downstream can work with the short header.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
internal sealed class ModelReferenceMapping : CustomMappingFactory<ModelPayloadRow, ModelReferenceRow>
{
    public const string ContractName = "HorrorAlign.ModelReference.v1";

    public override Action<ModelPayloadRow, ModelReferenceRow> GetMapping() =>
        static (src, dst) => dst.Model = ModelPayload.Header(StoryModelCache.Ensure(src.Payload));
}
