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

    /// <summary>The cached answer, or null (no cache, not cached yet, or an unreadable file: asked again). A readable
    /// file is strict UTF-8 JSON of at most 1 MiB (an answer is a few KB) with a string "text" and whole, non-negative
    /// "input_tokens" and "output_tokens".</summary>
    public TeacherAnswer? TryGet(string key)
    {
        if (directory is null) return null;
        string path = Path.Combine(directory, key + ".json");
        if (!File.Exists(path)) return null;
        JsonElement root;
        try
        {
            root = Jsonl.ReadObjectFile(path);
        }
        catch (JsonlFormatException)
        {
            return null;
        }
        return root.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String && JsonText.TryGetString(text, out string? answer)
            && TryGetCount(root, "input_tokens", out long input) && TryGetCount(root, "output_tokens", out long output)
            ? new TeacherAnswer(answer, input, output)
            : null;
    }

    private static bool TryGetCount(JsonElement root, string name, out long count)
    {
        count = 0;
        return root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out count) && count >= 0;
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
