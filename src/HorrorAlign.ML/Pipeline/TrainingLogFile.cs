using System.Text.Json;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Training;

namespace HorrorAlign.ML.Pipeline;

/// <summary>
/// <c>train.log.jsonl</c>: one JSON object per training log entry and per evaluation, SFT then DPO, e.g.
/// <c>{"stage":"sft","step":12,"total_steps":96,"epoch":0.375,"loss":2.31,"learning_rate":0.001,"grad_norm":0.8}</c>;
/// evaluation lines carry <c>eval_*</c> metrics. Non-finite values are written as null.
/// </summary>
internal static class TrainingLogFile
{
    /// <summary>The file name inside a run folder.</summary>
    public const string FileName = "train.log.jsonl";

    /// <summary>Writes the complete log atomically (the histories of a resumed run include the entries before the resume).</summary>
    public static void Write(string path, IEnumerable<TrainingMetrics> entries) =>
        Jsonl.Write(path, entries, static (w, m) =>
        {
            w.WriteStartObject();
            WriteFields(w, m);
            w.WriteEndObject();
        });

    /// <summary>Writes the entry's fields into an open JSON object: stage, step, total_steps, epoch, then every metric.</summary>
    public static void WriteFields(Utf8JsonWriter w, TrainingMetrics m)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(m);
        w.WriteString("stage", m.Stage);
        w.WriteNumber("step", m.Step);
        w.WriteNumber("total_steps", m.TotalSteps);
        WriteNumber(w, MetricNames.Epoch, m.Epoch);
        foreach (var (name, value) in m.Values)
            if (name != MetricNames.Epoch) WriteNumber(w, name, value);
    }

    private static void WriteNumber(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value)) w.WriteNumber(name, value);
        else w.WriteNull(name);
    }
}
