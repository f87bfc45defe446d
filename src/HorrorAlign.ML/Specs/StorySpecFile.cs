using HorrorAlign.ML.IO;

namespace HorrorAlign.ML.Specs;

/// <summary>JSONL files of specs, one <see cref="StorySpec"/> JSON object per line (e.g. held-out specs, or specs to
/// generate stories for).</summary>
public static class StorySpecFile
{
    /// <summary>Writes specs atomically.</summary>
    public static void Write(string path, IEnumerable<StorySpec> specs) =>
        Jsonl.Write(path, specs, static (writer, spec) => spec.WriteJson(writer));

    /// <summary>Reads and validates specs.</summary>
    /// <exception cref="JsonlFormatException">A line is not a JSON object; names file and line.</exception>
    /// <exception cref="SpecValidationException">A spec field is missing or invalid; names file, line and field.</exception>
    public static List<StorySpec> Read(string path) =>
        Jsonl.Read(path, Parse);

    /// <summary>Reads and validates specs with the line each came from, for a command that needs at least one.</summary>
    /// <exception cref="InvalidDataException">The file holds no spec; names the file.</exception>
    internal static List<(StorySpec Spec, int Line)> ReadRequired(string path) =>
        Jsonl.ReadNonEmpty(path, static record => (Parse(record), record.Line), "specs");

    /// <summary>Reads and validates the one spec of a JSON file (e.g. <c>generate --spec</c>).</summary>
    /// <exception cref="JsonlFormatException">The file is too long, not UTF-8, not JSON or not an object; names file and line.</exception>
    /// <exception cref="SpecValidationException">A field is missing or invalid; names file and field.</exception>
    internal static StorySpec ReadSingle(string path) => StorySpec.ReadJson(Jsonl.ReadObjectFile(path), path);

    /// <summary>Reads and validates specs from <paramref name="stream"/> (e.g. an embedded resource); errors name
    /// <paramref name="fileName"/>.</summary>
    internal static List<StorySpec> Read(Stream stream, string fileName) =>
        [.. Jsonl.ReadRecords(stream, fileName).Select(Parse)];

    private static StorySpec Parse(JsonlRecord record) => StorySpec.ReadJson(record.Root, record.FileName, record.Line);
}
