using System.Runtime.CompilerServices;
using System.Threading.Channels;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Tokenization;

namespace HorrorAlign.ML.Generation;

/// <summary>Text-level generation over a <see cref="StoryModel"/>: prompt in, cleaned completion out.</summary>
/// <remarks>Thread-safe on a shared model: every call has its own cache, sampler and random state.</remarks>
public static class TextGenerator
{
    /// <summary>Generates the completion of <paramref name="prompt"/> (prompt not echoed, end markers removed, repeated tail trimmed).</summary>
    /// <exception cref="ArgumentException">Invalid options, an empty prompt, or a prompt longer than the model's context.</exception>
    public static string Generate(StoryModel model, string prompt, SamplingOptions options)
    {
        var (text, _) = GenerateRaw(model, prompt, options);
        return OutputCleaner.Clean(text, prompt);
    }

    /// <summary>
    /// Generates the completion of <paramref name="prompt"/> piece by piece, as it is decoded. The pieces are the text of
    /// <see cref="Generate"/> (same seed, same story) cut at word boundaries: a word is sent once the clean-up and the
    /// stop strings can no longer change it. They concatenate to <see cref="Generate"/>'s text, except when the
    /// clean-up at the end cuts a looped tail back past text already sent (sent text cannot be taken back).
    /// Decoding runs on a thread of its own; enumeration awaits it.
    /// </summary>
    /// <exception cref="ArgumentException">Invalid options, an empty prompt, or a prompt longer than the model's context
    /// (thrown by this call, before any enumeration).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled: decoding stops
    /// within one token.</exception>
    public static IAsyncEnumerable<string> GenerateStreamingAsync(StoryModel model, string prompt, SamplingOptions options,
        CancellationToken cancellationToken = default) => GenerateStreamingAsync(model, prompt, options, new StreamedCompletion(), cancellationToken);

    /// <summary><see cref="GenerateStreamingAsync(StoryModel, string, SamplingOptions, CancellationToken)"/>, filling
    /// <paramref name="completion"/> (token counts, why it ended) once the stream is done, and decoding in
    /// <paramref name="batcher"/>'s batches, shared with other callers' stories (null: on a thread of its own). Without
    /// <paramref name="piecewise"/> the whole story comes as one piece at the end (no text work while decoding).</summary>
    internal static IAsyncEnumerable<string> GenerateStreamingAsync(StoryModel model, string prompt, SamplingOptions options,
        StreamedCompletion completion, CancellationToken cancellationToken, DecodeBatcher? batcher = null, bool piecewise = true)
    {
        ArgumentNullException.ThrowIfNull(completion);
        _ = Prepare(model, prompt, [], options); // bad arguments throw here, not at the first MoveNextAsync
        return Stream(model, prompt, options, completion, options.UseKvCache ? batcher : null, piecewise, cancellationToken);
    }

    private static async IAsyncEnumerable<string> Stream(StoryModel model, string prompt, SamplingOptions options, StreamedCompletion completion,
        DecodeBatcher? batcher, bool piecewise, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var prepared = Prepare(model, prompt, [], options); // per enumeration: stop strings and constraints keep state
        // The decoding thread only hands over each new token; the text is made here, so a batch never waits on it.
        var tokens = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var r = prepared.Request;
        GenerationResult? ended = null;
        bool StopOrSend(IReadOnlyList<int> generated)
        {
            if (stop.IsCancellationRequested || r.StopCondition?.Invoke(generated) == true) return true;
            if (piecewise) tokens.Writer.TryWrite(generated[^1]);
            return false;
        }
        void Ended(GenerationResult result)
        {
            ended = result;
            tokens.Writer.TryComplete();
        }
        var decoding = batcher is not null
            ? batcher.DecodeAsync(r with { StopCondition = StopOrSend, Ended = Ended }, stop.Token)
                .ContinueWith(t => tokens.Writer.TryComplete(t.Exception?.InnerException), TaskScheduler.Default)
            : Task.Factory.StartNew(() =>
            {
                try
                {
                    Ended(TokenGenerator.Generate(model.Model, r.PromptIds, r.Options, model.Vocabulary.EosId, StopOrSend, r.SourceLength, r.Constraints));
                }
                catch (Exception e)
                {
                    tokens.Writer.TryComplete(e);
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        var sent = new SentText(prompt, prepared.StopStrings);
        var generated = new List<int>();
        try
        {
            while (await tokens.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (tokens.Reader.TryRead(out int token)) generated.Add(token); // all that arrived: one text update for them
                cancellationToken.ThrowIfCancellationRequested(); // nothing more is sent after a cancel
                if (sent.Next(prepared.TextOf(generated)) is { Length: > 0 } piece) yield return piece;
            }
        }
        finally
        {
            stop.Cancel(); // a consumer that stops early, or a cancelled one, ends the decoding too
            await decoding.ConfigureAwait(false); // never leave a decode running on a model its owner may dispose
        }
        cancellationToken.ThrowIfCancellationRequested(); // a cancelled stream is not a complete story
        var (text, reason) = prepared.Finish(ended!);
        if (sent.Rest(OutputCleaner.Clean(text, prompt)) is { Length: > 0 } rest) yield return rest;
        completion.Set(r.SourceLength ?? r.PromptIds.Count, ended!.Tokens.Count, reason);
    }

    /// <summary>What a stream has sent: the cleaned text so far, up to its last word boundary that no stop string can
    /// still reach.</summary>
    private sealed class SentText(string prompt, IReadOnlyList<string> stopStrings)
    {
        private readonly int _holdBack = stopStrings.Count == 0 ? 0 : stopStrings.Max(s => s.Length);
        private string _sent = "";

        /// <summary>The new piece ready to send, given the raw text decoded so far ("" when nothing is settled yet).</summary>
        public string Next(string raw)
        {
            string clean = OutputCleaner.Clean(raw, prompt);
            // The word in progress may still grow, and the clean-up may still trim it: send up to the last blank only.
            int end = clean.AsSpan(0, Math.Max(0, clean.Length - _holdBack)).LastIndexOfAny(' ', '\n');
            return end > _sent.Length && clean.StartsWith(_sent, StringComparison.Ordinal) ? Take(clean[..end]) : "";
        }

        /// <summary>The rest of the finished, cleaned text; "" when the clean-up cut back past what was sent.</summary>
        public string Rest(string clean) => clean.StartsWith(_sent, StringComparison.Ordinal) ? Take(clean) : "";

        private string Take(string settled)
        {
            string piece = settled[_sent.Length..];
            _sent = settled;
            return piece;
        }
    }

    /// <summary>Most sequences decoded in one batch: past this, a step's cost grows with the batch instead of staying
    /// flat (bench: generate_new_tokens_per_s.default_batched_*).</summary>
    internal const int MaxDecodeBatch = 32;

    /// <summary>
    /// Generates completions for many prompts (results in input order; prompt i uses seed options.Seed + i, so a result
    /// depends on neither the other prompts nor <paramref name="parallelism"/>). Prompts of one token length are decoded
    /// together, up to <see cref="MaxDecodeBatch"/> in one forward per step (<see cref="TokenGenerator.GenerateBatch"/>);
    /// spec prompts with field tokens all have one length.
    /// </summary>
    /// <param name="model">The model (only read; shared by the workers).</param>
    /// <param name="prompts">The prompts.</param>
    /// <param name="options">Sampling options; prompt i is sampled with seed <c>Seed + i</c>.</param>
    /// <param name="parallelism">How many batches are decoded at once, each on one torch thread (see
    /// <see cref="ParallelPrompts"/>). Default 1.</param>
    /// <param name="progress">Receives the number of completions finished so far (in increasing order).</param>
    /// <param name="cancellationToken">Checked before each batch.</param>
    public static IReadOnlyList<string> GenerateBatch(StoryModel model, IReadOnlyList<string> prompts, SamplingOptions options,
        int parallelism = 1, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return GenerateBatch(model, prompts, i => options with { Seed = unchecked(options.Seed + i) }, parallelism, progress, cancellationToken);
    }

    /// <summary><see cref="GenerateBatch(StoryModel, IReadOnlyList{string}, SamplingOptions, int, IProgress{int}?, CancellationToken)"/>
    /// with the options of prompt i given by <paramref name="optionsOf"/>(i) (the ML.NET transform gives every row one seed).</summary>
    internal static IReadOnlyList<string> GenerateBatch(StoryModel model, IReadOnlyList<string> prompts, Func<int, SamplingOptions> optionsOf,
        int parallelism, IProgress<int>? progress, CancellationToken cancellationToken) =>
        [.. GenerateBatchResults(model, prompts, optionsOf, parallelism, progress, cancellationToken).Select(r => r.Text)];

    /// <summary>The stories of <see cref="GenerateBatch(StoryModel, IReadOnlyList{string}, Func{int, SamplingOptions}, int, IProgress{int}?, CancellationToken)"/>
    /// with how each ended. Cancellation stops every sequence within one token and throws a
    /// <see cref="BatchCanceledException"/> holding the stories finished before it.</summary>
    internal static BatchedStory[] GenerateBatchResults(StoryModel model, IReadOnlyList<string> prompts, Func<int, SamplingOptions> optionsOf,
        int parallelism, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(optionsOf);
        var results = new BatchedStory[prompts.Count];
        var prepared = new Prepared[prompts.Count];
        for (int i = 0; i < prompts.Count; i++)
        {
            try
            {
                prepared[i] = Prepare(model, prompts[i] ?? throw new ArgumentException($"prompts[{i}] is null.", nameof(prompts)), [], optionsOf(i));
            }
            catch (ArgumentException e) when (e.ParamName == "prompt")
            {
                // Every prompt is prepared before any is decoded, so a prompt too long fails at once; say which.
                throw new ArgumentException($"prompts[{i}]: {e.Message.Replace(" (Parameter 'prompt')", "", StringComparison.Ordinal)}", nameof(prompts), e);
            }
            if (!cancellationToken.CanBeCanceled) continue;
            var stops = prepared[i].Request.StopCondition; // a cancel ends every sequence at its next token
            prepared[i] = prepared[i] with { Request = prepared[i].Request with { StopCondition = tokens => cancellationToken.IsCancellationRequested || stops?.Invoke(tokens) == true } };
        }
        // One batch shares its positions: group by prompt length, then cut each group into batches. Without the cache a
        // prompt is its own batch (the whole context is re-run per token anyway).
        var batches = Enumerable.Range(0, prompts.Count)
            .GroupBy(i => prepared[i].Request.Options.UseKvCache ? prepared[i].Request.PromptIds.Count : -1 - i)
            .SelectMany(g => g.Chunk(MaxDecodeBatch)).ToArray();
        int done = 0;
        var gate = new object();
        try
        {
            DecodeAll();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The batches finished before the cancel are results; the caller may keep them.
            throw new BatchCanceledException([.. results.Select(r => r?.Text)], cancellationToken);
        }
        return results;

        void DecodeAll() => ParallelPrompts.For(batches.Length, parallelism, b =>
        {
            var batch = batches[b];
            var requests = batch.Select(i => prepared[i].Request).ToArray();
            var decoded = requests.Length == 1
                ? [TokenGenerator.Generate(model.Model, requests[0].PromptIds, requests[0].Options, model.Vocabulary.EosId, requests[0].StopCondition,
                    requests[0].SourceLength, requests[0].Constraints)]
                : TokenGenerator.GenerateBatch(model.Model, requests, model.Vocabulary.EosId);
            cancellationToken.ThrowIfCancellationRequested(); // stories cut short by a cancel are not results
            for (int k = 0; k < batch.Length; k++)
            {
                var (text, reason) = prepared[batch[k]].Finish(decoded[k]);
                results[batch[k]] = new BatchedStory(OutputCleaner.Clean(text, prompts[batch[k]]), reason, decoded[k].Tokens.Count, requests[k].SourceLength ?? requests[k].PromptIds.Count);
            }
            if (progress is null) return;
            lock (gate) // one report per story, in order, as the stories of a batch are done together
                for (int k = 0; k < batch.Length; k++) progress.Report(++done);
        }, progress: null, cancellationToken);
    }

    /// <summary>One story of a batch: its cleaned text, why it ended, and its token counts.</summary>
    internal sealed record BatchedStory(string Text, GenerationStopReason StopReason, int Tokens, int PromptTokens);

    /// <summary>
    /// Generates the completion of <paramref name="prompt"/> and returns the decoded new text, cut before the first stop
    /// string but otherwise raw (no clean-up), with the reason generation ended.
    /// </summary>
    public static (string Text, GenerationStopReason StopReason) GenerateRaw(StoryModel model, string prompt, SamplingOptions options)
        => GenerateRaw(model, prompt, [], options);

    /// <summary>
    /// Continues a response already begun: the model reads <paramref name="prompt"/>, then <paramref name="begun"/> as
    /// if it had written it, and writes on. Returns begun + the new text, cleaned like <see cref="Generate"/>. The begun
    /// text counts toward <see cref="SamplingOptions.MaxNewTokens"/>, and the copy head copies from the prompt only,
    /// as in any generation; stop strings are looked for in the new text.
    /// </summary>
    /// <exception cref="ArgumentException">Invalid options, an empty prompt, or prompt + begun text longer than the
    /// model's context.</exception>
    public static string Continue(StoryModel model, string prompt, string begun, SamplingOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(begun);
        ArgumentNullException.ThrowIfNull(options);
        // Encoded on its own, as training encodes a response apart from its prompt.
        return Continue(model, prompt, StoryCodec.For(model.Vocabulary, prompt).EncodeStory(begun), options);
    }

    /// <summary><see cref="Continue(StoryModel, string, string, SamplingOptions)"/> from the begun response's ids (a
    /// prefix of ids the caller already has: no decode and re-encode round trip).</summary>
    internal static string Continue(StoryModel model, string prompt, int[] begunIds, SamplingOptions options)
    {
        var (text, _) = GenerateRaw(model, prompt, begunIds, options with { MaxNewTokens = Math.Max(0, options.MaxNewTokens - begunIds.Length) });
        return OutputCleaner.Clean(text, prompt);
    }

    /// <summary>The begun ids and the new ones as the text a reader sees (field tokens expanded over both, so a
    /// sentence start is judged on the whole text), cut before the first stop string of the new part.</summary>
    private static (string Text, GenerationStopReason StopReason) GenerateRaw(StoryModel model, string prompt, int[] begunIds, SamplingOptions options)
    {
        var prepared = Prepare(model, prompt, begunIds, options);
        var r = prepared.Request;
        return prepared.Finish(TokenGenerator.Generate(model.Model, r.PromptIds, r.Options, model.Vocabulary.EosId, r.StopCondition, r.SourceLength, r.Constraints));
    }

    /// <summary>Encodes a prompt (and a begun response) into the decoding request of one sequence.</summary>
    private static Prepared Prepare(StoryModel model, string prompt, int[] begunIds, SamplingOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var vocabulary = model.Vocabulary;
        var codec = StoryCodec.For(vocabulary, prompt);
        int[] promptIds = codec.EncodePrompt();
        if (promptIds.Length == 0) throw new ArgumentException("The prompt is empty; generation needs text to condition on.", nameof(prompt));
        int length = promptIds.Length + begunIds.Length;
        if (length > model.Config.ContextLength)
            throw new ArgumentException(begunIds.Length == 0
                ? $"The prompt is {promptIds.Length} tokens but the model's context length is {model.Config.ContextLength}; shorten the prompt."
                : $"The prompt and the begun response are {length} tokens but the model's context length is {model.Config.ContextLength}.", nameof(prompt));

        var stops = new StopStringWatcher(vocabulary, options.StopStrings);
        var request = new DecodeRequest([.. promptIds, .. begunIds], options, options.StopStrings.Count == 0 ? null : stops.Matches,
            SourceLength: promptIds.Length, FieldConstraints.For(codec, options.EnforceFields));
        return new Prepared(codec, begunIds, request, options.StopStrings);
    }

    /// <summary>One sequence ready to decode, and how its tokens become text.</summary>
    private sealed record Prepared(StoryCodec Codec, int[] BegunIds, DecodeRequest Request, IReadOnlyList<string> StopStrings)
    {
        public (string Text, GenerationStopReason StopReason) Finish(GenerationResult result) => (TextOf(result.Tokens), result.StopReason);

        /// <summary>The begun and generated ids as text, cut before the first stop string of the generated part.</summary>
        public string TextOf(IReadOnlyList<int> generated)
        {
            string begun = Codec.DecodeStory(BegunIds);
            string text = Codec.DecodeStory([.. BegunIds, .. generated]);
            int cut = StopStringWatcher.FirstStop(text.AsSpan(Math.Min(begun.Length, text.Length)), StopStrings);
            return cut >= 0 ? text[..(begun.Length + cut)] : text;
        }
    }

    /// <summary>Decodes generated ids incrementally and reports when the new text completes a stop string.</summary>
    private sealed class StopStringWatcher(TokenVocabulary vocabulary, IReadOnlyList<string> stopStrings)
    {
        private readonly IncrementalTextDecoder decoder = new(vocabulary);
        private readonly int longest = stopStrings.Count == 0 ? 0 : stopStrings.Max(s => s.Length);
        private int decodedTokens;
        private string text = "";

        public bool Matches(IReadOnlyList<int> generated)
        {
            int before = text.Length;
            for (; decodedTokens < generated.Count; decodedTokens++) text += decoder.Append(generated[decodedTokens]);
            if (text.Length == before) return false;
            // Only a stop string ending in the new piece can be new: scan from longest-1 chars before it.
            int from = Math.Max(0, before - longest + 1);
            return FirstStop(text.AsSpan(from), stopStrings) >= 0;
        }

        public static int FirstStop(ReadOnlySpan<char> text, IReadOnlyList<string> stopStrings)
        {
            int first = -1;
            foreach (string stop in stopStrings)
            {
                int at = text.IndexOf(stop, StringComparison.Ordinal);
                if (at >= 0 && (first < 0 || at < first)) first = at;
            }
            return first;
        }
    }
}
