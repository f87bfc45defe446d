using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Modeling;

/// <summary>
/// Root-mean-square normalisation over the last dimension, as in the original: <c>w · x / sqrt(mean(x²) + 1e-5)</c>,
/// a learnable per-channel scale and no bias (state-dict key: <c>weight</c>).
/// </summary>
internal sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    private const double Epsilon = 1e-5;

    // Long-lived on purpose: an implicit Scalar made from a double per call can be finalised by the GC while libtorch
    // still reads it (seen as an intermittent "toFloat" failure under parallel tests).
    private static readonly Scalar s_epsilon = Epsilon.ToScalar();
    // add(Scalar) passes alpha as add(scalar, 1): a temporary Scalar, the one the soak test saw freed mid-call.
    private static readonly Scalar s_one = 1.ToScalar();

    // Field name is the state-dict key.
    private readonly Parameter weight;

    /// <summary>Creates a norm over <paramref name="dim"/> channels with its scale at 1.</summary>
    public RmsNorm(int dim) : base(nameof(RmsNorm))
    {
        weight = nn.Parameter(ones(dim));
        RegisterComponents();
    }

    /// <summary>x [..., D] → normalised and scaled [..., D].</summary>
    public override Tensor forward(Tensor x)
        // Intermediates belong to the caller's dispose scope; nothing in-place that autograd would need later.
        => x * x.square().mean([-1L], keepdim: true).add(s_epsilon, s_one).rsqrt() * weight;
}
