using HorrorAlign.ML.Generation;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Tests.Training;

namespace HorrorAlign.ML.Tests.Generation;

/// <summary>
/// Ctrl+C in a batch keeps the stories finished before it. Serial: parallel decoding sets torch's process-wide thread
/// count, which must not change under the parallel test classes that train.
/// </summary>
[Collection(SerialTorchCollection.Name)]
public sealed class BatchCancellationTests
{
    private const string Prompt = "Title: The Well\nStory:\n";

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ACancelledBatchKeepsTheStoriesFinishedBeforeTheCancel(int parallelism)
    {
        var options = new SamplingOptions { Temperature = 1.5, TopP = 1, MaxNewTokens = 20, Seed = 3 };
        string[] prompts = [.. Enumerable.Range(0, 2 * TextGenerator.MaxDecodeBatch + 8).Select(_ => Prompt)];
        var whole = TextGenerator.GenerateBatch(TextGeneratorTests.Trained.Value, prompts, options);
        using var ctrlC = new CancellationTokenSource();
        // Ctrl+C as soon as the first batch of stories is done: that batch is kept, the rest is not.
        var progress = new InlineProgress<int>(done => { if (done >= TextGenerator.MaxDecodeBatch) ctrlC.Cancel(); });

        var e = Assert.Throws<BatchCanceledException>(() => TextGenerator.GenerateBatch(TextGeneratorTests.Trained.Value, prompts, options, parallelism, progress, ctrlC.Token));

        Assert.Equal(prompts.Length, e.Stories.Count);
        Assert.InRange(e.Finished, TextGenerator.MaxDecodeBatch, prompts.Length - 1);
        for (int i = 0; i < prompts.Length; i++)
            if (e.Stories[i] is { } story) Assert.Equal(whole[i], story); // a kept story is the one an uninterrupted run writes
        Assert.Equal(ctrlC.Token, e.CancellationToken);
    }
}
