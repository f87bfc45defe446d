using HorrorAlign.ML.Losses;
using HorrorAlign.ML.Tests.Modeling;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Tests.Losses;

public class CompletionLossTests
{
    [Fact]
    public void MaskedCrossEntropyAndSequenceLogProbsMatchGolden()
    {
        using var scope = NewDisposeScope();
        var golden = GoldenJson.Load("sft_loss.json");
        var logits = GoldenJson.ToTensor(golden.GetProperty("logits"), ScalarType.Float64);
        var ids = GoldenJson.ToTensor(golden.GetProperty("tokens"), ScalarType.Int64);
        var mask = GoldenJson.ToTensor(golden.GetProperty("loss_mask"));

        double ce = CompletionLoss.MaskedCrossEntropy(logits, ids, mask).item<double>();
        Assert.Equal(golden.GetProperty("expected_masked_ce").GetDouble(), ce, 1e-5);

        var sums = CompletionLoss.SequenceLogProbs(logits, ids, mask).data<double>().ToArray();
        var expected = GoldenJson.ToDoubles(golden.GetProperty("expected_sequence_logps"));
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], sums[i], 1e-5);

        // The same in float32, the dtype training uses.
        Assert.Equal(golden.GetProperty("expected_masked_ce").GetDouble(),
            CompletionLoss.MaskedCrossEntropy(logits.to_type(ScalarType.Float32), ids, mask).item<float>(), 1e-5);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SlicedComputeEqualsFullLogitsIncludingGradients(bool copyHead)
    {
        using var scope = NewDisposeScope();
        var model = TinyModels.Create(TinyModels.Config(vocab: 31, copy: copyHead), seed: 7);
        var ids = randint(0, 31, [3, 10], dtype: ScalarType.Int64);
        // Different prompt lengths, right padding (mask 0 at the end of row 1), one row fully supervised after token 0.
        var mask = tensor(new float[]
        {
            0, 0, 0, 0, 1, 1, 1, 1, 1, 1,
            0, 0, 1, 1, 1, 0, 0, 0, 0, 0,
            0, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        }, [3, 10]);

        // Prompt lengths 4, 2, 1: a copy head copies from those tokens only, in both paths.
        var prompts = CompletionLoss.PromptLengths(mask);
        Assert.Equal([4L, 2L, 1L], prompts.data<long>().ToArray());
        var full = CompletionLoss.SequenceLogProbs(model.Logits(ids, prompts), ids, mask);
        var fullLoss = CompletionLoss.MaskedCrossEntropy(model.Logits(ids, prompts), ids, mask);
        fullLoss.backward();
        var fullGrads = model.parameters().Select(p => p.grad!.clone()).ToList();
        model.zero_grad();

        var sliced = CompletionLoss.Compute(model, ids, mask);
        Assert.True(sliced.SumLogProbs.allclose(full, 1e-5, 1e-5));
        Assert.Equal([6f, 3f, 9f], sliced.TokenCounts.data<float>().ToArray());
        var slicedLoss = sliced.MeanNegativeLogLikelihood();
        Assert.Equal(fullLoss.item<float>(), slicedLoss.item<float>(), 1e-5);

        slicedLoss.backward();
        foreach (var (p, g) in model.parameters().Zip(fullGrads)) Assert.True(p.grad!.allclose(g, 1e-5, 1e-6));
    }

    [Fact]
    public void NoSupervisedTokensGivesZeroLossNotNaN()
    {
        using var scope = NewDisposeScope();
        var model = TinyModels.Create(TinyModels.Config());
        var ids = randint(0, 23, [2, 5], dtype: ScalarType.Int64);
        var mask = zeros(2, 5);
        Assert.Equal(0f, CompletionLoss.MaskedCrossEntropy(model.forward(ids), ids, mask).item<float>());
        var sliced = CompletionLoss.Compute(model, ids, mask);
        Assert.Equal([0f, 0f], sliced.SumLogProbs.data<float>().ToArray());
        Assert.Equal(0f, sliced.MeanNegativeLogLikelihood().item<float>());
    }

    [Fact]
    public void MismatchedShapesAreRejected()
    {
        using var scope = NewDisposeScope();
        var model = TinyModels.Create(TinyModels.Config());
        var e = Assert.Throws<ArgumentException>(() => CompletionLoss.Compute(model, zeros([2, 5], ScalarType.Int64), zeros(2, 4)));
        Assert.Contains("lossMask", e.Message);
    }
}
