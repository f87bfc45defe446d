using TorchSharp;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Modeling;

/// <summary>One pre-norm transformer block: <c>x += attn(attn_norm(x)); x += ff(ff_norm(x))</c>.</summary>
internal sealed class DecoderBlock : nn.Module<Tensor, Tensor>
{
    // Field names are the state-dict keys.
    private readonly RmsNorm attn_norm;
    private readonly CausalSelfAttention attn;
    private readonly RmsNorm ff_norm;
    private readonly FeedForward ff;

    /// <summary>Creates a block for <paramref name="config"/>.</summary>
    public DecoderBlock(GptConfig config) : base(nameof(DecoderBlock))
    {
        attn_norm = new RmsNorm(config.DModel);
        attn = new CausalSelfAttention(config);
        ff_norm = new RmsNorm(config.DModel);
        ff = new FeedForward(config);
        RegisterComponents();
    }

    /// <summary>x [B,T,D] → [B,T,D].</summary>
    public override Tensor forward(Tensor x) => Forward(x, null, 0);

    /// <summary>x [B,T,D] (new positions) → [B,T,D], reading and extending <paramref name="cache"/> at <paramref name="layer"/>.</summary>
    internal Tensor Forward(Tensor x, KvCache? cache, int layer)
    {
        x = x + attn.Forward(attn_norm.forward(x), cache, layer);
        return x + ff.forward(ff_norm.forward(x));
    }
}
