using HorrorAlign.ML.Modeling;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Tests.Modeling;

/// <summary>The managed one-token attention over the KV cache against libtorch's softmax(q·Kᵀ/√d)·V in float64, at head
/// widths that exercise every path on AVX2's 8-float vectors (whole 4-vector blocks, single vectors, a scalar tail) and
/// lengths that do (four keys at a time and the rest, and a context past the stack buffer).</summary>
public sealed class DecodeAttentionTests
{
    [Theory]
    [InlineData(3, 2, 8, 0)]      // an empty cache (a one-token prompt): the token sees only itself
    [InlineData(3, 2, 8, 1)]      // two keys: fewer than four
    [InlineData(2, 3, 5, 7)]      // head narrower than a vector (AVX2): scalar tails everywhere
    [InlineData(1, 2, 24, 10)]    // three vectors (AVX2): the one-vector loop
    [InlineData(2, 2, 64, 33)]    // two 4-vector blocks
    [InlineData(1, 1, 16, 2100)]  // scores past the 8 KB stack buffer
    public void MatchesLibtorchAndStoresTheNewKeyAndValue(int batch, int heads, int headDim, int position)
    {
        using var scope = NewDisposeScope();
        manual_seed(position);
        int d = heads * headDim, capacity = position + 3;
        using var cache = new KvCache(layers: 2, batch, heads, capacity, headDim, ScalarType.Float32, CPU);
        Assert.True(cache.AttendsInPlace);
        var pastKeys = randn(batch, heads, position, headDim);
        var pastValues = randn(batch, heads, position, headDim);
        if (position > 0) cache.Append(1, pastKeys, pastValues);
        cache.Advance(position);
        var qkv = randn(batch, 1, 3 * d).mul(2); // scores of a few units: the softmax is not flat

        var output = cache.AttendNewToken(1, qkv, (float)(1 / Math.Sqrt(headDim))).clone();

        // [B,1,3D] → q, k, v as [B,H,1,hd]
        var parts = qkv.view(batch, 1, 3, heads, headDim).permute(2, 0, 3, 1, 4).to_type(ScalarType.Float64).unbind(0);
        var keys = cat([pastKeys.to_type(ScalarType.Float64), parts[1]], 2);
        var values = cat([pastValues.to_type(ScalarType.Float64), parts[2]], 2);
        var expected = parts[0].matmul(keys.transpose(-2, -1)).div(Math.Sqrt(headDim)).softmax(-1).matmul(values)
            .transpose(1, 2).reshape(batch, 1, d);
        Assert.True(output.to_type(ScalarType.Float64).allclose(expected, rtol: 1e-5, atol: 1e-5),
            $"max |diff| {(output.to_type(ScalarType.Float64) - expected).abs().max().item<double>():E2}");
        // The new key and value went to position `position` of layer 1, the past is untouched.
        cache.Advance(1);
        var (storedKeys, storedValues) = cache.Append(1, empty(batch, heads, 0, headDim), empty(batch, heads, 0, headDim));
        Assert.True(Same(storedKeys, keys.to_type(ScalarType.Float32)));
        Assert.True(Same(storedValues, values.to_type(ScalarType.Float32)));
    }

    [Fact]
    public void EachSequenceIsComputedAloneWhateverTheBatch()
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        const int heads = 2, headDim = 8, position = 13;
        var past = randn([2, 5, heads, position, headDim]); // keys, values of 5 sequences
        var qkv = randn(5, 1, 3 * heads * headDim);
        using var batched = new KvCache(1, 5, heads, 32, headDim, ScalarType.Float32, CPU);
        batched.Append(0, past[0], past[1]);
        batched.Advance(position);
        var together = batched.AttendNewToken(0, qkv, 0.3f).clone();
        for (int row = 0; row < 5; row++)
        {
            using var alone = new KvCache(1, 1, heads, 32, headDim, ScalarType.Float32, CPU);
            alone.Append(0, past[0][row..(row + 1)], past[1][row..(row + 1)]);
            alone.Advance(position);
            Assert.True(alone.AttendNewToken(0, qkv[row..(row + 1)], 0.3f)is var a && Same(a, together[row..(row + 1)]), $"row {row}");
        }
    }

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [Fact]
    public void CachesThatCannotBeReadInPlaceUseLibtorch()
    {
        using var cache = new KvCache(1, 1, 2, 8, 4, ScalarType.Float64, CPU);
        Assert.False(cache.AttendsInPlace);
        Assert.Throws<InvalidOperationException>(() => cache.AttendNewToken(0, zeros(1, 1, 24, ScalarType.Float64), 1f));
    }
}
