using HorrorAlign.ML.IO;
using HorrorAlign.ML.Specs;

namespace HorrorAlign.ML.Data;

/// <summary>
/// One preference pair: a prompt, the preferred story and the less preferred one, labelled with how they differ. JSONL
/// form, one object per line: <c>{"id":…,"prompt":…,"chosen":…,"rejected":…,"kind":"ignores_taboo","spec":{…}}</c>
/// (<c>spec</c> optional).
/// </summary>
/// <param name="Id">Row identifier, e.g. <c>pref-train-0001</c>.</param>
/// <param name="Prompt">The instruction prompt.</param>
/// <param name="Chosen">The preferred story.</param>
/// <param name="Rejected">The less preferred story.</param>
/// <param name="Kind">How the rejected story falls short.</param>
/// <param name="Spec">The spec behind the prompt, when known.</param>
public sealed record PreferencePair(string Id, string Prompt, string Chosen, string Rejected, PairKind Kind, StorySpec? Spec = null)
{
    /// <summary>Writes rows to a JSONL file atomically.</summary>
    public static void WriteJsonl(string path, IEnumerable<PreferencePair> rows) => Jsonl.Write(path, rows, static (w, row) =>
    {
        w.WriteStartObject();
        w.WriteString("id", row.Id);
        w.WriteString("prompt", row.Prompt);
        w.WriteString("chosen", row.Chosen);
        w.WriteString("rejected", row.Rejected);
        w.WriteString("kind", row.Kind.ToName());
        DatasetRows.WriteSpec(w, row.Spec);
        w.WriteEndObject();
    });

    /// <summary>Reads rows from a JSONL file. A missing <c>id</c> becomes <c>file-stem:line</c>, a missing <c>kind</c>
    /// is <see cref="PairKind.Contrastive"/>, and a missing <c>spec</c> is parsed from the prompt when possible.</summary>
    /// <exception cref="JsonlFormatException">Malformed line, missing/blank required field or unknown kind; names file, line and field.</exception>
    /// <exception cref="SpecValidationException">The row's spec is invalid; names file, line and field.</exception>
    public static List<PreferencePair> ReadJsonl(string path) => Jsonl.Read(path, static record =>
    {
        string prompt = DatasetRows.RequiredText(record, "prompt");
        string chosen = DatasetRows.RequiredText(record, "chosen");
        string rejected = DatasetRows.RequiredText(record, "rejected");
        PairKind kind = PairKind.Contrastive;
        if (record.GetOptionalString("kind") is { } name)
        {
            try
            {
                kind = PairKindExtensions.ParsePairKind(name);
            }
            catch (FormatException e)
            {
                throw record.Error("kind", e.Message);
            }
        }
        return new PreferencePair(DatasetRows.Id(record), prompt, chosen, rejected, kind, DatasetRows.ReadSpec(record, prompt));
    });
}
