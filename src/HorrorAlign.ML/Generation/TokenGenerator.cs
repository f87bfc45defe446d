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
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(promptIds);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var config = model.Config;
        if (promptIds.Count == 0) throw new ArgumentException("The prompt has no tokens; generation needs at least one to condition on.", nameof(promptIds));
        if (promptIds.Count > config.ContextLength)
            throw new ArgumentException($"The prompt is {promptIds.Count} tokens but the model's context length is {config.ContextLength}; shorten the prompt.", nameof(promptIds));
        for (int i = 0; i < promptIds.Count; i++)
            if ((uint)promptIds[i] >= (uint)config.VocabSize)
                throw new ArgumentException($"Prompt token {i} has id {promptIds[i]}, outside the model's vocabulary [0, {config.VocabSize}).", nameof(promptIds));
        if (sourceLength is < 1 || sourceLength > promptIds.Count)
            throw new ArgumentOutOfRangeException(nameof(sourceLength), sourceLength, $"Must be between 1 and the {promptIds.Count} prompt tokens.");

        var generated = new List<int>();
        if (options.MaxNewTokens == 0) return new GenerationResult(generated, GenerationStopReason.MaxNewTokens);

        using var inference = InferenceScope.Enter(model);
        using var cache = options.UseKvCache ? model.CreateCache(1) : null;
        int promptLength = sourceLength ?? promptIds.Count; // the copy head copies from the prompt only
        var sampler = new TokenSampler(options, config.VocabSize);
        for (int i = promptLength; i < promptIds.Count; i++)
        {
            sampler.Observe(promptIds[i]);
            constraints?.Observe(promptIds[i]);
        }
        var logits = new float[config.VocabSize];
        var context = promptIds.Select(id => (long)id).ToList(); // the no-cache path re-reads all of it
        var device = model.WeightsDevice;

        NextLogits(model, device, context.ToArray(), cache, logits, promptLength);
        while (true)
        {
            constraints?.Apply(logits);
            int token = sampler.Next(logits);
            constraints?.Observe(token);
            if (token == eosId) return new GenerationResult(generated, GenerationStopReason.EndOfText);
            generated.Add(token);
            if (stopCondition?.Invoke(generated) == true) return new GenerationResult(generated, GenerationStopReason.StopCondition);
            if (generated.Count >= options.MaxNewTokens) return new GenerationResult(generated, GenerationStopReason.MaxNewTokens);
            // The new token must sit at a position the learned position table has: stop when the context is full.
            if (context.Count >= config.ContextLength) return new GenerationResult(generated, GenerationStopReason.ContextFull);

            context.Add(token);
            NextLogits(model, device, cache is null ? context.ToArray() : [token], cache, logits, promptLength);
        }
    }

    /// <summary>Runs <paramref name="ids"/> (the new tokens with a cache, the whole context without) and copies the
    /// last position's logits into <paramref name="logits"/>.</summary>
    private static void NextLogits(GptModel model, Device device, long[] ids, KvCache? cache, float[] logits, int promptLength)
    {
        using var scope = NewDisposeScope();
        var input = tensor(ids, [1, ids.Length], device: device);
        var last = model.NextTokenLogits(input, cache, promptLength); // [V]: the head at the last position only
        if (last.dtype != ScalarType.Float32) last = last.to_type(ScalarType.Float32);
        if (last.device_type != DeviceType.CPU) last = last.cpu();
        last.data<float>().CopyTo(logits);
    }
}
