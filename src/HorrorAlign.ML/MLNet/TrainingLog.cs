using System.Globalization;
using System.Text;
using HorrorAlign.ML.Training;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace HorrorAlign.ML.MLNet;

/// <summary>
/// Where a trainer's progress goes: an ML.NET channel (so it reaches <see cref="MLContext.Log"/> like any ML.NET
/// trainer's messages; <see cref="IChannelProvider"/> is public and <see cref="MLContext"/> implements it), the
/// user's optional <see cref="IProgress{T}"/> (called synchronously, on the training thread), and the history kept on
/// the resulting transformer.
/// </summary>
internal sealed class TrainingLog : IProgress<TrainingMetrics>, IDisposable
{
    readonly IChannel _channel;
    readonly IProgress<TrainingMetrics>? _user;
    readonly List<TrainingMetrics> _history = [];

    public TrainingLog(MLContext mlContext, string name, IProgress<TrainingMetrics>? user)
    {
        _channel = ((IChannelProvider)mlContext).Start(name);
        _user = user;
    }

    public IReadOnlyList<TrainingMetrics> History => _history;

    public void Info(string message) => _channel.Info(MessageSensitivity.None, message);

    public void Warning(string message) => _channel.Warning(MessageSensitivity.None, message);

    public void Report(TrainingMetrics value)
    {
        _history.Add(value);
        // Per-step lines are Trace (like ML.NET's own chatty trainers); evaluations and summaries are Info, so a
        // `Log` handler that skips Trace sees one line per evaluation.
        if (value.IsEvaluation) Info(Format(value));
        else _channel.Trace(MessageSensitivity.None, Format(value));
        _user?.Report(value);
    }

    /// <summary>One line, invariant culture, metric names sorted, e.g. <c>sft step 10/80 epoch 1.25 learning_rate=0.001 loss=2.31</c>.</summary>
    public static string Format(TrainingMetrics m)
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(ci, $"{m.Stage} step {m.Step}/{m.TotalSteps} epoch {m.Epoch:0.00}");
        foreach (var (name, value) in m.Values.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            sb.Append(ci, $" {name}={value:G5}");
        return sb.ToString();
    }

    public void Dispose() => _channel.Dispose();
}
