namespace HorrorAlign.ML.Samples.Serving;

/// <summary>How <see cref="StoryServer"/> listens and what it lets through; the defaults are <c>horroralign serve</c>'s.</summary>
internal sealed record ServeOptions
{
    /// <summary>Where to listen, ASP.NET Core's <c>--urls</c> form: one or more <c>http://host:port</c> separated by ';'
    /// (port 0 picks a free one; <see cref="StoryServer.Addresses"/> tells which).</summary>
    public string Urls { get; init; } = "http://127.0.0.1:8080";

    /// <summary>The model id that <c>/v1/models</c> lists and a request's <c>model</c> must name (or leave out).</summary>
    public string ModelId { get; init; } = "horroralign";

    /// <summary>The bearer key every <c>/v1</c> request must carry; null serves without one.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Requests in generation at once (the chat client decodes them together in batches of up to 32).</summary>
    public int MaxConcurrency { get; init; } = 32;

    /// <summary>Requests that wait for a free generation slot; the next one gets 429.</summary>
    public int QueueLimit { get; init; } = 64;

    /// <summary>Largest request body in bytes; a larger one gets 413.</summary>
    public long MaxRequestBytes { get; init; } = 64 * 1024;

    /// <summary>Largest <c>max_tokens</c> (or <c>max_completion_tokens</c>) a request may ask for.</summary>
    public int MaxTokensLimit { get; init; } = 512;

    /// <summary>How long one generation may run before it is cancelled (504 when nothing was sent yet).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(120);
}
