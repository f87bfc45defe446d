using System.Text.Json;
using HorrorAlign.ML.IO;
using Microsoft.AspNetCore.Http;

namespace HorrorAlign.ML.Samples.Serving;

/// <summary>
/// Reads a chat request body in two steps so that each failure names what is wrong: first the JSON itself (size: at most
/// the server's limit, strict UTF-8, syntax), then its shape against <see cref="ChatCompletionRequest"/>
/// (a field of the wrong type is named by its JSON path, e.g. <c>messages[0].role</c>).
/// </summary>
internal static class ChatRequestReader
{
    public static async Task<ChatCompletionRequest> ReadAsync(HttpRequest request, long maxBytes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var document = await ParseAsync(request.Body, maxBytes, ct).ConfigureAwait(false);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
            throw new OpenAiErrorException(OpenAiError.InvalidRequest(null, $"The request body must be a JSON object (got {Describe(document.RootElement.ValueKind)})."));
        try
        {
            return document.RootElement.Deserialize<ChatCompletionRequest>(OpenAiWire.Json)!;
        }
        catch (JsonException e)
        {
            string? field = FieldOf(e.Path);
            throw new OpenAiErrorException(OpenAiError.InvalidRequest(field, $"'{field}' has the wrong type for OpenAI's chat API."));
        }
    }

    private static async Task<JsonDocument> ParseAsync(Stream body, long maxBytes, CancellationToken ct)
    {
        var utf8 = await ReadBodyAsync(body, maxBytes, ct).ConfigureAwait(false);
        if (utf8.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) utf8 = utf8[3..];
        // The JSON reader passes bad bytes inside a string through to the first read of it, as an InvalidOperationException.
        if (Utf8Text.FirstInvalidByte(utf8.Span) is int bad)
            throw new OpenAiErrorException(OpenAiError.InvalidRequest(null, $"The request body is not valid UTF-8 (byte {bad + 1})."));
        try
        {
            return JsonDocument.Parse(utf8);
        }
        catch (JsonException e)
        {
            throw new OpenAiErrorException(OpenAiError.InvalidRequest(null,
                $"The request body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})."));
        }
    }

    /// <summary>The whole body, at most <paramref name="maxBytes"/> (Kestrel stops a longer one first; the check here
    /// holds wherever the body comes from).</summary>
    private static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(Stream body, long maxBytes, CancellationToken ct)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            for (int n; (n = await body.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0;)
            {
                if (buffer.Length + n > maxBytes) throw new OpenAiErrorException(OpenAiError.TooLarge(maxBytes));
                buffer.Write(chunk, 0, n);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw new OpenAiErrorException(OpenAiError.TooLarge(maxBytes));
        }
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    /// <summary><c>$.messages[0].role</c> → <c>messages[0].role</c>; the root itself has no field name.</summary>
    private static string? FieldOf(string? path) => path is null or "$" ? null : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
