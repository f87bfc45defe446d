using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;

namespace HorrorAlign.ML.Samples.Serving;

/// <summary>
/// <c>POST /v1/chat/completions</c>: reads and maps the request, asks the chat client, and answers with one
/// <c>chat.completion</c> or a <see cref="ChatCompletionStream"/>. A refused request and a spec or option the chat
/// client rejects (<see cref="ArgumentException"/>) get 400 in OpenAI's error shape; a cancellation goes on to the
/// request-timeout middleware (504) or to the aborted connection.
/// </summary>
internal sealed class ChatCompletionsEndpoint(IChatClient client, ServeOptions server)
{
    public const string Path = "/v1/chat/completions";

    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ct = context.RequestAborted; // cancelled by the request timeout and by a closed connection
        try
        {
            var request = await ChatRequestReader.ReadAsync(context.Request, server.MaxRequestBytes, ct).ConfigureAwait(false);
            var call = ChatRequestMapping.Map(request, server);
            if (call.Stream) await new ChatCompletionStream(context, server).WriteAsync(client, call, ct).ConfigureAwait(false);
            else await WriteCompletionAsync(context.Response, call, ct).ConfigureAwait(false);
        }
        catch (OpenAiErrorException e)
        {
            await e.Error.WriteAsync(context.Response, ct).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            await OpenAiError.InvalidRequest(FieldOf(e), MessageOf(e)).WriteAsync(context.Response, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The request field a chat client's <see cref="ArgumentException"/> is about: a spec names the messages, a
    /// sampling value the <see cref="ChatOptions"/> property it came in (StoryChatClient's ParamName).</summary>
    private static string? FieldOf(ArgumentException e) => e.ParamName switch
    {
        "messages" => "messages",
        nameof(ChatOptions.Temperature) => "temperature",
        nameof(ChatOptions.TopP) => "top_p",
        nameof(ChatOptions.TopK) => "top_k",
        nameof(ChatOptions.MaxOutputTokens) => "max_tokens",
        nameof(ChatOptions.StopSequences) => "stop",
        nameof(ChatOptions.Seed) => "seed",
        _ => null,
    };

    /// <summary>The message in the request's terms: without .NET's " (Parameter 'x')" tail, and with a ChatOptions
    /// property written as the request field it came from.</summary>
    private static string MessageOf(ArgumentException e)
    {
        string message = e.ParamName is { } name && e.Message.EndsWith($" (Parameter '{name}')", StringComparison.Ordinal)
            ? e.Message[..^$" (Parameter '{name}')".Length] : e.Message;
        return FieldOf(e) is { } field && field != "messages"
            ? message.Replace($"ChatOptions.{e.ParamName}", $"'{field}'", StringComparison.Ordinal) : message;
    }

    private async Task WriteCompletionAsync(HttpResponse response, ChatCall call, CancellationToken ct)
    {
        var answer = await client.GetResponseAsync(call.Messages, call.Options, ct).ConfigureAwait(false);
        var stamp = CompletionStamp.New();
        var completion = new ChatCompletion(stamp.Id, "chat.completion", stamp.Created, server.ModelId,
            [new ChatChoice(0, new AssistantMessage("assistant", answer.Text), FinishReason(answer.FinishReason))], Usage(answer.Usage));
        response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(response.Body, completion, OpenAiWire.Json, ct).ConfigureAwait(false);
    }

    /// <summary>OpenAI's names are M.E.AI's values: stop, length, content_filter, tool_calls.</summary>
    public static string FinishReason(ChatFinishReason? reason) => reason?.Value ?? ChatFinishReason.Stop.Value;

    public static UsageWire Usage(UsageDetails? usage)
    {
        long prompt = usage?.InputTokenCount ?? 0, completion = usage?.OutputTokenCount ?? 0;
        return new UsageWire(prompt, completion, usage?.TotalTokenCount ?? prompt + completion);
    }
}
