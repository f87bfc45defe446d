namespace HorrorAlign.ML.Text;

/// <summary>Markdown code fences, which chat models put around JSON unasked.</summary>
internal static class CodeFence
{
    /// <summary>The inside of a fence (<c>```json … ```</c>), trimmed; otherwise the text itself, trimmed.</summary>
    public static string Strip(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Trim();
        if (!text.StartsWith("```", StringComparison.Ordinal)) return text;
        int start = text.IndexOf('\n');
        int end = text.LastIndexOf("```", StringComparison.Ordinal);
        return start > 0 && end > start ? text[(start + 1)..end].Trim() : text;
    }
}
