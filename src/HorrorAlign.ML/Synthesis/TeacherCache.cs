using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HorrorAlign.ML.IO;

namespace HorrorAlign.ML.Synthesis;

/// <summary>One answer of the teacher: its text and the tokens the endpoint billed for it.</summary>
internal sealed record TeacherAnswer(string Text, long InputTokens, long OutputTokens);

/// <summary>
/// The teacher's answers on disk, one JSON file per request, named by the SHA-256 of the request (endpoint, model,
/// messages, sampling), so that a rerun never pays twice and an interrupted run resumes where it stopped. Each file is
/// written atomically once its answer has arrived.
/// </summary>
internal sealed class TeacherCache(string? directory)
{
    /// <summary>The request's file name: its hash in hex.</summary>
    public static string Key(string canonicalRequest) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)));

    /// <summary>The cached answer, or null (no cache, not cached yet, or an unreadable file: asked again).</summary>
    public TeacherAnswer? TryGet(string key)
    {
        if (directory is null) return null;
        string path = Path.Combine(directory, key + ".json");
        if (!File.Exists(path)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = doc.RootElement;
            return new TeacherAnswer(root.GetProperty("text").GetString()!, root.GetProperty("input_tokens").GetInt64(), root.GetProperty("output_tokens").GetInt64());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Stores an answer (atomically) with the request it answers, for a reader of the cache.</summary>
    public void Put(string key, string canonicalRequest, TeacherAnswer answer)
    {
        if (directory is null) return;
        Directory.CreateDirectory(directory);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer, Jsonl.WriterOptions with { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("text", answer.Text);
            w.WriteNumber("input_tokens", answer.InputTokens);
            w.WriteNumber("output_tokens", answer.OutputTokens);
            w.WritePropertyName("request");
            using (var request = JsonDocument.Parse(canonicalRequest)) request.WriteTo(w);
            w.WriteEndObject();
        }
        AtomicFile.WriteAllText(Path.Combine(directory, key + ".json"), Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n");
    }
}
