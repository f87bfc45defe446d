using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Modeling;

/// <summary>
/// The block's MLP, as in the original: Linear(d, ratio·d) with bias → exact (erf) GELU → Linear(ratio·d, d) with bias →
/// dropout. Kept as a Sequential named <c>net</c> so the state-dict keys are <c>net.0.*</c> and <c>net.2.*</c>.
/// </summary>
internal sealed class FeedForward : nn.Module<Tensor, Tensor>
{
    private readonly Sequential net;

    /// <summary>Creates the MLP for <paramref name="config"/>.</summary>
    public FeedForward(GptConfig config) : base(nameof(FeedForward))
    {
        int hidden = config.MlpRatio * config.DModel;
        net = nn.Sequential(
            nn.Linear(config.DModel, hidden),
            nn.GELU(),
            nn.Linear(hidden, config.DModel),
            nn.Dropout(config.Dropout));
        RegisterComponents();
    }

    /// <summary>x [..., D] → [..., D].</summary>
    public override Tensor forward(Tensor x) => net.forward(x);
}
