using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Modeling;

/// <summary>
/// Multi-head causal self-attention as in the original: one fused bias-free <c>qkv</c> Linear (d → 3d) split into
/// q, k, v; heads of d/n_heads; scores scaled by 1/√head_dim; causal mask; dropout on the probabilities; bias-free
/// <c>out_proj</c>. With a <see cref="KvCache"/> the input holds only the NEW positions and attends to the cached past.
/// </summary>
internal sealed class CausalSelfAttention : nn.Module<Tensor, Tensor>
{
    // Field names are the state-dict keys.
    private readonly Linear qkv;
    private readonly Linear out_proj;

    private readonly int nHeads;
    private readonly int headDim;
    private readonly double dropout;
    private readonly bool fused;
    // Long-lived Scalars: an implicit Scalar made per call can be finalised by the GC while libtorch still reads it.
    private readonly Scalar scale;
    private readonly float scaleValue;
    private static readonly Scalar s_negativeInfinity = double.NegativeInfinity.ToScalar();

    /// <summary>Creates the attention layer for <paramref name="config"/>.</summary>
    public CausalSelfAttention(GptConfig config) : base(nameof(CausalSelfAttention))
    {
        nHeads = config.NHeads;
        headDim = config.HeadDim;
        dropout = config.AttentionDropout ?? config.Dropout;
        fused = config.FusedAttention;
        scaleValue = (float)(1.0 / Math.Sqrt(headDim));
        scale = (1.0 / Math.Sqrt(headDim)).ToScalar();
        qkv = nn.Linear(config.DModel, 3 * config.DModel, hasBias: false);
        out_proj = nn.Linear(config.DModel, config.DModel, hasBias: false);
        RegisterComponents();
    }

    /// <summary>x [B,T,D] → [B,T,D], attending causally within x.</summary>
    public override Tensor forward(Tensor x) => Forward(x, null, 0);

    /// <summary>x [B,T,D] (new positions) → [B,T,D]; with a cache, keys/values of x are stored in layer <paramref name="layer"/>.</summary>
    internal Tensor Forward(Tensor x, KvCache? cache, int layer)
    {
        long b = x.shape[0], t = x.shape[1], d = x.shape[2];
        // One decoding step: attention over the cache in managed code (libtorch runs it as B·H tiny GEMMs).
        if (t == 1 && cache is not null && cache.AttendsInPlace && !training)
            return out_proj.forward(cache.AttendNewToken(layer, qkv.forward(x), scaleValue));

        // [B,T,3D] → [3,B,H,T,hd]: the first D output features are q, the next D are k, the last D are v.
        var parts = qkv.forward(x).view(b, t, 3, nHeads, headDim).permute(2, 0, 3, 1, 4).unbind(0);
        Tensor q = parts[0], k = parts[1], v = parts[2];

        int past = 0;
        if (cache is not null)
        {
            past = cache.Length;
            (k, v) = cache.Append(layer, k, v);
        }

        double p = training ? dropout : 0.0;
        Tensor y;
        if (fused)
        {
            // libtorch's is_causal aligns the mask top-left, which is only right when there is no past; a single new
            // token may see everything; a multi-token chunk after a past needs the explicit mask.
            y = past == 0 ? nn.functional.scaled_dot_product_attention(q, k, v, p: p, is_casual: t > 1)
              : t == 1 ? nn.functional.scaled_dot_product_attention(q, k, v, p: p)
              : nn.functional.scaled_dot_product_attention(q, k, v, attn_mask: FutureMask(t, past, x.device).logical_not(), p: p);
        }
        else
        {
            var scores = q.matmul(k.transpose(-2, -1)).mul_(scale);
            if (t > 1) scores = scores.masked_fill(FutureMask(t, past, x.device), s_negativeInfinity);
            var probs = scores.softmax(-1);
            if (p > 0) probs = nn.functional.dropout(probs, p, training: true);
            y = probs.matmul(v);
        }

        // [B,H,T,hd] → [B,T,D]
        return out_proj.forward(y.transpose(1, 2).reshape(b, t, d));
    }

    /// <summary>True where key j lies in the future of query i: j &gt; past + i (queries sit at positions past..past+T).</summary>
    private static Tensor FutureMask(long t, int past, Device device)
        => ones([t, past + t], ScalarType.Bool, device).triu(past + 1);
}
