using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace HorrorAlign.ML.IO;

/// <summary>
/// JSON Lines files: one compact JSON object per line, UTF-8 without a byte-order mark, "\n" line ends. Blank lines are
/// skipped on reading. Every reading error names the file and the 1-based line (and the field, when one is at fault).
/// Writes are atomic (<see cref="AtomicFile"/>), so a reader never sees half a file.
/// </summary>
internal static class Jsonl
{
    /// <summary>Writer settings shared by every JSON file of the project: compact, and non-ASCII text and apostrophes
    /// written as themselves (the files are data, never embedded in HTML), so that diffs stay readable.</summary>
    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Reads every non-blank line of <paramref name="path"/> as a JSON object, in file order.</summary>
    /// <exception cref="JsonlFormatException">A line is not valid JSON or not a JSON object.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static IEnumerable<JsonlRecord> ReadRecords(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"JSONL file not found: {path}", path);
        return Iterate(path);

        static IEnumerable<JsonlRecord> Iterate(string path)
        {
            using var reader = new StreamReader(path, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true);
            foreach (var record in ReadRecords(reader, path)) yield return record;
        }
    }

    /// <summary>Reads every non-blank line of <paramref name="reader"/> (e.g. an embedded resource) as a JSON object;
    /// errors name <paramref name="fileName"/>. The caller owns the reader.</summary>
    /// <exception cref="JsonlFormatException">A line is not valid JSON or not a JSON object.</exception>
    internal static IEnumerable<JsonlRecord> ReadRecords(TextReader reader, string fileName)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(fileName);
        return Iterate(reader, fileName);

        static IEnumerable<JsonlRecord> Iterate(TextReader reader, string path)
        {
            int lineNumber = 0;
            while (reader.ReadLine() is { } line)
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line)) continue;
                JsonElement root;
                try
                {
                    using var doc = JsonDocument.Parse(line);
                    root = doc.RootElement.Clone();
                }
                catch (JsonException e)
                {
                    throw new JsonlFormatException(path, lineNumber, null, "line is not valid JSON (" + e.Message + ")", e);
                }
                if (root.ValueKind != JsonValueKind.Object)
                    throw new JsonlFormatException(path, lineNumber, null, $"line must be a JSON object, not {root.ValueKind}");
                yield return new JsonlRecord(path, lineNumber, root);
            }
        }
    }

    /// <summary>Reads every row of <paramref name="path"/> through <paramref name="parse"/>.</summary>
    public static List<T> Read<T>(string path, Func<JsonlRecord, T> parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var rows = new List<T>();
        foreach (var record in ReadRecords(path)) rows.Add(parse(record));
        return rows;
    }

    /// <summary>Writes one JSON object per row (through <paramref name="writeRow"/>, which must write exactly one
    /// object) to <paramref name="path"/> atomically.</summary>
    public static void Write<T>(string path, IEnumerable<T> rows, Action<Utf8JsonWriter, T> writeRow)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(writeRow);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new Utf8JsonWriter(stream, WriterOptions);
            foreach (var row in rows)
            {
                writeRow(writer, row);
                writer.Flush();
                stream.WriteByte((byte)'\n');
                // A Utf8JsonWriter accepts one top-level value; Reset starts the next line's value.
                writer.Reset(stream);
            }
        });
    }
}

/// <summary>One parsed line of a JSONL file, with its location for error messages.</summary>
/// <param name="FileName">The file, as given to the reader.</param>
/// <param name="Line">1-based line number.</param>
/// <param name="Root">The line's JSON object.</param>
internal readonly record struct JsonlRecord(string FileName, int Line, JsonElement Root)
{
    /// <summary>The string value of a required field.</summary>
    /// <exception cref="JsonlFormatException">The field is missing, null or not a string.</exception>
    public string GetString(string field) =>
        GetOptionalString(field) ?? throw Error(field, $"required field '{field}' is missing");

    /// <summary>The string value of an optional field, or null when absent or JSON null.</summary>
    /// <exception cref="JsonlFormatException">The field is present but not a string.</exception>
    public string? GetOptionalString(string field)
    {
        if (!Root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw Error(field, $"field '{field}' must be a JSON string, not {value.ValueKind}");
    }

    /// <summary>An optional nested value (null when absent or JSON null).</summary>
    public JsonElement? GetOptional(string field) =>
        Root.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    /// <summary>An exception located at this record, naming <paramref name="field"/> when not null.</summary>
    public JsonlFormatException Error(string? field, string reason) => new(FileName, Line, field, reason);
}

/// <summary>A JSONL file holds a malformed line or row. The message starts with <c>file:line:</c>.</summary>
public sealed class JsonlFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="fileName">The file.</param>
    /// <param name="line">1-based line number.</param>
    /// <param name="field">The field at fault, or null when the whole line is.</param>
    /// <param name="reason">What is wrong.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public JsonlFormatException(string fileName, int line, string? field, string reason, Exception? inner = null)
        : base($"{fileName}:{line}: {reason}", inner)
    {
        FileName = fileName;
        Line = line;
        Field = field;
    }

    /// <summary>The file.</summary>
    public string FileName { get; }

    /// <summary>1-based line number.</summary>
    public int Line { get; }

    /// <summary>The field at fault, or null when the whole line is malformed.</summary>
    public string? Field { get; }
}
