using System.Text.Json;

namespace HorrorAlign.ML.IO;

/// <summary>JSON string values that must be text: an escaped lone surrogate (<c>"\ud800"</c>) is valid JSON but no
/// Unicode text, and <see cref="JsonElement.GetString"/> throws a bare InvalidOperationException for it.</summary>
internal static class JsonText
{
    /// <summary>The string value of <paramref name="value"/> (a JSON string), or false when it holds an unpaired surrogate.</summary>
    public static bool TryGetString(JsonElement value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? text)
    {
        try
        {
            text = value.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            text = null;
            return false;
        }
    }

    /// <summary>Whether every property name of the object <paramref name="value"/> is text; a name with an unpaired
    /// surrogate would make each later property lookup throw.</summary>
    public static bool NamesAreText(JsonElement value)
    {
        try
        {
            foreach (var property in value.EnumerateObject()) _ = property.Name;
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The reason a property name is rejected by <see cref="NamesAreText"/>.</summary>
    public const string UnpairedSurrogateName = "a property name holds an unpaired surrogate escape (\\uD800-\\uDFFF alone), which is not Unicode text";

    /// <summary>The reason an unpaired surrogate is rejected, naming <paramref name="field"/>.</summary>
    public static string UnpairedSurrogate(string field) =>
        $"field '{field}' holds an unpaired surrogate escape (\\uD800-\\uDFFF alone), which is not Unicode text";
}
