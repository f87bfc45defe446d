using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HorrorAlign.ML.Samples.Serving;

/// <summary>
/// A streamed completion as OpenAI sends it: server-sent events <c>data: {chat.completion.chunk}</c>, the first
/// carrying the assistant role, one per text update, then one with the finish reason, a usage chunk (empty choices)
/// when the request asked for it, and <c>data: [DONE]</c>. Nothing is sent before the chat client's first update, so a
/// bad spec still gets a plain 400; a timeout after that ends the stream with an error event instead of [DONE].
/// </summary>
internal sealed class ChatCompletionStream(HttpContext context, ServeOptions server)
{
    private readonly CompletionStamp _stamp = CompletionStamp.New();

    private HttpResponse Response => context.Response;

    public async Task WriteAsync(IChatClient client, ChatCall call, CancellationToken ct)
    {
        string finishReason = ChatCompletionsEndpoint.FinishReason(null);
        UsageDetails? usage = null;
        try
        {
            await foreach (var update in client.GetStreamingResponseAsync(call.Messages, call.Options, ct).ConfigureAwait(false))
            {
                if (!Response.HasStarted) await StartAsync(ct).ConfigureAwait(false);
                if (update.Text is { Length: > 0 } text) await WriteChunkAsync([new ChunkChoice(0, new ChunkDelta(null, text), null)], null, ct).ConfigureAwait(false);
                if (update.FinishReason is { } reason) finishReason = ChatCompletionsEndpoint.FinishReason(reason);
                usage = update.Contents.OfType<UsageContent>().LastOrDefault()?.Details ?? usage;
            }
        }
        catch (OperationCanceledException) when (Response.HasStarted && TimedOut)
        {
            await WriteEventAsync(OpenAiError.TimedOut(server.RequestTimeout).ToJson()).ConfigureAwait(false); // the request's token is spent
            return;
        }
        catch (Exception e) when (Response.HasStarted && e is not OperationCanceledException)
        {
            // The status line is gone: the stream ends with the error as its last event, never silently.
            context.RequestServices?.GetService<ILoggerFactory>()?.CreateLogger<ChatCompletionStream>().LogError(e, "A streamed completion failed mid-way.");
            await WriteEventAsync(OpenAiError.ServerError().ToJson(), ct).ConfigureAwait(false);
            return;
        }
        if (!Response.HasStarted) await StartAsync(ct).ConfigureAwait(false); // a stream without updates still answers
        await WriteChunkAsync([new ChunkChoice(0, new ChunkDelta(null, null), finishReason)], null, ct).ConfigureAwait(false);
        if (call.IncludeUsage) await WriteChunkAsync([], ChatCompletionsEndpoint.Usage(usage), ct).ConfigureAwait(false);
        await WriteEventAsync("[DONE]", ct).ConfigureAwait(false);
    }

    private bool TimedOut => context.Features.Get<IHttpRequestTimeoutFeature>()?.RequestTimeoutToken.IsCancellationRequested == true;

    private async Task StartAsync(CancellationToken ct)
    {
        Response.ContentType = "text/event-stream";
        Response.Headers.CacheControl = "no-cache";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering(); // each event goes out as it is written
        await WriteChunkAsync([new ChunkChoice(0, new ChunkDelta("assistant", ""), null)], null, ct).ConfigureAwait(false);
    }

    private Task WriteChunkAsync(IReadOnlyList<ChunkChoice> choices, UsageWire? usage, CancellationToken ct) =>
        WriteEventAsync(JsonSerializer.Serialize(new ChatCompletionChunk(_stamp.Id, "chat.completion.chunk", _stamp.Created, server.ModelId, choices, usage), OpenAiWire.Json), ct);

    private async Task WriteEventAsync(string data, CancellationToken ct = default)
    {
        await Response.WriteAsync("data: " + data + "\n\n", ct).ConfigureAwait(false);
        await Response.Body.FlushAsync(ct).ConfigureAwait(false);
    }
}
