using HorrorAlign.ML.Modeling;

namespace HorrorAlign.ML.Generation;

/// <summary>
/// Decodes the requests of many callers (a server's concurrent requests) in shared batches: each decoding thread takes
/// every waiting request with the oldest one's prompt length, up to <see cref="TextGenerator.MaxDecodeBatch"/>, and
/// decodes them in one forward per token (<see cref="TokenGenerator.GenerateBatch"/>). A request's task completes when
/// its own sequence ends, not when its batch does. Requests that arrive while every thread is busy wait for the next
/// batch (no joining a batch mid-way). Each sequence keeps its own seed, so its tokens are those it gets decoded alone.
/// </summary>
internal sealed class DecodeBatcher : IDisposable
{
    private sealed record Waiting(DecodeRequest Request, TaskCompletionSource<GenerationResult> Done, CancellationToken Cancelled);

    private readonly GptModel _model;
    private readonly int? _eosId;
    private readonly List<Waiting> _queue = [];
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _arrived = new(0); // one release per request, and one per thread to stop
    private readonly Thread[] _threads;
    private bool _stopping;

    /// <summary>Starts <paramref name="threads"/> decoding threads over <paramref name="model"/>.</summary>
    public DecodeBatcher(GptModel model, int? eosId, int threads)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        _model = model;
        _eosId = eosId;
        _threads = [.. Enumerable.Range(0, threads).Select(i => new Thread(Decode) { IsBackground = true, Name = $"HorrorAlign decode {i}" })];
        foreach (var thread in _threads) thread.Start();
    }

    /// <summary>Queues <paramref name="request"/> (which must use the KV cache); the task completes with its result, or
    /// faults with what failed its batch. Cancelled while it waits, it leaves the queue (a cancelled task); once decoding,
    /// its own stop condition must end it.</summary>
    /// <exception cref="ObjectDisposedException">The batcher is stopping.</exception>
    public Task<GenerationResult> DecodeAsync(DecodeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.Options.UseKvCache) throw new ArgumentException("Batched decoding needs the KV cache (SamplingOptions.UseKvCache).", nameof(request));
        var done = new TaskCompletionSource<GenerationResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var ended = request.Ended;
        var waiting = new Waiting(request with { Ended = result => { ended?.Invoke(result); done.TrySetResult(result); } }, done, cancellationToken);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            _queue.Add(waiting);
        }
        _arrived.Release();
        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.Register(() =>
            {
                lock (_gate)
                    if (!_queue.Remove(waiting)) return; // already decoding
                done.TrySetCanceled(cancellationToken);
            });
            done.Task.ContinueWith(_ => registration.Dispose(), TaskScheduler.Default);
        }
        return done.Task;
    }

    private void Decode()
    {
        while (true)
        {
            _arrived.Wait();
            Waiting[] batch;
            lock (_gate)
            {
                if (_queue.Count == 0)
                {
                    if (_stopping) return;
                    continue; // its request went out in another thread's batch
                }
                // One batch shares its positions: the oldest request's length decides, and the others of that length join it.
                var oldest = _queue[0].Request;
                int length = oldest.PromptIds.Count, source = oldest.SourceLength ?? length;
                batch = [.. _queue.Where(w => w.Request.PromptIds.Count == length && (w.Request.SourceLength ?? length) == source)
                    .Take(TextGenerator.MaxDecodeBatch)];
                foreach (var w in batch) _queue.Remove(w);
            }
            try
            {
                TokenGenerator.GenerateBatch(_model, [.. batch.Select(w => w.Request)], _eosId);
            }
            catch (Exception e)
            {
                foreach (var w in batch) w.Done.TrySetException(e);
            }
        }
    }

    /// <summary>Lets the queued requests finish, then stops the threads.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_stopping) return;
            _stopping = true;
        }
        _arrived.Release(_threads.Length);
        foreach (var thread in _threads) thread.Join();
        _arrived.Dispose();
    }
}
