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

    /// <summary>Longest accepted line, in bytes (1 MiB): a row of this project is a few KB, and a bound keeps one
    /// corrupt or hostile line from taking all memory. A single-object JSON file (e.g. <c>--spec</c>) has the same cap.</summary>
    internal const int MaxLineBytes = 1 << 20;

    /// <summary>Reads every non-blank line of <paramref name="path"/> as a JSON object, in file order.</summary>
    /// <exception cref="JsonlFormatException">A line is not valid UTF-8, not valid JSON, not a JSON object, or longer than
    /// 1 MiB; names file and line.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static IEnumerable<JsonlRecord> ReadRecords(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"JSONL file not found: {path}", path);
        return Iterate(path);

        static IEnumerable<JsonlRecord> Iterate(string path)
        {
            using var stream = File.OpenRead(path);
            foreach (var record in ReadRecords(stream, path)) yield return record;
        }
    }

    /// <summary>Reads every non-blank line of <paramref name="stream"/> (e.g. an embedded resource) as a JSON object;
    /// errors name <paramref name="fileName"/>. The caller owns the stream.</summary>
    /// <exception cref="JsonlFormatException">A line is not valid UTF-8, not valid JSON, not a JSON object, or longer
    /// than <paramref name="maxLineBytes"/>.</exception>
    internal static IEnumerable<JsonlRecord> ReadRecords(Stream stream, string fileName, int maxLineBytes = MaxLineBytes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(fileName);
        return Iterate(new JsonlLineReader(stream, fileName, maxLineBytes), fileName);

        static IEnumerable<JsonlRecord> Iterate(JsonlLineReader reader, string path)
        {
            while (reader.TryReadLine(out var line))
            {
                if (line.Span.TrimStart(" \t\r"u8).IsEmpty) continue;
                yield return new JsonlRecord(path, reader.LineNumber, ParseObject(line, path, reader.LineNumber));
            }
        }
    }

    /// <summary>Reads a file that holds one JSON object (pretty-printed or not; e.g. <c>generate --spec</c>), at most
    /// <see cref="MaxLineBytes"/> bytes, read without taking more than that into memory.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="JsonlFormatException">Too long, not UTF-8, not JSON or not an object; names the file and line.</exception>
    internal static JsonElement ReadObjectFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"JSON file not found: {path}", path);
        using var stream = File.OpenRead(path);
        var bytes = new MemoryStream();
        var buffer = new byte[64 * 1024];
        for (int n; (n = stream.Read(buffer)) > 0;)
        {
            if (bytes.Length + n > MaxLineBytes)
                throw new JsonlFormatException(path, CountLines(bytes.GetBuffer().AsSpan(0, (int)bytes.Length)), null,
                    $"file is longer than the limit of {MaxLineBytes:N0} bytes for one JSON object");
            bytes.Write(buffer, 0, n);
        }
        var utf8 = bytes.GetBuffer().AsMemory(0, (int)bytes.Length);
        if (utf8.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) utf8 = utf8[3..];
        return ParseObject(utf8, path, 1, "file");

        static int CountLines(ReadOnlySpan<byte> before) => before.Count((byte)'\n') + 1;
    }

    /// <summary>One JSON object from strict UTF-8 bytes: a JSONL line (<paramref name="unit"/> "line") at
    /// <paramref name="fileName"/>:<paramref name="line"/>, or a whole file ("file", starting at that line).</summary>
    /// <exception cref="JsonlFormatException">Not valid UTF-8, not valid JSON, or not an object.</exception>
    internal static JsonElement ParseObject(ReadOnlyMemory<byte> utf8, string fileName, int line, string unit = "line")
    {
        // The JSON reader lets invalid UTF-8 through as U+FFFD in some places; a bad byte is corrupt data, not text.
        if (Utf8Text.FirstInvalidByte(utf8.Span) is int bad)
            throw new JsonlFormatException(fileName, line + utf8.Span[..bad].Count((byte)'\n'), null, $"{unit} is not valid UTF-8 (byte {bad + 1} of the {unit})");
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(utf8);
            root = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            // A multi-line object's error is on the line the JSON reader names (0-based from the start).
            throw new JsonlFormatException(fileName, line + (int)(e.LineNumber ?? 0), null, $"{unit} is not valid JSON ({e.Message})", e);
        }
        if (root.ValueKind != JsonValueKind.Object)
            throw new JsonlFormatException(fileName, line, null, $"{unit} must be a JSON object, not {root.ValueKind}");
        if (!JsonText.NamesAreText(root)) throw new JsonlFormatException(fileName, line, null, JsonText.UnpairedSurrogateName);
        return root;
    }

    /// <summary>Reads every row of <paramref name="path"/> through <paramref name="parse"/>.</summary>
    public static List<T> Read<T>(string path, Func<JsonlRecord, T> parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var rows = new List<T>();
        foreach (var record in ReadRecords(path)) rows.Add(parse(record));
        return rows;
    }

    /// <summary><see cref="Read{T}"/> for an input a command cannot do without: an empty (or all-blank) file is an error,
    /// not a silent run over nothing.</summary>
    /// <exception cref="InvalidDataException">The file holds no row; names the file and <paramref name="rowName"/>.</exception>
    internal static List<T> ReadNonEmpty<T>(string path, Func<JsonlRecord, T> parse, string rowName)
    {
        var rows = Read(path, parse);
        return rows.Count > 0 ? rows : throw new InvalidDataException($"{path}: the file holds no {rowName} (it is empty or blank); give one JSON object per line");
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
        if (value.ValueKind != JsonValueKind.String) throw Error(field, $"field '{field}' must be a JSON string, not {value.ValueKind}");
        return JsonText.TryGetString(value, out string? text) ? text : throw Error(field, JsonText.UnpairedSurrogate(field));
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
