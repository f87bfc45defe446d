using System.Text.Json;
using HorrorAlign.ML.Data;
using HorrorAlign.ML.IO;

namespace HorrorAlign.ML.Synthesis;

/// <summary>Min, mean and max of a set of token counts (all 0 for an empty set).</summary>
/// <param name="Min">Smallest count.</param>
/// <param name="Mean">Mean count.</param>
/// <param name="Max">Largest count.</param>
internal sealed record LengthStats(int Min, double Mean, int Max)
{
    internal static LengthStats Of(IReadOnlyCollection<int> counts) =>
        counts.Count == 0 ? new(0, 0, 0) : new(counts.Min(), counts.Average(), counts.Max());
}

/// <summary>Statistics of one split file.</summary>
/// <param name="File">File name, e.g. <c>sft_train.jsonl</c>.</param>
/// <param name="Rows">Number of rows.</param>
/// <param name="TokenLengths">Token lengths per text field (<c>prompt</c>, <c>response</c> or <c>chosen</c>/<c>rejected</c>), in that order.</param>
/// <param name="PairKinds">Rows per pair kind in kind order (preference files only; empty for SFT files).</param>
/// <param name="Sources">Rows per recorded source (<c>teacher</c>, <c>template</c>), by name; empty when no row records one.</param>
internal sealed record FileStats(string File, int Rows, IReadOnlyList<KeyValuePair<string, LengthStats>> TokenLengths,
    IReadOnlyList<KeyValuePair<PairKind, int>> PairKinds, IReadOnlyList<KeyValuePair<string, int>> Sources);

/// <summary>Counts and token lengths of a <see cref="Dataset"/>, written as <c>stats.json</c>.</summary>
/// <param name="Files">One entry per split file, in file order.</param>
/// <param name="PairKinds">Preference pairs per kind over all three preference files, in kind order.</param>
/// <param name="HeldOutSpecs">Number of held-out specs.</param>
/// <param name="Teacher">What the LLM teacher cost and gave, for a dataset it wrote; null for a template dataset.</param>
internal sealed record DatasetStats(IReadOnlyList<FileStats> Files, IReadOnlyList<KeyValuePair<PairKind, int>> PairKinds, int HeldOutSpecs,
    TeacherStats? Teacher = null)
{
    /// <summary>Computes the statistics, counting tokens with <paramref name="countTokens"/> (e.g. a GPT-2 tokenizer).</summary>
    public static DatasetStats Compute(Dataset dataset, Func<string, int> countTokens, TeacherStats? teacher = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(countTokens);
        LengthStats Lengths(IEnumerable<string> texts) => LengthStats.Of([.. texts.Select(countTokens)]);

        FileStats Sft(string file, IReadOnlyList<SftExample> rows) => new(file, rows.Count,
            [new("prompt", Lengths(rows.Select(r => r.Prompt))), new("response", Lengths(rows.Select(r => r.Response)))], [],
            SourceCounts(rows.Select(r => r.Source)));

        FileStats Pref(string file, IReadOnlyList<PreferencePair> rows) => new(file, rows.Count,
            [
                new("prompt", Lengths(rows.Select(r => r.Prompt))), new("chosen", Lengths(rows.Select(r => r.Chosen))),
                new("rejected", Lengths(rows.Select(r => r.Rejected))),
            ],
            KindCounts(rows), SourceCounts(rows.Select(r => r.Source)));

        var allPairs = dataset.PrefTrain.Concat(dataset.PrefValidation).Concat(dataset.PrefTest).ToList();
        return new DatasetStats(
            [
                Sft(Dataset.SftTrainFile, dataset.SftTrain), Sft(Dataset.SftValidationFile, dataset.SftValidation),
                Sft(Dataset.SftTestFile, dataset.SftTest), Pref(Dataset.PrefTrainFile, dataset.PrefTrain),
                Pref(Dataset.PrefValidationFile, dataset.PrefValidation), Pref(Dataset.PrefTestFile, dataset.PrefTest),
            ],
            KindCounts(allPairs), dataset.HeldOutSpecs.Count, teacher);
    }

    private static List<KeyValuePair<string, int>> SourceCounts(IEnumerable<string?> sources) =>
        [.. sources.OfType<string>().GroupBy(s => s, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new KeyValuePair<string, int>(g.Key, g.Count()))];

    /// <summary>Rows per kind: every template kind, and a mined kind only when the rows hold it.</summary>
    private static List<KeyValuePair<PairKind, int>> KindCounts(IReadOnlyCollection<PreferencePair> rows) =>
        [.. PairKindExtensions.Kinds.Where(k => k.IsTemplate() || rows.Any(r => r.Kind == k))
            .Select(k => new KeyValuePair<PairKind, int>(k, rows.Count(r => r.Kind == k)))];

    /// <summary>The statistics as indented JSON (fixed key order; means rounded to 2 decimals):
    /// <c>{"files":{"sft_train.jsonl":{"rows":256,"tokens":{"prompt":{"min":…,"mean":…,"max":…},…},"pair_kinds":{…}},…},
    /// "pair_kinds":{…},"held_out_specs":64}</c>.</summary>
    public string ToJson()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer, Jsonl.WriterOptions with { Indented = true, NewLine = "\n" }))
        {
            w.WriteStartObject();
            w.WriteStartObject("files");
            foreach (var file in Files)
            {
                w.WriteStartObject(file.File);
                w.WriteNumber("rows", file.Rows);
                w.WriteStartObject("tokens");
                foreach (var (field, stats) in file.TokenLengths)
                {
                    w.WriteStartObject(field);
                    w.WriteNumber("min", stats.Min);
                    w.WriteNumber("mean", Math.Round(stats.Mean, 2));
                    w.WriteNumber("max", stats.Max);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
                if (file.PairKinds.Count > 0) WriteKinds(w, file.PairKinds);
                if (file.Sources.Count > 0)
                {
                    w.WriteStartObject("sources");
                    foreach (var (source, count) in file.Sources) w.WriteNumber(source, count);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
            }
            w.WriteEndObject();
            WriteKinds(w, PairKinds);
            w.WriteNumber("held_out_specs", HeldOutSpecs);
            if (Teacher is not null) WriteTeacher(w, Teacher);
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n";
    }

    /// <summary>The teacher's record, with the names of the original's <c>dataset_meta.json</c> where it has them.</summary>
    private static void WriteTeacher(Utf8JsonWriter w, TeacherStats t)
    {
        w.WriteStartObject("teacher");
        w.WriteString("model", t.Model);
        w.WriteString("endpoint", t.Endpoint);
        w.WriteNumber("calls", t.Calls);
        w.WriteNumber("failed_calls", t.FailedCalls);
        w.WriteNumber("malformed_answers", t.MalformedAnswers);
        w.WriteNumber("cache_hits", t.CacheHits);
        w.WriteNumber("prompt_tokens", t.InputTokens);
        w.WriteNumber("completion_tokens", t.OutputTokens);
        w.WriteNumber("total_tokens", t.TotalTokens);
        w.WriteNumber("retries", t.Retries);
        w.WriteNumber("teacher_rows", t.TeacherRows);
        w.WriteNumber("template_rows", t.TemplateRows);
        w.WriteStartObject("failed_checks");
        foreach (var (check, count) in t.FailedChecks) w.WriteNumber(check, count);
        w.WriteEndObject();
        if (t.StoppedBecause is null) w.WriteNull("stopped_because");
        else w.WriteString("stopped_because", t.StoppedBecause);
        w.WriteEndObject();
    }

    private static void WriteKinds(Utf8JsonWriter w, IReadOnlyList<KeyValuePair<PairKind, int>> kinds)
    {
        w.WriteStartObject("pair_kinds");
        foreach (var (kind, count) in kinds) w.WriteNumber(kind.ToName(), count);
        w.WriteEndObject();
    }

    /// <summary>Writes <see cref="ToJson"/> to <paramref name="path"/> atomically.</summary>
    public void WriteTo(string path) => AtomicFile.WriteAllText(path, ToJson());
}
