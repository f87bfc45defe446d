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

    /// <summary>Reads and validates specs from <paramref name="reader"/> (e.g. an embedded resource); errors name
    /// <paramref name="fileName"/>.</summary>
    internal static List<StorySpec> Read(TextReader reader, string fileName) =>
        [.. Jsonl.ReadRecords(reader, fileName).Select(Parse)];

    private static StorySpec Parse(JsonlRecord record) => StorySpec.ReadJson(record.Root, record.FileName, record.Line);
}
