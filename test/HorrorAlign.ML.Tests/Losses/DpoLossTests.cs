using HorrorAlign.ML.Losses;
using HorrorAlign.ML.Tests.Modeling;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Tests.Losses;

public class DpoLossTests
{
    [Fact]
    public void EveryGoldenCaseMatches()
    {
        using var scope = NewDisposeScope();
        var golden = GoldenJson.Load("dpo_loss.json");
        Tensor Read(string name) => GoldenJson.ToTensor(golden.GetProperty(name), ScalarType.Float64);
        var (pc, pr, rc, rr) = (Read("policy_chosen_logps"), Read("policy_rejected_logps"), Read("reference_chosen_logps"), Read("reference_rejected_logps"));

        int cases = 0;
        foreach (var c in golden.GetProperty("cases").EnumerateArray())
        {
            var type = c.GetProperty("loss_type").GetString() switch
            {
                "sigmoid" => DpoLossType.Sigmoid,
                "robust" => DpoLossType.Robust,
                "ipo" => DpoLossType.Ipo,
                "hinge" => DpoLossType.Hinge,
                var other => throw new InvalidDataException($"unknown loss type {other}"),
            };
            double beta = c.GetProperty("beta").GetDouble(), e = c.GetProperty("label_smoothing").GetDouble();
            var output = DpoLoss.Compute(pc, pr, rc, rr, type, beta, e);
            string what = $"{type} beta={beta} e={e}";
            Assert.True(Math.Abs(c.GetProperty("expected_loss").GetDouble() - output.Loss.item<double>()) < 1e-9, what);

            if (c.TryGetProperty("expected_rewards_chosen", out var chosen))
            {
                AssertClose(GoldenJson.ToDoubles(chosen), output.RewardsChosen.data<double>().ToArray(), what);
                AssertClose(GoldenJson.ToDoubles(c.GetProperty("expected_rewards_rejected")), output.RewardsRejected.data<double>().ToArray(), what);
                Assert.Equal(c.GetProperty("expected_reward_margin_mean").GetDouble(), output.MarginMean.item<double>(), 1e-9);
                Assert.Equal(c.GetProperty("expected_reward_accuracy").GetDouble(), output.RewardAccuracy.item<double>(), 1e-12);
            }
            cases++;
        }
        Assert.Equal(14, cases);
    }

    [Fact]
    public void LossIsDifferentiableAndRewardsAreDetached()
    {
        using var scope = NewDisposeScope();
        var pc = tensor(new[] { -10.0f, -12.0f }).requires_grad_();
        var pr = tensor(new[] { -11.0f, -9.0f }).requires_grad_();
        var output = DpoLoss.Compute(pc, pr, tensor(new[] { -10.5f, -12.0f }), tensor(new[] { -10.5f, -10.0f }), DpoLossType.Sigmoid, 0.1, 0.05);
        output.Loss.backward();
        Assert.True(pc.grad!.data<float>().ToArray().All(g => g < 0)); // raising chosen log-probs lowers the loss
        Assert.True(pr.grad!.data<float>().ToArray().All(g => g > 0));
        Assert.False(output.RewardsChosen.requires_grad);
        Assert.Equal(0.5f, output.RewardAccuracy.item<float>());
    }

    [Fact]
    public void PolicyPreferenceAccuracyIgnoresTheReference()
    {
        using var scope = NewDisposeScope();
        var accuracy = DpoLoss.PolicyPreferenceAccuracy(tensor(new[] { -1.0, -5.0, -2.0, -3.0 }), tensor(new[] { -2.0, -4.0, -1.0, -4.0 }));
        Assert.Equal(0.5, accuracy.item<double>());
    }

    [Fact]
    public void InvalidHyperparametersAreRejected()
    {
        using var scope = NewDisposeScope();
        var x = zeros(2);
        Assert.Throws<ArgumentOutOfRangeException>(() => DpoLoss.Compute(x, x, x, x, DpoLossType.Sigmoid, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => DpoLoss.Compute(x, x, x, x, DpoLossType.Robust, 0.1, 0.5));
    }

    private static void AssertClose(double[] expected, double[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-9, $"{what} [{i}]");
    }
}
