using System.Text.Json;
using System.Text.Json.Serialization;

namespace HorrorAlign.ML.IO;

/// <summary>
/// A JSON number read as a double that must be finite: System.Text.Json reads <c>1e999</c> as infinity, which no option
/// means, which range checks written as comparisons let through, and which it then refuses to write back.
/// </summary>
internal sealed class FiniteDoubleJsonConverter : JsonConverter<double>
{
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.Number) throw new JsonException($"expected a number, not {reader.TokenType}");
        double value = reader.GetDouble();
        return double.IsFinite(value) ? value : throw new JsonException("the number is too large to be a finite double");
    }

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options) => writer.WriteNumberValue(value);
}
