using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Modeling;

/// <summary>
/// Attention of ONE new token per sequence over a <see cref="KvCache"/>, in managed SIMD code. libtorch runs this shape
/// (a query row against a few hundred cached rows, per sequence and head) as B·H tiny matrix products per layer, each
/// paying its GEMM setup; here each (sequence, head) is one pass over its contiguous cached keys and one over its
/// values. Every sequence is computed alone, in the same order whatever the batch: attention adds no batch-dependent
/// rounding (the surrounding matrix products are libtorch's, see <c>TokenGenerator.GenerateBatch</c>).
/// </summary>
internal static unsafe class DecodeAttention
{
    /// <summary>Whether <paramref name="t"/> can be read in place through <see cref="Pointer"/>: contiguous float32 on the
    /// CPU, under 2 GB (what a span can address).</summary>
    internal static bool Readable(Tensor t) =>
        t.dtype == ScalarType.Float32 && t.device_type == DeviceType.CPU && t.is_contiguous() && t.numel() * sizeof(float) <= int.MaxValue;

    /// <summary>The address of the first element of <paramref name="t"/> (see <see cref="Readable"/>); valid only while
    /// the caller keeps t alive (a dispose scope or <see cref="GC.KeepAlive"/> after the last read).</summary>
    internal static float* Pointer(Tensor t) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));

    /// <summary>
    /// For each of <paramref name="batch"/> sequences: writes the new key and value (from its row of
    /// <paramref name="qkv"/>, laid out q | k | v with the heads contiguous inside each) at <paramref name="position"/>
    /// of its cache rows, then writes softmax(q·Kᵀ·scale)·V over positions 0..position into its row of
    /// <paramref name="output"/> [batch, heads·headDim]. The caches are [batch, heads, capacity, headDim].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // called a few thousand times per story: no slow first tier
    internal static void Run(float* qkv, float* keys, float* values, float* output,
        int batch, int heads, int headDim, int capacity, int position, float scale)
    {
        int d = heads * headDim, length = position + 1;
        long headStride = (long)capacity * headDim;
        Span<float> scores = length > 2048 ? new float[length] : stackalloc float[length]; // at most 8 KB of stack
        for (int b = 0; b < batch; b++)
        {
            for (int h = 0; h < heads; h++)
            {
                float* q = qkv + (long)b * 3 * d + h * headDim;
                float* k = keys + ((long)b * heads + h) * headStride;
                float* v = values + ((long)b * heads + h) * headStride;
                new ReadOnlySpan<float>(q + d, headDim).CopyTo(new Span<float>(k + (long)position * headDim, headDim));
                new ReadOnlySpan<float>(q + 2 * d, headDim).CopyTo(new Span<float>(v + (long)position * headDim, headDim));

                float max = Scores(q, k, headDim, scale, scores);
                WeightedSum(scores, v, headDim, 1f / ExpShifted(scores, max), output + (long)b * d + h * headDim);
            }
        }
    }

    /// <summary>scores[t] = scale · q·keys[t] for every t; returns the largest. Four keys at a time when a head is whole
    /// vectors: four independent chains of multiply-adds keep more of the cache's rows in flight.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Scores(float* q, float* keys, int n, float scale, Span<float> scores)
    {
        float max = float.NegativeInfinity;
        int t = 0, w = Vector<float>.Count;
        if (n % w == 0)
        {
            for (; t <= scores.Length - 4; t += 4)
            {
                float* r = keys + (long)t * n;
                Vector<float> a0 = default, a1 = default, a2 = default, a3 = default;
                for (int j = 0; j < n; j += w)
                {
                    var qj = Vector.Load(q + j);
                    a0 = Vector.FusedMultiplyAdd(qj, Vector.Load(r + j), a0);
                    a1 = Vector.FusedMultiplyAdd(qj, Vector.Load(r + n + j), a1);
                    a2 = Vector.FusedMultiplyAdd(qj, Vector.Load(r + 2 * n + j), a2);
                    a3 = Vector.FusedMultiplyAdd(qj, Vector.Load(r + 3 * n + j), a3);
                }
                max = MathF.Max(max, scores[t] = Vector.Sum(a0) * scale);
                max = MathF.Max(max, scores[t + 1] = Vector.Sum(a1) * scale);
                max = MathF.Max(max, scores[t + 2] = Vector.Sum(a2) * scale);
                max = MathF.Max(max, scores[t + 3] = Vector.Sum(a3) * scale);
            }
        }
        for (; t < scores.Length; t++) max = MathF.Max(max, scores[t] = Dot(q, keys + (long)t * n, n) * scale);
        return max;
    }

    /// <summary>x ← exp(x − max) in place; returns Σ x (the softmax's normaliser).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float ExpShifted(Span<float> x, float max)
    {
        var shift = new Vector<float>(max);
        var sum = Vector<float>.Zero;
        int t = 0;
        fixed (float* p = x)
        {
            for (; t <= x.Length - Vector<float>.Count; t += Vector<float>.Count)
            {
                var e = Vector.Exp(Vector.Load(p + t) - shift);
                e.Store(p + t);
                sum += e;
            }
        }
        float total = Vector.Sum(sum);
        for (; t < x.Length; t++) total += x[t] = MathF.Exp(x[t] - max);
        return total;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Dot(float* a, float* b, int n)
    {
        var acc = Vector<float>.Zero;
        int j = 0;
        for (; j <= n - Vector<float>.Count; j += Vector<float>.Count)
            acc = Vector.FusedMultiplyAdd(Vector.Load(a + j), Vector.Load(b + j), acc);
        float sum = Vector.Sum(acc);
        for (; j < n; j++) sum += a[j] * b[j];
        return sum;
    }

    /// <summary>destination[0..n] = norm · Σ_t weights[t] · rows[t, 0..n]: row by row, four vectors of columns held in
    /// registers at a time (a head of 32 floats in one pass on AVX2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WeightedSum(ReadOnlySpan<float> weights, float* rows, int n, float norm, float* destination)
    {
        int w = Vector<float>.Count, j = 0;
        for (; j <= n - 4 * w; j += 4 * w)
        {
            Vector<float> a0 = default, a1 = default, a2 = default, a3 = default;
            float* row = rows + j;
            for (int t = 0; t < weights.Length; t++, row += n)
            {
                var p = new Vector<float>(weights[t]);
                a0 = Vector.FusedMultiplyAdd(p, Vector.Load(row), a0);
                a1 = Vector.FusedMultiplyAdd(p, Vector.Load(row + w), a1);
                a2 = Vector.FusedMultiplyAdd(p, Vector.Load(row + 2 * w), a2);
                a3 = Vector.FusedMultiplyAdd(p, Vector.Load(row + 3 * w), a3);
            }
            (a0 * norm).Store(destination + j);
            (a1 * norm).Store(destination + j + w);
            (a2 * norm).Store(destination + j + 2 * w);
            (a3 * norm).Store(destination + j + 3 * w);
        }
        for (; j <= n - w; j += w)
        {
            Vector<float> acc = default;
            for (int t = 0; t < weights.Length; t++) acc = Vector.FusedMultiplyAdd(new Vector<float>(weights[t]), Vector.Load(rows + (long)t * n + j), acc);
            (acc * norm).Store(destination + j);
        }
        for (; j < n; j++)
        {
            float sum = 0;
            for (int t = 0; t < weights.Length; t++) sum += weights[t] * rows[(long)t * n + j];
            destination[j] = sum * norm;
        }
    }
}
