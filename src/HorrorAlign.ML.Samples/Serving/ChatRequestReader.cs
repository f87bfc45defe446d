using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace HorrorAlign.ML.Samples.Serving;

/// <summary>
/// Reads a chat request body in two steps so that each failure names what is wrong: first the JSON itself (syntax,
/// size: Kestrel's MaxRequestBodySize stops the read), then its shape against <see cref="ChatCompletionRequest"/>
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
        try
        {
            return await JsonDocument.ParseAsync(body, default, ct).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw new OpenAiErrorException(OpenAiError.InvalidRequest(null,
                $"The request body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})."));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw new OpenAiErrorException(OpenAiError.TooLarge(maxBytes));
        }
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
