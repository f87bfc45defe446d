using HorrorAlign.ML.Generation;

namespace HorrorAlign.ML.Chat;

/// <summary>Settings of a <see cref="StoryChatClient"/>.</summary>
public sealed record StoryChatClientOptions
{
    /// <summary>The model id the client reports (<see cref="Microsoft.Extensions.AI.ChatClientMetadata.DefaultModelId"/>
    /// and every response's <c>ModelId</c>).</summary>
    public string ModelId { get; init; } = "horroralign";

    /// <summary>Sampling for what a request's <see cref="Microsoft.Extensions.AI.ChatOptions"/> leave unset. A request
    /// without a seed gets a fresh random one, as an OpenAI endpoint does; set <c>ChatOptions.Seed</c> for a repeatable story.</summary>
    public SamplingOptions Sampling { get; init; } = new();

    /// <summary>
    /// Threads that decode concurrent requests together: up to 32 requests of one prompt length share one forward per
    /// token (batched decoding), several times the throughput of one request per thread on a busy server. Each request
    /// keeps its own seed, so its story does not depend on the others. 0 (default) decodes each request on a thread
    /// of its own.
    /// </summary>
    public int DecodingThreads { get; init; }

    /// <summary>Whether disposing the client disposes its model (default true: the client was given the model to keep).</summary>
    public bool OwnsModel { get; init; } = true;
}
