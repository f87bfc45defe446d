using System.Runtime.CompilerServices;
using System.Text.Json;
using HorrorAlign.ML.Generation;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Tokenization;
using Microsoft.Extensions.AI;

namespace HorrorAlign.ML.Chat;

/// <summary>
/// A trained story model as an <see cref="IChatClient"/> (Microsoft.Extensions.AI), shaped after ML.NET GenAI's
/// <c>CausalLMPipelineChatClient</c>: the last user message holds a spec (see <see cref="ChatSpecRequest.ExpectedForm"/>),
/// the answer is its story. <see cref="ChatOptions"/> map to sampling: Temperature, TopP, TopK, MaxOutputTokens (new
/// tokens), Seed and StopSequences; other options and system messages are ignored. A JSON array of specs is answered
/// with a JSON array of stories, decoded as one batch. Thread-safe: every call has its own decoding state.
/// </summary>
public sealed class StoryChatClient : IChatClient
{
    private readonly StoryModel _model;
    private readonly StoryChatClientOptions _options;
    private readonly DecodeBatcher? _batcher;
    private readonly Lock _gate = new();
    private readonly ManualResetEventSlim _idle = new(initialState: true); // set when no call is decoding
    private int _calls;
    private bool _disposed;

    /// <summary>Wraps <paramref name="model"/>; the client disposes it when <see cref="StoryChatClientOptions.OwnsModel"/>.</summary>
    public StoryChatClient(StoryModel model, StoryChatClientOptions? options = null)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _options = options ?? new StoryChatClientOptions();
        _options.Sampling.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(_options.DecodingThreads, "options.DecodingThreads");
        if (_options.DecodingThreads > 0) _batcher = new DecodeBatcher(model.Model, model.Vocabulary.EosId, _options.DecodingThreads);
        Metadata = new ChatClientMetadata("horroralign", providerUri: null, _options.ModelId);
    }

    /// <summary>Provider "horroralign" and the model id of the options.</summary>
    public ChatClientMetadata Metadata { get; }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">No spec in the last user message, or invalid options (the message says which).</exception>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var request = ChatSpecRequest.Read(messages);
        var sampling = SamplingFor(options);
        using var call = Enter();
        if (request.IsArray) return await Task.Run(() => Batch(request.Specs, sampling, cancellationToken), cancellationToken).ConfigureAwait(false);

        var completion = new StreamedCompletion();
        var text = new System.Text.StringBuilder();
        await foreach (string piece in TextGenerator.GenerateStreamingAsync(_model, request.Specs[0].ToPrompt(), sampling, completion, cancellationToken,
            _batcher, piecewise: false)
            .ConfigureAwait(false))
            text.Append(piece);
        return Response(new ChatMessage(ChatRole.Assistant, text.ToString()), completion.PromptTokens, completion.Tokens, completion.StopReason);
    }

    /// <inheritdoc />
    /// <remarks>The story comes word by word; the last update carries the finish reason and a <see cref="UsageContent"/>.
    /// A JSON array of specs comes as one update holding the whole JSON answer.</remarks>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = ChatSpecRequest.Read(messages);
        var sampling = SamplingFor(options);
        using var call = Enter();
        string id = NewId();
        var created = DateTimeOffset.UtcNow;
        ChatResponseUpdate Update(IList<AIContent> contents) => new(ChatRole.Assistant, contents)
        {
            ResponseId = id, MessageId = id, CreatedAt = created, ModelId = _options.ModelId,
        };

        if (request.IsArray)
        {
            var response = await Task.Run(() => Batch(request.Specs, sampling, cancellationToken), cancellationToken).ConfigureAwait(false);
            var update = Update([new TextContent(response.Text), new UsageContent(response.Usage!)]);
            update.FinishReason = response.FinishReason;
            yield return update;
            yield break;
        }

        var completion = new StreamedCompletion();
        await foreach (string piece in TextGenerator.GenerateStreamingAsync(_model, request.Specs[0].ToPrompt(), sampling, completion, cancellationToken, _batcher)
            .ConfigureAwait(false))
            yield return Update([new TextContent(piece)]);
        var last = Update([new UsageContent(Usage(completion.PromptTokens, completion.Tokens))]);
        last.FinishReason = FinishReason(completion.StopReason);
        yield return last;
    }

    /// <summary>Stories for several specs in one batch, answered as a JSON array of strings in spec order; Length when
    /// any story ran into the token limit.</summary>
    private ChatResponse Batch(IReadOnlyList<StorySpec> specs, SamplingOptions sampling, CancellationToken cancellationToken)
    {
        string[] prompts = [.. specs.Select(s => s.ToPrompt())];
        var stories = TextGenerator.GenerateBatchResults(_model, prompts, i => sampling with { Seed = unchecked(sampling.Seed + i) }, parallelism: 1,
            progress: null, cancellationToken);
        var message = new ChatMessage(ChatRole.Assistant, JsonSerializer.Serialize(stories.Select(s => s.Text)));
        var reason = stories.Select(s => s.StopReason).FirstOrDefault(r => r is GenerationStopReason.MaxNewTokens or GenerationStopReason.ContextFull,
            GenerationStopReason.EndOfText);
        return Response(message, stories.Sum(s => s.PromptTokens), stories.Sum(s => s.Tokens), reason);
    }

    private ChatResponse Response(ChatMessage message, int promptTokens, int tokens, GenerationStopReason? stopReason) => new(message)
    {
        ResponseId = NewId(), ModelId = _options.ModelId, CreatedAt = DateTimeOffset.UtcNow,
        FinishReason = FinishReason(stopReason), Usage = Usage(promptTokens, tokens),
    };

    private static UsageDetails Usage(int promptTokens, int tokens) =>
        new() { InputTokenCount = promptTokens, OutputTokenCount = tokens, TotalTokenCount = promptTokens + tokens };

    /// <summary>Length when the token limit or the context ended the story, else Stop.</summary>
    private static ChatFinishReason FinishReason(GenerationStopReason? reason) =>
        reason is GenerationStopReason.MaxNewTokens or GenerationStopReason.ContextFull ? ChatFinishReason.Length : ChatFinishReason.Stop;

    private static string NewId() => "chatcmpl-" + Guid.NewGuid().ToString("N");

    /// <summary>The client's sampling with the request's options laid over it.</summary>
    /// <exception cref="ArgumentException">An option out of range; its message and ParamName name the ChatOptions property.</exception>
    private SamplingOptions SamplingFor(ChatOptions? options)
    {
        var s = _options.Sampling with { Seed = Random.Shared.Next() };
        if (options is null) return s;
        if (options.Temperature is { } temperature) s = s with { Temperature = temperature };
        if (options.TopP is { } topP) s = s with { TopP = topP };
        if (options.TopK is { } topK) s = s with { TopK = topK };
        if (options.MaxOutputTokens is { } max) s = s with { MaxNewTokens = max };
        if (options.Seed is { } seed)
            s = s with { Seed = seed is >= int.MinValue and <= int.MaxValue ? (int)seed
                : throw new ArgumentException($"ChatOptions.Seed: must fit in 32 bits (got {seed}).", nameof(ChatOptions.Seed)) };
        if (options.StopSequences is { Count: > 0 } stops) s = s with { StopStrings = [.. stops] };
        try
        {
            s.Validate();
        }
        catch (ArgumentException e)
        {
            // Named as the caller set it: ChatOptions' property, not SamplingOptions' (ParamName too, for a server to map).
            string name = e.ParamName switch
            {
                nameof(SamplingOptions.MaxNewTokens) => nameof(ChatOptions.MaxOutputTokens),
                nameof(SamplingOptions.StopStrings) => nameof(ChatOptions.StopSequences),
                var other => other ?? "",
            };
            string reason = e.Message[(e.Message.IndexOf(':') + 1)..].Trim();
            int tail = reason.IndexOf(" (Parameter '", StringComparison.Ordinal);
            throw new ArgumentException($"ChatOptions.{name}: {(tail >= 0 ? reason[..tail] : reason)}", name, e);
        }
        return s;
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(ChatClientMetadata)) return Metadata;
        if (serviceType == typeof(StoryModel)) return _model;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>One call decoding on the model: <see cref="Dispose"/> waits for it.</summary>
    private Call Enter()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_calls++ == 0) _idle.Reset();
        }
        return new Call(this);
    }

    private readonly struct Call(StoryChatClient client) : IDisposable
    {
        public void Dispose()
        {
            lock (client._gate)
                if (--client._calls == 0) client._idle.Set();
        }
    }

    /// <summary>Refuses new calls, lets the calls in flight finish (a cancelled call ends within one token), then
    /// disposes the model when the client owns it.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
        }
        _idle.Wait();
        _batcher?.Dispose();
        _idle.Dispose();
        if (_options.OwnsModel) _model.Dispose();
    }
}
