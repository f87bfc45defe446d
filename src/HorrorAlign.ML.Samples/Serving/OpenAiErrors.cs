using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace HorrorAlign.ML.Samples.Serving;

/// <summary>
/// An error as OpenAI's API answers it: the HTTP status and the body
/// <c>{"error":{"message":…,"type":…,"param":…,"code":…}}</c>, so that OpenAI clients show the message as it is.
/// </summary>
internal sealed record OpenAiError(int Status, string Message, string Type, string? Param, string? Code)
{
    /// <summary>A bad request: <paramref name="param"/> names the field (as a JSON path without the <c>$.</c>).</summary>
    public static OpenAiError InvalidRequest(string? param, string message, string? code = null) =>
        new(StatusCodes.Status400BadRequest, message, "invalid_request_error", param, code);

    public static OpenAiError ModelNotFound(string model, string served) =>
        new(StatusCodes.Status404NotFound, $"The model '{model}' does not exist; this server serves '{served}'.", "invalid_request_error", "model", "model_not_found");

    public static OpenAiError InvalidApiKey(string message) =>
        new(StatusCodes.Status401Unauthorized, message, "invalid_request_error", null, "invalid_api_key");

    public static OpenAiError TooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, $"The request body is larger than {limit} bytes (the server's --max-request-bytes).",
            "invalid_request_error", null, "request_too_large");

    public static OpenAiError RateLimited() =>
        new(StatusCodes.Status429TooManyRequests, "The server is busy: every generation slot and queue place is taken. Retry later.",
            "rate_limit_error", null, "rate_limit_exceeded");

    public static OpenAiError TimedOut(TimeSpan limit) =>
        new(StatusCodes.Status504GatewayTimeout, $"The generation took longer than {limit.TotalSeconds:0.###} s (the server's --request-timeout) and was stopped.",
            "timeout_error", null, "timeout");

    public static OpenAiError ServerError() =>
        new(StatusCodes.Status500InternalServerError, "The server failed on this request; its log has the details.", "server_error", null, null);

    /// <summary>The body alone, <c>{"error":{…}}</c> (also what a stream sends when it fails midway).</summary>
    public string ToJson() => JsonSerializer.Serialize(new ErrorEnvelope(new ErrorBody(Message, Type, Param, Code)), OpenAiWire.Json);

    /// <summary>Writes the status and the body, unless the response has started (then only the caller can end it).</summary>
    public async Task WriteAsync(HttpResponse response, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.HasStarted) return;
        response.StatusCode = Status;
        response.ContentType = "application/json";
        await response.WriteAsync(ToJson(), ct).ConfigureAwait(false);
    }

    private sealed record ErrorEnvelope(ErrorBody Error);

    // Written even when null: OpenAI's error body always has all four fields.
    private sealed record ErrorBody(string Message, string Type,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Param,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Code);
}

/// <summary>A request the server refuses with <see cref="Error"/>.</summary>
internal sealed class OpenAiErrorException(OpenAiError error) : Exception(error.Message)
{
    public OpenAiError Error { get; } = error;
}
