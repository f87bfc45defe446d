namespace HorrorAlign.ML.MLNet;

// Names of the columns that exist only inside a component's saved inner chain. They are part of the saved-model
// contract (the CustomMapping row types bind to them by name): never rename them.
internal static class InternalColumns
{
    public const string Key = "__HorrorAlign_Key";
    public const string Payload = "__HorrorAlign_Payload";
    public const string Model = "__HorrorAlign_Model";
    public const string Settings = "__HorrorAlign_Settings";
    public const string Prompt = "__HorrorAlign_Prompt";
    public const string Story = "__HorrorAlign_Story";
}
