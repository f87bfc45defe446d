using HorrorAlign.ML.Modeling;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Training;

/// <summary>Which data set a batch comes from.</summary>
internal enum DataSplit
{
    /// <summary>The training set.</summary>
    Train,
    /// <summary>The validation set.</summary>
    Validation,
}

/// <summary>
/// What one stage trains: the <see cref="Trainer"/> owns the loop (shuffling, accumulation, optimizer, schedule,
/// evaluation, early stopping, checkpoints) and asks the objective only for the loss of a batch.
/// </summary>
internal interface ITrainingObjective : IDisposable
{
    /// <summary>"sft" or "dpo" (metric stage, checkpoint file name).</summary>
    string Stage { get; }

    /// <summary>Whether the model trains with dropout active.</summary>
    bool UseDropout { get; }

    /// <summary>Number of examples (SFT) or pairs (DPO) in a split.</summary>
    int Count(DataSplit split);

    /// <summary>
    /// Runs <paramref name="model"/> on the examples <paramref name="indices"/> of <paramref name="split"/>. Returns the
    /// loss SUMMED over the batch's normalisation units (tokens for SFT, pairs for DPO) as a scalar tensor (with a graph
    /// when grad is enabled), the number of those units, and metric sums over the same units.
    /// </summary>
    BatchOutput Run(GptModel model, DataSplit split, IReadOnlyList<int> indices);
}

/// <summary>One batch's summed loss, its weight (token or pair count) and summed metrics, so the trainer can average
/// exactly over any grouping of batches: a whole accumulated step, a logging window or the whole validation set.</summary>
internal readonly record struct BatchOutput(Tensor SummedLoss, double Weight, IReadOnlyList<KeyValuePair<string, double>> MetricSums);
