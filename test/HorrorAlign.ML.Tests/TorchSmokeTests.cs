using TorchSharp;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Tests;

public class TorchSmokeTests
{
    [Fact]
    public void SmallModuleRunsForwardAndBackward()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var lin = nn.Linear(4, 3);
        var x = randn(5, 4);
        var loss = lin.forward(x).pow(2).mean();
        loss.backward();
        Assert.True(float.IsFinite(loss.item<float>()));
        Assert.NotNull(lin.weight!.grad);
        Assert.True(lin.weight.grad!.abs().sum().item<float>() > 0);
    }
}
