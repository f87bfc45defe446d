using System.Globalization;
using System.Text.Json;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Specs;

namespace HorrorAlign.ML.Data;

/// <summary>Field handling shared by the JSONL row types.</summary>
internal static class DatasetRows
{
    public static string Id(JsonlRecord record) =>
        record.GetOptionalString("id") ?? Path.GetFileNameWithoutExtension(record.FileName) + ":" + record.Line.ToString(CultureInfo.InvariantCulture);

    public static string RequiredText(JsonlRecord record, string field)
    {
        string value = record.GetString(field);
        return string.IsNullOrWhiteSpace(value) ? throw record.Error(field, $"field '{field}' must not be blank") : value;
    }

    /// <summary>Writes <c>"source"</c> when the row records who wrote it (<c>teacher</c> or <c>template</c>).</summary>
    public static void WriteSource(Utf8JsonWriter writer, string? source)
    {
        if (source is not null) writer.WriteString("source", source);
    }

    /// <summary>The row's optional <c>source</c>.</summary>
    public static string? Source(JsonlRecord record) => record.GetOptionalString("source");

    public static void WriteSpec(Utf8JsonWriter writer, StorySpec? spec)
    {
        if (spec is null) return;
        writer.WritePropertyName("spec");
        spec.WriteJson(writer);
    }

    /// <summary>The row's spec: the <c>spec</c> object when present (it must render to the row's prompt), else the
    /// prompt parsed back when it is a story prompt, else null.</summary>
    public static StorySpec? ReadSpec(JsonlRecord record, string prompt)
    {
        if (record.GetOptional("spec") is not { } element)
            return StorySpec.TryFromPrompt(prompt, out var parsed) ? parsed : null;
        var spec = StorySpec.ReadJson(element, record.FileName, record.Line);
        if (!string.Equals(spec.ToPrompt(), prompt, StringComparison.Ordinal))
            throw record.Error("spec", "field 'spec' does not match the prompt (its ToPrompt() differs from 'prompt')");
        return spec;
    }
}
