using System.Runtime.ExceptionServices;
using HorrorAlign.ML.Modeling;

namespace HorrorAlign.ML.Generation;

/// <summary>
/// Runs one generation job per prompt on several threads at once. Why: decoding one token of a model this small is a
/// few hundred tiny tensor operations, too small for libtorch to split over cores, so one sequence keeps one core busy
/// however many intra-op threads torch has. Several sequences side by side, each on one intra-op thread, use them all
/// (measured on 2 cores: 16 stories in 4.0 s one after another, 2.5 s two at a time).
/// <para>
/// Deterministic: every job owns its sampler, seed and KV cache (see <see cref="TokenGenerator"/>), so a job's result
/// does not depend on which jobs run beside it, and equals the sequential result on one intra-op thread.
/// </para>
/// </summary>
internal static class ParallelPrompts
{
    /// <summary>
    /// Calls <paramref name="job"/>(i) for i in 0..count-1, <paramref name="parallelism"/> at a time. With parallelism
    /// above 1, torch's intra-op threads are set to 1 for the duration (torch.set_num_threads is process-wide; the
    /// previous value comes back afterwards), so do not train in the same process meanwhile.
    /// </summary>
    /// <param name="count">Number of jobs.</param>
    /// <param name="parallelism">Jobs at once (≥ 1); 1 runs them in order on the calling thread.</param>
    /// <param name="job">The job; it must only write its own slot of any shared result.</param>
    /// <param name="progress">Receives the number of finished jobs, in increasing order.</param>
    /// <param name="cancellationToken">Checked before each job.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="parallelism"/> is below 1.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static void For(int count, int parallelism, Action<int> job, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        if (parallelism == 1 || count <= 1)
        {
            for (int i = 0; i < count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                job(i);
                progress?.Report(i + 1);
            }
            return;
        }

        int done = 0;
        var gate = new object();
        using var threads = TorchThreads.Use(1);
        try
        {
            var loop = new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken };
            Parallel.For(0, count, loop, i =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                job(i);
                if (progress is null) return;
                lock (gate) progress.Report(++done); // under the lock, so counts arrive in order
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // Surface a job's own failure (its message names the prompt or value), not the wrapper; a cancel seen by the
            // workers surfaces as one OperationCanceledException of the token.
            var failure = e.InnerExceptions.FirstOrDefault(x => x is not OperationCanceledException);
            if (failure is null && cancellationToken.IsCancellationRequested) throw new OperationCanceledException(cancellationToken);
            ExceptionDispatchInfo.Capture(failure ?? e.InnerExceptions[0]).Throw();
            throw;
        }
    }
}
