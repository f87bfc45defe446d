using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace HorrorAlign.ML.MLNet;

// Saved-model contract: the contract name, the row types' column names and this class's full name are recorded in
// users' zips. Never rename them; make a "...v2" twin instead.

/// <summary>A row type with no columns: the key mapping needs no input.</summary>
internal sealed class NoColumns;

/// <summary>The constant key that the ValueMappings of a component's inner chain look their value up by.</summary>
internal sealed class ModelKeyRow
{
    [ColumnName(InternalColumns.Key)] public string Key = "";
}

/// <summary>Emits the constant key; the first step of every inner chain that reads persisted state.</summary>
[CustomMappingFactoryAttribute(ContractName)]
internal sealed class ModelKeyMapping : CustomMappingFactory<NoColumns, ModelKeyRow>
{
    public const string ContractName = "HorrorAlign.ModelKey.v1";
    public const string KeyValue = "state";

    public override Action<NoColumns, ModelKeyRow> GetMapping() => static (_, row) => row.Key = KeyValue;
}
