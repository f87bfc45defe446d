using HorrorAlign.ML.Generation;
using HorrorAlign.ML.Losses;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Tests.Modeling;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Tests.Generation;

/// <summary>End to end at token level: the sliced completion loss trains the model, greedy decoding reproduces it.</summary>
public class OverfitTests
{
    private const int Eos = 0;

    // (prompt, continuation): prompts share tokens so the model must read all of them.
    private static readonly (int[] Prompt, int[] Continuation)[] Examples =
    [
        ([1, 2, 3], [10, 11, 12, 13, 14]),
        ([1, 2, 4], [14, 15, 10, 16]),
        ([5, 2, 3], [17, 12, 11, 18, 19, 10]),
        ([6, 7], [13, 13, 19, 10, 11]),
    ];

    [Fact]
    public void TinyModelOverfitsThenGreedyReproducesTheContinuationAndStopsAtEos()
    {
        var config = new GptConfig { VocabSize = 20, DModel = 64, NHeads = 4, NLayers = 2, ContextLength = 16, Dropout = 0 };
        using var model = TinyModels.Create(config, seed: 123);

        // Right-padded batch; the mask supervises continuation + EOS only.
        int width = Examples.Max(e => e.Prompt.Length + e.Continuation.Length + 1);
        var ids = new long[Examples.Length * width];
        var mask = new float[Examples.Length * width];
        for (int r = 0; r < Examples.Length; r++)
        {
            int[] row = [.. Examples[r].Prompt, .. Examples[r].Continuation, Eos];
            for (int t = 0; t < row.Length; t++)
            {
                ids[r * width + t] = row[t];
                mask[r * width + t] = t >= Examples[r].Prompt.Length ? 1 : 0;
            }
        }
        using var idsTensor = tensor(ids, [Examples.Length, width]);
        using var maskTensor = tensor(mask, [Examples.Length, width]);

        model.train();
        using var optimizer = optim.AdamW(model.parameters(), lr: 3e-3, weight_decay: 0.01);
        float loss = float.NaN;
        for (int step = 0; step < 300; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var nll = CompletionLoss.Compute(model, idsTensor, maskTensor).MeanNegativeLogLikelihood();
            nll.backward();
            NoGcRegion.Run(() => optimizer.step()); // as the Trainer steps (see NoGcRegion)
            loss = nll.item<float>();
        }
        Assert.True(loss < 0.01, $"final loss {loss}");

        foreach (var (prompt, continuation) in Examples)
        {
            var result = TokenGenerator.Generate(model, prompt, new SamplingOptions { Temperature = 0, MaxNewTokens = 12 }, Eos);
            Assert.Equal(continuation, result.Tokens);
            Assert.Equal(GenerationStopReason.EndOfText, result.StopReason);
        }
        Assert.True(model.training); // generation restored the mode it found
    }
}
