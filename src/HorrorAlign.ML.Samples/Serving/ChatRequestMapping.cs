using System.Globalization;
using System.Text.Json;
using HorrorAlign.ML.IO;
using Microsoft.Extensions.AI;

namespace HorrorAlign.ML.Samples.Serving;

/// <summary>
/// Turns an OpenAI chat request into a <see cref="ChatCall"/>: messages with their text, and the sampling fields as
/// <see cref="ChatOptions"/> (the chat client checks their values and samples). What only the server can judge is
/// refused here, naming the field: the model name, <c>n</c>, <c>max_tokens</c> above the server's limit, and fields
/// of the wrong shape.
/// </summary>
internal static class ChatRequestMapping
{
    public static ChatCall Map(ChatCompletionRequest request, ServeOptions server)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(server);
        if (request.Model is { } model && model != server.ModelId)
            throw new OpenAiErrorException(OpenAiError.ModelNotFound(model, server.ModelId));
        if (request.N is { } n && n != 1)
            throw Invalid("n", $"'n' must be 1: this server writes one story per request (got {n}).");

        var options = new ChatOptions
        {
            ModelId = server.ModelId,
            Temperature = (float?)request.Temperature,
            TopP = (float?)request.TopP,
            TopK = request.TopK,
            MaxOutputTokens = MaxTokens(request, server.MaxTokensLimit),
            Seed = request.Seed,
            StopSequences = StopSequences(request.Stop),
        };
        return new ChatCall(Messages(request.Messages), options, request.Stream ?? false, request.StreamOptions?.IncludeUsage ?? false);
    }

    private static List<ChatMessage> Messages(IReadOnlyList<ChatMessageWire?>? messages)
    {
        if (messages is null || messages.Count == 0)
            throw Invalid("messages", "'messages' must hold at least one message; the last user message holds the story spec.");
        return [.. messages.Select((m, i) => m is null
            ? throw Invalid($"messages[{i}]", $"'messages[{i}]' must be a message object {{\"role\":…,\"content\":…}}, not null.")
            : new ChatMessage(Role(m.Role, $"messages[{i}].role"), Contents(m.Content, $"messages[{i}].content")))];
    }

    private static ChatRole Role(string? role, string field) => role switch
    {
        "user" => ChatRole.User,
        "assistant" => ChatRole.Assistant,
        "system" or "developer" => ChatRole.System,
        null => throw Invalid(field, $"'{field}' is missing; use system, developer, user or assistant."),
        _ => throw Invalid(field, $"'{field}' must be system, developer, user or assistant (got '{role}')."),
    };

    /// <summary>A string, or an array of <c>{"type":"text","text":…}</c> parts (OpenAI's two forms); null is no text.</summary>
    private static List<AIContent> Contents(JsonElement? content, string field)
    {
        switch (content?.ValueKind)
        {
            case null or JsonValueKind.Null:
                return [];
            case JsonValueKind.String:
                return [new TextContent(Text(content.Value, field))];
            case JsonValueKind.Array:
                return [.. content.Value.EnumerateArray().Select((part, j) => (AIContent)new TextContent(TextPart(part, $"{field}[{j}]")))];
            default:
                throw Invalid(field, $"'{field}' must be a string or an array of text parts.");
        }
    }

    private static string TextPart(JsonElement part, string field)
    {
        if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            throw Invalid(field, $"'{field}' must be an object {{\"type\":\"text\",\"text\":…}}.");
        if (Text(type, field + ".type") is var kind && kind != "text")
            throw Invalid(field + ".type", $"'{field}.type' must be 'text': this model reads text only (got '{kind}').");
        if (!part.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
            throw Invalid(field + ".text", $"'{field}.text' must be a string.");
        return Text(text, field + ".text");
    }

    /// <summary>A JSON string's text; an unpaired surrogate escape (<c>"\ud800"</c>) is valid JSON but no text.</summary>
    private static string Text(JsonElement value, string field) =>
        JsonText.TryGetString(value, out string? text) ? text
            : throw Invalid(field, JsonText.UnpairedSurrogate(field) + ".");

    /// <summary><c>max_completion_tokens</c> (OpenAI's current name) else <c>max_tokens</c>, at most the server's limit.</summary>
    private static int? MaxTokens(ChatCompletionRequest request, int limit)
    {
        var (field, value) = request.MaxCompletionTokens is { } completion ? ("max_completion_tokens", completion) : ("max_tokens", request.MaxTokens);
        if (value > limit)
            throw Invalid(field, $"'{field}' is {value.Value.ToString(CultureInfo.InvariantCulture)}; this server allows at most {limit.ToString(CultureInfo.InvariantCulture)} (its --max-tokens-limit).");
        return value;
    }

    private static List<string>? StopSequences(JsonElement? stop) => stop?.ValueKind switch
    {
        null or JsonValueKind.Null => null,
        JsonValueKind.String => [Text(stop.Value, "stop")],
        JsonValueKind.Array when stop.Value.EnumerateArray().All(s => s.ValueKind == JsonValueKind.String) =>
            [.. stop.Value.EnumerateArray().Select((s, i) => Text(s, $"stop[{i}]"))],
        _ => throw Invalid("stop", "'stop' must be a string or an array of strings."),
    };

    private static OpenAiErrorException Invalid(string field, string message) => new(OpenAiError.InvalidRequest(field, message));
}
