namespace HorrorAlign.ML.Samples.Bench;

/// <summary>Per-iteration wall times of a timed loop (seconds) and the work each iteration did.</summary>
/// <param name="Seconds">Wall time of each timed iteration.</param>
/// <param name="Work">What each iteration produced (tokens, pairs…), same order.</param>
public sealed record Timing(IReadOnlyList<double> Seconds, IReadOnlyList<double> Work)
{
    /// <summary>Median of the per-iteration rates work/second: robust to the odd iteration slowed by another process.</summary>
    public double MedianRate => Median(Seconds.Zip(Work, (s, w) => w / s));

    /// <summary>Fastest iteration (seconds).</summary>
    public double Best => Seconds.Min();

    /// <summary>Median iteration (seconds).</summary>
    public double MedianSeconds => Median(Seconds);

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }
}
