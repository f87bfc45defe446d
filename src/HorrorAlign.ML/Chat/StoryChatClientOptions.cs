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

    /// <summary>Whether disposing the client disposes its model (default true: the client was given the model to keep).</summary>
    public bool OwnsModel { get; init; } = true;
}
