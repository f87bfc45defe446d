using HorrorAlign.ML.Generation;
using HorrorAlign.ML.Tests.Modeling;

namespace HorrorAlign.ML.Tests.Generation;

/// <summary>Requests from many callers decoded in shared batches: each gets what it gets decoded alone, as soon as its
/// own sequence ends.</summary>
public sealed class DecodeBatcherTests
{
    [Fact]
    public async Task ConcurrentRequestsGetWhatEachGetsAloneWhateverTheirLengthsAndEnds()
    {
        var gpt = TinyModels.Create(TinyModels.Config(vocab: 23, context: 48), seed: 8);
        // Two prompt lengths (two batches at least), own seeds and limits, and a stop condition on one.
        var requests = Enumerable.Range(0, 12).Select(i => new DecodeRequest(i % 3 == 0 ? [3, 7, 1, 9, 4] : [3, 7, 1],
            new SamplingOptions { Seed = 40 + i, MaxNewTokens = 2 + 3 * i, TopP = 0.9 },
            i == 4 ? generated => generated.Count(t => t == 11) >= 1 : null)).ToArray();

        using var batcher = new DecodeBatcher(gpt, eosId: 5, threads: 2);
        var results = await Task.WhenAll(requests.Select(r => Task.Run(() => batcher.DecodeAsync(r))));

        for (int i = 0; i < requests.Length; i++)
        {
            var r = requests[i];
            var alone = TokenGenerator.Generate(gpt, r.PromptIds, r.Options, 5, r.StopCondition, sourceLength: null);
            Assert.Equal(alone.Tokens, results[i].Tokens);
            Assert.Equal(alone.StopReason, results[i].StopReason);
        }
    }

    [Fact]
    public async Task AShortStoryIsDoneBeforeTheLongOneBesideItInItsBatch()
    {
        var gpt = TinyModels.Create(TinyModels.Config(vocab: 23, context: 300), seed: 9);
        using var batcher = new DecodeBatcher(gpt, eosId: null, threads: 1);
        // Hold the one thread in a first batch, so that the next two requests queue up and go in one batch together.
        using var release = new ManualResetEventSlim();
        var first = HoldTheThread(batcher, release);
        // The long one waits at its 10th token until the short one is done: the short one must not wait for the batch.
        using var shortDone = new ManualResetEventSlim();
        var longOne = batcher.DecodeAsync(new DecodeRequest([1, 2, 3], new SamplingOptions { Seed = 1, MaxNewTokens = 200 },
            generated =>
            {
                if (generated.Count == 10) shortDone.Wait(TimeSpan.FromSeconds(30));
                return false;
            }));
        var shortOne = batcher.DecodeAsync(new DecodeRequest([1, 2, 4], new SamplingOptions { Seed = 2, MaxNewTokens = 3 }));
        release.Set();
        await first;

        var result = await shortOne.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(longOne.IsCompleted);
        Assert.Equal(3, result.Tokens.Count);
        shortDone.Set();
        Assert.Equal(200, (await longOne).Tokens.Count);
    }

    [Fact]
    public async Task ARequestCancelledWhileItWaitsLeavesTheQueueUndecoded()
    {
        var gpt = TinyModels.Create(TinyModels.Config(vocab: 23, context: 48), seed: 11);
        using var batcher = new DecodeBatcher(gpt, eosId: null, threads: 1);
        using var release = new ManualResetEventSlim();
        var first = HoldTheThread(batcher, release);
        using var cancel = new CancellationTokenSource();
        int steps = 0;
        var waiting = batcher.DecodeAsync(new DecodeRequest([1, 2], new SamplingOptions { MaxNewTokens = 5 }, _ => ++steps < 0), cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(30))); // answered while the thread is busy
        release.Set();
        await first;
        Assert.Equal(0, steps);
    }

    [Fact]
    public async Task DisposingFinishesWhatIsQueuedThenRefusesMore()
    {
        var gpt = TinyModels.Create(TinyModels.Config(vocab: 23, context: 48), seed: 10);
        var batcher = new DecodeBatcher(gpt, eosId: null, threads: 2);
        var queued = Enumerable.Range(0, 5).Select(i => batcher.DecodeAsync(new DecodeRequest([1, 2], new SamplingOptions { Seed = i, MaxNewTokens = 20 }))).ToArray();
        batcher.Dispose();
        Assert.All(await Task.WhenAll(queued), r => Assert.Equal(20, r.Tokens.Count));
        Assert.Throws<ObjectDisposedException>(() => { _ = batcher.DecodeAsync(new DecodeRequest([1], new SamplingOptions())); });
        batcher.Dispose(); // twice is fine
    }

    /// <summary>Occupies a one-thread batcher with a request that waits for <paramref name="release"/>; returns once the
    /// thread is in it, so that what is queued next waits for the next batch.</summary>
    private static Task<GenerationResult> HoldTheThread(DecodeBatcher batcher, ManualResetEventSlim release)
    {
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously); // set at every token: never disposed
        var first = batcher.DecodeAsync(new DecodeRequest([1], new SamplingOptions { MaxNewTokens = 2 }, _ =>
        {
            holding.TrySetResult();
            release.Wait(TimeSpan.FromSeconds(30));
            return false;
        }));
        Assert.True(holding.Task.Wait(TimeSpan.FromSeconds(30)));
        return first;
    }
}
