using System.Diagnostics;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Samples.Bench;

/// <summary>How many times to run a measured step: untimed warmup first (allocator, MKL and optimizer state), then at
/// least <see cref="MinIterations"/> timed iterations, more while the total stays under <see cref="MinSeconds"/>, up to
/// <see cref="MaxIterations"/>. Once <see cref="MaxSeconds"/> of timed work is done no further iteration starts (at
/// least one always runs), so a machine busy with other work still finishes the run in bounded time.</summary>
public sealed record Repetitions(int Warmup, int MinIterations, int MaxIterations, double MinSeconds, double MaxSeconds = 10)
{
    /// <summary>Runs <paramref name="step"/> (which returns the work it did) under a fresh dispose scope per iteration.</summary>
    public Timing Run(Func<int, double> step, CancellationToken ct)
    {
        int i = 0;
        for (; i < Warmup; i++)
        {
            ct.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            step(i);
        }
        var seconds = new List<double>();
        var work = new List<double>();
        double total = 0;
        while (seconds.Count < MaxIterations
               && (seconds.Count < MinIterations || total < MinSeconds)
               && (seconds.Count == 0 || total < MaxSeconds))
        {
            ct.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            long start = Stopwatch.GetTimestamp();
            double w = step(i++);
            double s = Stopwatch.GetElapsedTime(start).TotalSeconds;
            seconds.Add(s);
            work.Add(w);
            total += s;
        }
        return new Timing(seconds, work);
    }
}
