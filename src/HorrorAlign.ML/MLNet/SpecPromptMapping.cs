using HorrorAlign.ML.Specs;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace HorrorAlign.ML.MLNet;

// Saved-model contract: never rename the contract, the class or the column bindings; version with a new suffix.

/// <summary>Input of <see cref="SpecPromptMapping"/>: the seven spec columns by their snake_case names.</summary>
internal sealed class SpecColumnsRow
{
    [ColumnName("title")] public string Title = "";
    [ColumnName("setting")] public string Setting = "";
    [ColumnName("protagonist")] public string Protagonist = "";
    [ColumnName("supporting_character")] public string SupportingCharacter = "";
    [ColumnName("object")] public string Object = "";
    [ColumnName("taboo")] public string Taboo = "";
    [ColumnName("twist")] public string Twist = "";

    public StorySpec ToSpec() => new(Title, Setting, Protagonist, SupportingCharacter, Object, Taboo, Twist);
}

/// <summary>Output of <see cref="SpecPromptMapping"/>.</summary>
internal sealed class SpecPromptRow
{
    [ColumnName(InternalColumns.Prompt)] public string Prompt = "";
}

/// <summary>Renders a row's spec as the instruction prompt (<see cref="StorySpec.ToPrompt"/>, which validates it).</summary>
[CustomMappingFactoryAttribute(ContractName)]
internal sealed class SpecPromptMapping : CustomMappingFactory<SpecColumnsRow, SpecPromptRow>
{
    public const string ContractName = "HorrorAlign.SpecPrompt.v1";

    public override Action<SpecColumnsRow, SpecPromptRow> GetMapping() => static (src, dst) =>
    {
        try
        {
            dst.Prompt = src.ToSpec().ToPrompt();
        }
        catch (SpecValidationException e)
        {
            // The mapping does not know its row number; name the spec by its title so the row can be found.
            throw new SpecValidationException(e.Field, $"story spec titled '{src.Title}': {e.Reason}");
        }
    };
}
