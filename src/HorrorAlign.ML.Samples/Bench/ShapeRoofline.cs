using HorrorAlign.ML.Modeling;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Samples.Bench;

/// <summary>
/// What this machine allows for the model's own shapes, measured in the same run as the figures they bound: the
/// memory a decoding step must read (batched decoding is bandwidth-bound once the KV cache outgrows the caches), and
/// the speed of the training step's matrix products at their real, thin shapes (the 2048³ GEMM flatters d_model 128).
/// </summary>
internal static class ShapeRoofline
{
    /// <summary>Bytes/s of the calling torch threads streaming through memory (a sum over <paramref name="floats"/>
    /// values, best of the repetitions).</summary>
    public static double MemoryReadBytesPerSecond(long floats, Repetitions repetitions, CancellationToken ct)
    {
        using var big = ones(floats);
        var timing = repetitions.Run(_ => { big.sum(); return 0; }, ct);
        return floats * sizeof(float) / timing.Best;
    }

    /// <summary>Bytes one cached decoding step reads: every weight once, plus each sequence's keys and values at the
    /// mean context of a run (<paramref name="promptTokens"/> + half the new tokens).</summary>
    public static double DecodeStepBytes(GptConfig config, int batch, int promptTokens, int newTokens)
    {
        double meanContext = promptTokens + (newTokens - 1) / 2.0;
        double kvBytes = 2.0 * config.NLayers * config.DModel * meanContext * sizeof(float) * batch;
        return GptShapes.ElementCount(config) * (double)sizeof(float) + kvBytes;
    }

    /// <summary>New tokens/s a batch of <paramref name="batch"/> cannot exceed when every step must read
    /// <see cref="DecodeStepBytes"/> at <paramref name="bytesPerSecond"/>.</summary>
    public static double DecodeTokensPerSecondBound(GptConfig config, int batch, int promptTokens, int newTokens, double bytesPerSecond)
        => batch * bytesPerSecond / DecodeStepBytes(config, batch, promptTokens, newTokens);

    /// <summary>
    /// FLOP/s of the matrix products of one SFT step alone, each at its real shape (forward, and the two backward
    /// products per weight): the step cannot beat it, whatever the elementwise work costs.
    /// </summary>
    public static double SftMatmulFlopsPerSecond(GptConfig config, int batch, int width, int supervised, Repetitions repetitions, CancellationToken ct)
    {
        long tokens = (long)batch * width, d = config.DModel, hidden = config.DModel * config.MlpRatio;
        // (rows, inner, columns, how many per step) of X[rows, inner] · W[inner, columns]; each weight has a forward
        // product and two backward ones (input and weight gradients) of the same FLOPs and transposed shapes.
        var products = new List<(long M, long K, long N, int Count)>();
        void Weight(long m, long k, long n, int count)
        {
            products.Add((m, k, n, count));   // forward: X·W
            products.Add((m, n, k, count));   // input gradient: dY·Wᵀ
            products.Add((k, m, n, count));   // weight gradient: Xᵀ·dY
        }
        Weight(tokens, d, 3 * d, config.NLayers);        // q/k/v
        Weight(tokens, d, d, config.NLayers);            // attention output
        Weight(tokens, d, hidden, config.NLayers);       // MLP in
        Weight(tokens, hidden, d, config.NLayers);       // MLP out
        Weight(supervised, d, config.VocabSize, 1);      // output layer, supervised positions only

        double flops = 0, seconds = 0;
        foreach (var (m, k, n, count) in products)
        {
            using var a = randn(m, k);
            using var b = randn(k, n);
            var timing = repetitions.Run(_ => { a.matmul(b); return 0; }, ct);
            flops += 2.0 * m * k * n * count;
            seconds += timing.Best * count;
        }
        // Attention: scores Q·Kᵀ and the weighted sum P·V per (sequence, head), forward and two backward products each.
        long heads = (long)batch * config.NHeads, headDim = d / config.NHeads;
        using (var q = randn(heads, width, headDim))
        using (var k = randn(heads, headDim, width))
        {
            var timing = repetitions.Run(_ => { q.bmm(k); return 0; }, ct);
            flops += 2.0 * heads * width * headDim * width * 6 * config.NLayers;
            seconds += timing.Best * 6 * config.NLayers;
        }
        return flops / seconds;
    }
}
