namespace HorrorAlign.ML.Training;

/// <summary>
/// Training metrics of the steps since the last log entry: means of the per-step loss and statistics, plus the latest
/// learning rate and gradient norm. Saved in checkpoints so a resumed run logs the same values.
/// </summary>
internal sealed class MetricWindow
{
    /// <summary>Steps in the window.</summary>
    public int Steps { get; set; }

    /// <summary>Sum over the window's steps of each per-step metric (loss first), in first-seen order.</summary>
    public List<KeyValuePair<string, double>> Sums { get; set; } = [];

    /// <summary>Learning rate of the latest step.</summary>
    public double LearningRate { get; set; }

    /// <summary>Gradient norm of the latest step (before clipping).</summary>
    public double GradNorm { get; set; }

    /// <summary>Adds one step's values.</summary>
    public void Add(IReadOnlyList<KeyValuePair<string, double>> stepValues, double learningRate, double gradNorm)
    {
        foreach (var (name, value) in stepValues)
        {
            int i = Sums.FindIndex(kv => kv.Key == name);
            if (i < 0) Sums.Add(new(name, value));
            else Sums[i] = new(name, Sums[i].Value + value);
        }
        Steps++;
        LearningRate = learningRate;
        GradNorm = gradNorm;
    }

    /// <summary>The log entry's values (TRL order: loss, grad_norm, learning_rate, then stage metrics, epoch), and a reset.</summary>
    public Dictionary<string, double> Flush(double epoch)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, sum) in Sums)
        {
            values[name] = sum / Steps;
            if (name == MetricNames.Loss)
            {
                values[MetricNames.GradNorm] = GradNorm;
                values[MetricNames.LearningRate] = LearningRate;
            }
        }
        values[MetricNames.Epoch] = epoch;
        Steps = 0;
        Sums = [];
        return values;
    }
}
