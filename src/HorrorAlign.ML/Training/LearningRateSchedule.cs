namespace HorrorAlign.ML.Training;

/// <summary>Linear warmup, then cosine decay to a floor (nanoGPT's schedule), as a pure function of the step so a resumed
/// run gets the same rates.</summary>
/// <param name="Peak">Learning rate at the end of warmup.</param>
/// <param name="WarmupSteps">Steps of linear warmup.</param>
/// <param name="TotalSteps">Planned optimizer steps.</param>
/// <param name="FloorRatio">Final rate as a fraction of <paramref name="Peak"/>.</param>
internal sealed record LearningRateSchedule(double Peak, int WarmupSteps, int TotalSteps, double FloorRatio)
{
    /// <summary>The rate for the 0-based optimizer step <paramref name="step"/>.</summary>
    public double At(int step)
    {
        // Warmup starts above zero: a zero-rate first step would waste a batch.
        if (step < WarmupSteps) return Peak * (step + 1) / WarmupSteps;
        double floor = Peak * FloorRatio;
        int decaySteps = Math.Max(1, TotalSteps - WarmupSteps);
        double progress = Math.Min(1.0, (double)(step - WarmupSteps) / decaySteps);
        return floor + (Peak - floor) * 0.5 * (1.0 + Math.Cos(Math.PI * progress));
    }
}
