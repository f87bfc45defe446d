using System.Runtime.InteropServices;
using HorrorAlign.ML.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Generation;

/// <summary>
/// Token-level autoregressive decoding of one sequence with a <see cref="GptModel"/>: the prompt is run once, then one
/// token per step through the <see cref="KvCache"/> (or, with <see cref="SamplingOptions.UseKvCache"/> off, the whole
/// context again each step, as the original did). The output layer runs at the last position only, and the only data
/// that crosses from tensors per step is that position's logits (read in place on the CPU).
/// </summary>
/// <remarks>Safe to call from several threads on one shared model: each call owns its cache, sampler and buffers.</remarks>
internal static class TokenGenerator
{
    /// <summary>Generates up to <see cref="SamplingOptions.MaxNewTokens"/> tokens after <paramref name="promptIds"/>.</summary>
    /// <param name="model">The decoder (its weights are only read; eval mode and no_grad are applied for the call).</param>
    /// <param name="promptIds">Prompt model ids (at least one; at most the context length).</param>
    /// <param name="options">Sampling options (seeded by <see cref="SamplingOptions.Seed"/>).</param>
    /// <param name="eosId">End-of-text id that stops generation, or null to never stop on a token.</param>
    /// <param name="stopCondition">Called with all generated tokens after each new one; true stops generation.</param>
    /// <param name="sourceLength">How many leading tokens of <paramref name="promptIds"/> are the prompt proper, the part
    /// a copy head may copy from; the rest is a response begun earlier, which generation continues (its tokens count as
    /// generated for the repetition penalty and the n-gram ban, but are not returned). Null = all of them.</param>
    /// <exception cref="ArgumentException">Empty prompt, an id outside the vocabulary, or a prompt longer than the context.</exception>
    public static GenerationResult Generate(GptModel model, IReadOnlyList<int> promptIds, SamplingOptions options, int? eosId,
        Func<IReadOnlyList<int>, bool>? stopCondition = null, int? sourceLength = null)
        => Generate(model, promptIds, options, eosId, stopCondition, sourceLength, constraints: null);

    /// <summary><see cref="Generate(GptModel, IReadOnlyList{int}, SamplingOptions, int?, Func{IReadOnlyList{int}, bool}?, int?)"/>
    /// with field-token masks applied before every draw (the begun response counts for them).</summary>
    internal static GenerationResult Generate(GptModel model, IReadOnlyList<int> promptIds, SamplingOptions options, int? eosId,
        Func<IReadOnlyList<int>, bool>? stopCondition, int? sourceLength, FieldConstraints? constraints)
    {
        ArgumentNullException.ThrowIfNull(options);
        var request = new DecodeRequest(promptIds, options, stopCondition, sourceLength, constraints);
        // With the cache, one sequence is a batch of one: the same loop, so batched and single decoding cannot drift apart.
        return options.UseKvCache ? GenerateBatch(model, [request], eosId)[0] : GenerateWithoutCache(model, request, eosId);
    }

    /// <summary>
    /// Decodes several sequences in one forward per step: the prompts run together once, then each step feeds every
    /// live sequence's last token as one [B,1] batch through the shared <see cref="KvCache"/>. Each sequence keeps its
    /// own sampler (seed), constraints, stop condition and limit, and leaves the batch when it ends (the cache drops its
    /// row). All prompts must have the same length and source length (one batch shares its positions: callers group
    /// prompts by length), and every request must use the cache.
    /// </summary>
    /// <remarks>A sequence's tokens equal those of decoding it alone whenever the batched matrix products round like
    /// the single ones; libtorch's CPU kernels may round differently for other batch sizes (about 1e-6 of a logit),
    /// which changes a sampled token only at an exact tie of the sampler's threshold.</remarks>
    /// <exception cref="ArgumentException">Requests of different lengths, or one of them invalid (see <see cref="Generate(GptModel, IReadOnlyList{int}, SamplingOptions, int?, Func{IReadOnlyList{int}, bool}?, int?)"/>).</exception>
    internal static GenerationResult[] GenerateBatch(GptModel model, IReadOnlyList<DecodeRequest> requests, int? eosId)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(requests);
        var results = new GenerationResult[requests.Count];
        if (requests.Count == 0) return results;
        var config = model.Config;
        int promptLength = requests[0].PromptIds.Count;
        int sourceLength = requests[0].SourceLength ?? promptLength; // the copy head copies from the prompt only
        foreach (var r in requests)
        {
            Check(config, r);
            if (!r.Options.UseKvCache) throw new ArgumentException("Batched decoding needs the KV cache (SamplingOptions.UseKvCache).", nameof(requests));
            if (r.PromptIds.Count != promptLength || (r.SourceLength ?? promptLength) != sourceLength)
                throw new ArgumentException("A batch decodes prompts of one length and one source length; group them first.", nameof(requests));
        }

        // A sequence's result is known when it leaves the batch: its caller hears at once, not when the batch is done.
        void End(int i, GenerationResult result)
        {
            results[i] = result;
            requests[i].Ended?.Invoke(result);
        }

        // Per sequence: its sampler and what it generated; the begun part of a response counts for the sampler and constraints.
        var samplers = new TokenSampler[requests.Count];
        var generated = new List<int>[requests.Count];
        var live = new List<int>();
        for (int i = 0; i < requests.Count; i++)
        {
            var r = requests[i];
            samplers[i] = new TokenSampler(r.Options, config.VocabSize);
            for (int j = sourceLength; j < promptLength; j++)
            {
                samplers[i].Observe(r.PromptIds[j]);
                r.Constraints?.Observe(r.PromptIds[j]);
            }
            generated[i] = [];
            if (r.Options.MaxNewTokens == 0) End(i, new GenerationResult(generated[i], GenerationStopReason.MaxNewTokens));
            else live.Add(i);
        }
        if (live.Count == 0) return results;

        using var inference = InferenceScope.Enter(model);
        using var cache = model.CreateCache(live.Count);
        var device = model.WeightsDevice;
        int vocab = config.VocabSize;
        var logits = new float[live.Count * vocab];
        NextLogits(model, device, [.. live.SelectMany(i => requests[i].PromptIds.Select(id => (long)id))], live.Count, cache, logits, sourceLength);
        int context = promptLength; // tokens in every live sequence's context (all advance together)
        while (true)
        {
            var kept = new List<int>(live.Count);
            var next = new List<long>(live.Count);
            for (int row = 0; row < live.Count; row++)
            {
                int i = live[row];
                var r = requests[i];
                var span = logits.AsSpan(row * vocab, vocab);
                r.Constraints?.Apply(span);
                int token = samplers[i].Next(span);
                r.Constraints?.Observe(token);
                GenerationStopReason? stop = null;
                if (token == eosId) stop = GenerationStopReason.EndOfText;
                else
                {
                    generated[i].Add(token);
                    if (r.StopCondition?.Invoke(generated[i]) == true) stop = GenerationStopReason.StopCondition;
                    else if (generated[i].Count >= r.Options.MaxNewTokens) stop = GenerationStopReason.MaxNewTokens;
                    // The new token must sit at a position the learned position table has: stop when the context is full.
                    else if (context >= config.ContextLength) stop = GenerationStopReason.ContextFull;
                }
                if (stop is { } reason) End(i, new GenerationResult(generated[i], reason));
                else
                {
                    kept.Add(row);
                    next.Add(token);
                }
            }
            if (kept.Count == 0) return results;
            cache.Keep(kept);
            live = [.. kept.Select(row => live[row])];
            context++;
            NextLogits(model, device, [.. next], live.Count, cache, logits, sourceLength);
        }
    }

    /// <summary>The original's way: the whole context through the model again for every token (no cache).</summary>
    private static GenerationResult GenerateWithoutCache(GptModel model, DecodeRequest r, int? eosId)
    {
        ArgumentNullException.ThrowIfNull(model);
        var config = model.Config;
        Check(config, r);
        var options = r.Options;
        var generated = new List<int>();
        if (options.MaxNewTokens == 0) return new GenerationResult(generated, GenerationStopReason.MaxNewTokens);

        using var inference = InferenceScope.Enter(model);
        int promptLength = r.SourceLength ?? r.PromptIds.Count;
        var sampler = new TokenSampler(options, config.VocabSize);
        for (int i = promptLength; i < r.PromptIds.Count; i++)
        {
            sampler.Observe(r.PromptIds[i]);
            r.Constraints?.Observe(r.PromptIds[i]);
        }
        var logits = new float[config.VocabSize];
        var context = r.PromptIds.Select(id => (long)id).ToList();
        var device = model.WeightsDevice;

        NextLogits(model, device, [.. context], 1, null, logits, promptLength);
        while (true)
        {
            r.Constraints?.Apply(logits);
            int token = sampler.Next(logits);
            r.Constraints?.Observe(token);
            if (token == eosId) return new GenerationResult(generated, GenerationStopReason.EndOfText);
            generated.Add(token);
            if (r.StopCondition?.Invoke(generated) == true) return new GenerationResult(generated, GenerationStopReason.StopCondition);
            if (generated.Count >= options.MaxNewTokens) return new GenerationResult(generated, GenerationStopReason.MaxNewTokens);
            if (context.Count >= config.ContextLength) return new GenerationResult(generated, GenerationStopReason.ContextFull);

            context.Add(token);
            NextLogits(model, device, [.. context], 1, null, logits, promptLength);
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> for a request the model cannot decode.</summary>
    private static void Check(GptConfig config, DecodeRequest r)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(r.PromptIds);
        ArgumentNullException.ThrowIfNull(r.Options);
        r.Options.Validate();
        var promptIds = r.PromptIds;
        if (promptIds.Count == 0) throw new ArgumentException("The prompt has no tokens; generation needs at least one to condition on.", "promptIds");
        if (promptIds.Count > config.ContextLength)
            throw new ArgumentException($"The prompt is {promptIds.Count} tokens but the model's context length is {config.ContextLength}; shorten the prompt.", "promptIds");
        for (int i = 0; i < promptIds.Count; i++)
            if ((uint)promptIds[i] >= (uint)config.VocabSize)
                throw new ArgumentException($"Prompt token {i} has id {promptIds[i]}, outside the model's vocabulary [0, {config.VocabSize}).", "promptIds");
        if (r.SourceLength is < 1 || r.SourceLength > promptIds.Count)
            throw new ArgumentOutOfRangeException("sourceLength", r.SourceLength, $"Must be between 1 and the {promptIds.Count} prompt tokens.");
    }

    /// <summary>Runs <paramref name="ids"/> ([batch, ids.Length / batch] row-major: the new tokens with a cache, the whole
    /// context without) and copies each row's last-position logits into <paramref name="logits"/> [batch · V].</summary>
    private static void NextLogits(GptModel model, Device device, long[] ids, int batch, KvCache? cache, float[] logits, int promptLength)
    {
        using var scope = NewDisposeScope();
        var input = tensor(ids, [batch, ids.Length / batch], device: device);
        var last = model.NextTokenLogits(input, cache, promptLength); // [B,V] ([V] for one row): the head at the last position only
        if (last.dtype != ScalarType.Float32) last = last.to_type(ScalarType.Float32);
        if (last.device_type != DeviceType.CPU) last = last.cpu();
        // One block copy: TensorAccessor.CopyTo reads element by element (a native call per logit).
        MemoryMarshal.Cast<byte, float>(last.contiguous().bytes).CopyTo(logits.AsSpan(0, batch * model.Config.VocabSize));
    }
}

/// <summary>One sequence of <see cref="TokenGenerator.GenerateBatch"/>: its prompt ids, sampling options (seed),
/// stop condition, source length (see <see cref="TokenGenerator.Generate(GptModel, IReadOnlyList{int}, SamplingOptions, int?, Func{IReadOnlyList{int}, bool}?, int?)"/>),
/// field constraints, and what to call with its result the moment it leaves the batch (batched decoding only).</summary>
internal sealed record DecodeRequest(IReadOnlyList<int> PromptIds, SamplingOptions Options, Func<IReadOnlyList<int>, bool>? StopCondition = null,
    int? SourceLength = null, FieldConstraints? Constraints = null, Action<GenerationResult>? Ended = null);
