using HorrorAlign.ML.IO;
using HorrorAlign.ML.Specs;

namespace HorrorAlign.ML.Data;

/// <summary>
/// One supervised example: a prompt and the story to imitate; the one SFT row type of the project, from the template
/// writer, a user's file or an ML.NET data view alike. JSONL form, one object per line:
/// <c>{"id":…,"prompt":…,"response":…,"spec":{…},"source":…}</c> (<c>spec</c> and <c>source</c> optional).
/// </summary>
/// <param name="Id">Row identifier, e.g. <c>sft-train-0001</c>; rows made from bare text get their place
/// (<c>file-stem:line</c> from a file without ids, <c>input:row</c> from an ML.NET data view).</param>
/// <param name="Prompt">The instruction prompt (<see cref="StorySpec.ToPrompt"/>), ending with "Story:\n".</param>
/// <param name="Response">The target story.</param>
/// <param name="Spec">The spec behind the prompt, when known.</param>
public sealed record SftExample(string Id, string Prompt, string Response, StorySpec? Spec = null)
{
    /// <summary>Who wrote the response, when recorded: <c>teacher</c> (an LLM) or <c>template</c>; null when not recorded.</summary>
    public string? Source { get; init; }

    /// <summary>Writes rows to a JSONL file atomically.</summary>
    public static void WriteJsonl(string path, IEnumerable<SftExample> rows) => Jsonl.Write(path, rows, static (w, row) =>
    {
        w.WriteStartObject();
        w.WriteString("id", row.Id);
        w.WriteString("prompt", row.Prompt);
        w.WriteString("response", row.Response);
        DatasetRows.WriteSpec(w, row.Spec);
        DatasetRows.WriteSource(w, row.Source);
        w.WriteEndObject();
    });

    /// <summary>Reads rows from a JSONL file. A missing <c>id</c> becomes <c>file-stem:line</c>; a missing
    /// <c>spec</c> is parsed from the prompt when it is a story prompt.</summary>
    /// <exception cref="JsonlFormatException">Malformed line, or a missing/blank required field; names file, line and field.</exception>
    /// <exception cref="SpecValidationException">The row's spec is invalid; names file, line and field.</exception>
    public static List<SftExample> ReadJsonl(string path) => Jsonl.Read(path, Parse);

    /// <summary><see cref="ReadJsonl"/> for a split that training cannot do without.</summary>
    /// <exception cref="InvalidDataException">The file holds no example; names the file.</exception>
    internal static List<SftExample> ReadJsonlNonEmpty(string path) => Jsonl.ReadNonEmpty(path, Parse, "SFT examples");

    private static SftExample Parse(JsonlRecord record)
    {
        string prompt = DatasetRows.RequiredText(record, "prompt");
        return new SftExample(DatasetRows.Id(record), prompt, DatasetRows.RequiredText(record, "response"), DatasetRows.ReadSpec(record, prompt))
        {
            Source = DatasetRows.Source(record),
        };
    }
}
