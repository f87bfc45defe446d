namespace HorrorAlign.ML.Evaluation;

/// <summary>
/// The Wilson score interval of a rate k/n: unlike p ± z·sqrt(p(1−p)/n), it stays inside [0, 1] and does not collapse
/// to a point at 0/n or n/n, so a small or perfect sample still reports its uncertainty.
/// </summary>
internal static class Wilson
{
    /// <summary>z of a two-sided 95 % interval.</summary>
    public const double Z95 = 1.96;

    /// <summary>
    /// The interval <c>(p + z²/2n ± z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n)</c> with p = <paramref name="successes"/> /
    /// <paramref name="n"/>; (0, 1) when <paramref name="n"/> is 0 (nothing measured).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is negative, <paramref name="successes"/> is
    /// outside 0..n, or <paramref name="z"/> is not positive and finite.</exception>
    public static (double Low, double High) Interval(int successes, int n, double z = Z95)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(successes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(successes, n);
        if (!(z > 0 && double.IsFinite(z))) throw new ArgumentOutOfRangeException(nameof(z), z, "z must be positive and finite.");
        if (n == 0) return (0, 1);
        double p = successes / (double)n;
        double z2 = z * z;
        double centre = p + z2 / (2.0 * n);
        double spread = z * Math.Sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
        double scale = 1 + z2 / n;
        // At p = 0 or 1 an end is exactly 0 or 1; computed, it lands a rounding error away.
        return (successes == 0 ? 0 : (centre - spread) / scale, successes == n ? 1 : (centre + spread) / scale);
    }

    /// <summary>The 95 % interval as the two-element list [low, high] that the JSON reports hold.</summary>
    internal static IReadOnlyList<double> Ci95(int successes, int n)
    {
        var (low, high) = Interval(successes, n);
        return [low, high];
    }
}
