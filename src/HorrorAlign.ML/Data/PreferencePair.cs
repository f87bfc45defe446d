using System.Text.Json;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Specs;

namespace HorrorAlign.ML.Data;

/// <summary>
/// One preference pair: a prompt, the preferred story and the less preferred one, labelled with how they differ: the
/// one pair type of the project, whether written from templates, mined from a model's own stories
/// (<see cref="PairKind.OnPolicy"/>) or read from a user's file or data view. JSONL form, one object per line:
/// <c>{"id":…,"prompt":…,"chosen":…,"rejected":…,"kind":"ignores_taboo","spec":{…},"source":…}</c> (<c>spec</c> and
/// <c>source</c> optional), and
/// for a mined pair also <c>"failures":[…],"repaired":…</c>.
/// </summary>
/// <param name="Id">Row identifier, e.g. <c>pref-train-0001</c> or <c>probe-0001</c>; rows made from bare text get their
/// place (<c>file-stem:line</c> from a file without ids, <c>input:row</c> from an ML.NET data view).</param>
/// <param name="Prompt">The instruction prompt.</param>
/// <param name="Chosen">The preferred story.</param>
/// <param name="Rejected">The less preferred story.</param>
/// <param name="Kind">How the rejected story falls short.</param>
/// <param name="Spec">The spec behind the prompt, when known.</param>
public sealed record PreferencePair(string Id, string Prompt, string Chosen, string Rejected, PairKind Kind, StorySpec? Spec = null)
{
    /// <summary>Names of the checks the rejected story failed, for a mined pair; null for a template pair (its kind says
    /// which check its rejected story fails).</summary>
    public IReadOnlyList<string>? Failures { get; init; }

    /// <summary>True when <see cref="Chosen"/> is the rejected story repaired by the model that wrote it (sharing its
    /// beginning); false when it is a reference story.</summary>
    public bool Repaired { get; init; }

    /// <summary>Who wrote the chosen story, when recorded: <c>teacher</c> (an LLM) or <c>template</c>; null when not recorded.</summary>
    public string? Source { get; init; }

    /// <summary>Writes rows to a JSONL file atomically. <c>failures</c> and <c>repaired</c> are written for the rows that
    /// have <see cref="Failures"/>, so template pairs keep their six fields.</summary>
    public static void WriteJsonl(string path, IEnumerable<PreferencePair> rows) => Jsonl.Write(path, rows, static (w, row) =>
    {
        w.WriteStartObject();
        w.WriteString("id", row.Id);
        w.WriteString("prompt", row.Prompt);
        w.WriteString("chosen", row.Chosen);
        w.WriteString("rejected", row.Rejected);
        w.WriteString("kind", row.Kind.ToName());
        DatasetRows.WriteSpec(w, row.Spec);
        if (row.Failures is not null)
        {
            w.WriteStartArray("failures");
            foreach (string failure in row.Failures) w.WriteStringValue(failure);
            w.WriteEndArray();
        }
        if (row.Failures is not null || row.Repaired) w.WriteBoolean("repaired", row.Repaired);
        DatasetRows.WriteSource(w, row.Source);
        w.WriteEndObject();
    });

    /// <summary>Reads rows from a JSONL file. A missing <c>id</c> becomes <c>file-stem:line</c>; a missing <c>kind</c> is
    /// <see cref="PairKind.OnPolicy"/> when the row lists <c>failures</c> (files of mined pairs written before mined
    /// pairs had a kind), else <see cref="PairKind.Contrastive"/>; a missing <c>spec</c> is parsed from the prompt when
    /// possible; a missing <c>repaired</c> is false.</summary>
    /// <exception cref="JsonlFormatException">Malformed line, missing/blank required field, unknown kind, an on-policy row
    /// without <c>failures</c>, or <c>failures</c>/<c>repaired</c> of the wrong JSON type; names file, line and field.</exception>
    /// <exception cref="SpecValidationException">The row's spec is invalid; names file, line and field.</exception>
    public static List<PreferencePair> ReadJsonl(string path) => Jsonl.Read(path, static record =>
    {
        string prompt = DatasetRows.RequiredText(record, "prompt");
        string chosen = DatasetRows.RequiredText(record, "chosen");
        string rejected = DatasetRows.RequiredText(record, "rejected");
        var failures = ReadFailures(record);
        PairKind kind = failures is null ? PairKind.Contrastive : PairKind.OnPolicy;
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
        if (kind == PairKind.OnPolicy && failures is null)
            throw record.Error("failures", "an on_policy row needs field 'failures': a JSON array of the names of the checks its rejected story failed");
        bool repaired = record.GetOptional("repaired") switch
        {
            null => false,
            { ValueKind: JsonValueKind.True } => true,
            { ValueKind: JsonValueKind.False } => false,
            { ValueKind: var other } => throw record.Error("repaired", $"field 'repaired' must be true or false, not {other}"),
        };
        return new PreferencePair(DatasetRows.Id(record), prompt, chosen, rejected, kind, DatasetRows.ReadSpec(record, prompt))
        {
            Failures = failures,
            Repaired = repaired,
            Source = DatasetRows.Source(record),
        };
    });

    /// <summary>The row's <c>failures</c> array, or null when it has none.</summary>
    private static string[]? ReadFailures(JsonlRecord record) => record.GetOptional("failures") switch
    {
        null => null,
        { ValueKind: JsonValueKind.Array } array => [.. array.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String
            ? e.GetString()!
            : throw record.Error("failures", "field 'failures' must hold strings (check names)"))],
        _ => throw record.Error("failures", "field 'failures' must be a JSON array of check names"),
    };
}
