using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace HorrorAlign.ML.Samples.Serving;

/// <summary>
/// The JSON of OpenAI's chat API as this server reads and writes it: snake_case names, nulls left out, unknown request
/// fields ignored (clients send more than a story needs). Fields that take two shapes (a message's <c>content</c>:
/// a string or text parts; <c>stop</c>: a string or strings) stay <see cref="JsonElement"/> for
/// <see cref="ChatRequestMapping"/> to read.
/// </summary>
internal static class OpenAiWire
{
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.Strict, // "temperature": "0.5" is a wrong type, as in OpenAI's API
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // JSON for API clients, never embedded in HTML: keep ' and … readable
    };
}

internal sealed record ChatCompletionRequest(
    string? Model,
    IReadOnlyList<ChatMessageWire?>? Messages, // JSON may hold null where a message belongs
    double? Temperature,
    double? TopP,
    int? TopK,
    int? MaxTokens,
    int? MaxCompletionTokens,
    long? Seed,
    JsonElement? Stop,
    bool? Stream,
    StreamOptionsWire? StreamOptions,
    int? N);

internal sealed record ChatMessageWire(string? Role, JsonElement? Content);

internal sealed record StreamOptionsWire(bool? IncludeUsage);

internal sealed record ChatCompletion(string Id, string Object, long Created, string Model, IReadOnlyList<ChatChoice> Choices, UsageWire? Usage);

internal sealed record ChatChoice(int Index, AssistantMessage Message, string? FinishReason);

internal sealed record AssistantMessage(string Role, string Content);

internal sealed record ChatCompletionChunk(string Id, string Object, long Created, string Model, IReadOnlyList<ChunkChoice> Choices, UsageWire? Usage);

internal sealed record ChunkChoice(int Index, ChunkDelta Delta, string? FinishReason);

internal sealed record ChunkDelta(string? Role, string? Content);

internal sealed record UsageWire(long PromptTokens, long CompletionTokens, long TotalTokens);

internal sealed record ModelList(string Object, IReadOnlyList<ModelCard> Data);

internal sealed record ModelCard(string Id, string Object, long Created, string OwnedBy);

/// <summary>The id and creation time one completion (all chunks of a stream) carries.</summary>
internal sealed record CompletionStamp(string Id, long Created)
{
    public static CompletionStamp New() => new("chatcmpl-" + Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
}
