using System.Text.Json;
using System.Text.Json.Serialization;
using HorrorAlign.ML.Data;

namespace HorrorAlign.ML.Synthesis;

/// <summary>A <see cref="PairKindMix"/> in JSON: an object of kind name → weight (<c>{"contrastive": 1, …}</c>).</summary>
internal sealed class PairKindMixJsonConverter : JsonConverter<PairKindMix>
{
    public override PairKindMix Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var weights = JsonSerializer.Deserialize<Dictionary<string, double>>(ref reader, options)
            ?? throw new JsonException("pair kind weights must be an object of kind name → weight");
        try
        {
            return new PairKindMix(weights.ToDictionary(kv => PairKindExtensions.ParsePairKind(kv.Key), kv => kv.Value));
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new JsonException(e.Message, e);
        }
    }

    public override void Write(Utf8JsonWriter writer, PairKindMix value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var kind in PairKindExtensions.TemplateKinds) writer.WriteNumber(kind.ToName(), value.Weight(kind));
        writer.WriteEndObject();
    }
}
