using System.Text;

namespace HorrorAlign.ML.Data;

/// <summary>
/// The word lists and value pools behind generated data, shipped inside the assembly from <c>Data/Words/*.txt</c>
/// (embedded as <c>HorrorAlign.ML.Words.&lt;name&gt;.txt</c>), so that data files hold the data and code the rules.
/// <para>
/// Format: UTF-8, one value per line, each line ending in a line feed (a carriage return before it is dropped, so a
/// CRLF checkout reads the same). A value is never empty and never starts or ends with white space; a file that breaks
/// this fails loudly instead of changing generated data. Values keep file order, which with the seed fixes every draw.
/// </para>
/// </summary>
internal static class WordLists
{
    private const string ResourcePrefix = "HorrorAlign.ML.Words.";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The values of list <paramref name="name"/> (file <c>Data/Words/&lt;name&gt;.txt</c>), in file order.
    /// Callers keep the result in a static field, so each list is read once per process.</summary>
    /// <exception cref="InvalidOperationException">No such list in the assembly.</exception>
    /// <exception cref="InvalidDataException">The list is empty, holds an empty or untrimmed value, or does not end
    /// with a line feed.</exception>
    public static string[] Load(string name)
    {
        using var stream = typeof(WordLists).Assembly.GetManifestResourceStream(ResourcePrefix + name + ".txt")
            ?? throw new InvalidOperationException(
                $"Word list '{name}' (Data/Words/{name}.txt) is missing from {typeof(WordLists).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream, StrictUtf8);
        return Parse(reader.ReadToEnd(), name);
    }

    /// <summary>Splits a list's text into its values (see the class remarks for the format).</summary>
    internal static string[] Parse(string text, string name)
    {
        if (text.Length == 0) throw new InvalidDataException($"Word list '{name}' is empty.");
        if (text[^1] != '\n') throw new InvalidDataException($"Word list '{name}' does not end with a line feed.");
        string[] lines = text[..^1].Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string value = lines[i].EndsWith('\r') ? lines[i][..^1] : lines[i];
            if (value.Length == 0 || char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]))
                throw new InvalidDataException($"Word list '{name}' line {i + 1}: '{value}' is empty or not trimmed.");
            lines[i] = value;
        }
        return lines;
    }
}
