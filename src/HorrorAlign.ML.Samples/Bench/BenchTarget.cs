namespace HorrorAlign.ML.Samples.Bench;

/// <summary>A performance target of the issue, checked on figures from the same run.</summary>
/// <param name="Name">What is compared.</param>
/// <param name="Measured">The measured ratio or value.</param>
/// <param name="Required">The threshold (measured ≥ required passes).</param>
/// <param name="Unit">"×", "tokens/s" or "" (a fraction).</param>
/// <param name="Allowed">What this run's rooflines allow for the figure, in words (null when not measured).</param>
public sealed record BenchTarget(string Name, double Measured, double Required, string Unit, string? Allowed = null)
{
    /// <summary>Whether the target is met.</summary>
    public bool Passed => Measured >= Required;
}
