using System.Text.Json;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Persistence;

namespace HorrorAlign.ML.Training;

/// <summary>
/// Everything needed to continue a run exactly: the policy's weights, the AdamW moments, the step, the early-stopping
/// state with the best weights, the metric history and the open logging window. The data order and the dropout masks
/// are not stored: they are re-derived from the seed, the epoch and the step. One file per stage, written atomically:
/// a <see cref="ChecksummedContainer"/> ("HACKPT01") whose JSON header holds the state and whose payload is
/// [model file | best-model file | TorchSharp optimizer state].
/// </summary>
internal sealed class TrainingCheckpoint
{
    private const int CurrentVersion = 1;
    private static ReadOnlySpan<byte> Magic => "HACKPT01"u8;

    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The JSON part.</summary>
    internal sealed class State
    {
        public string Stage { get; set; } = "";
        public string Fingerprint { get; set; } = "";
        public int Step { get; set; }
        public double? BestLoss { get; set; }
        public int? BestStep { get; set; }
        public int BadEvaluations { get; set; }
        public TrainingStopReason? StopReason { get; set; }
        public List<TrainingMetrics> History { get; set; } = [];
        public MetricWindow Window { get; set; } = new();
        public long ModelLength { get; set; }
        public long BestModelLength { get; set; }
        public long OptimizerLength { get; set; }
    }

    public required State Data { get; init; }

    /// <summary>The policy in the model file format (float32).</summary>
    public required byte[] Model { get; init; }

    /// <summary>The best weights so far in the model file format, or empty when nothing was evaluated.</summary>
    public required byte[] BestModel { get; init; }

    /// <summary>TorchSharp's AdamW state (moments and step counts of every parameter).</summary>
    public required byte[] Optimizer { get; init; }

    /// <summary>The checkpoint file of <paramref name="stage"/> in <paramref name="directory"/>.</summary>
    public static string PathFor(string directory, string stage) => Path.Combine(directory, stage + ".checkpoint");

    public void Save(string path)
    {
        Data.ModelLength = Model.Length;
        Data.BestModelLength = BestModel.Length;
        Data.OptimizerLength = Optimizer.Length;
        byte[] header = JsonSerializer.SerializeToUtf8Bytes(Data, s_json);
        AtomicFile.Write(path, stream => ChecksummedContainer.Write(stream, Magic, CurrentVersion, header,
            (long)Model.Length + BestModel.Length + Optimizer.Length, sink =>
            {
                sink.Write(Model);
                sink.Write(BestModel);
                sink.Write(Optimizer);
            }));
    }

    public static TrainingCheckpoint Load(string path)
    {
        string what = $"training checkpoint '{path}'";
        ChecksummedContainer.Contents contents;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
            contents = ChecksummedContainer.Read(stream, Magic, CurrentVersion, what);
        State data;
        try
        {
            data = JsonSerializer.Deserialize<State>(contents.Header, s_json) ?? throw new InvalidDataException($"The {what} has an empty header.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The {what} has an unreadable header: {e.Message}", e);
        }
        if (data.ModelLength < 0 || data.BestModelLength < 0 || data.OptimizerLength < 0
            || data.ModelLength + data.BestModelLength + data.OptimizerLength != contents.Payload.Length)
            throw new InvalidDataException($"The {what} is inconsistent: its section lengths do not add up to its payload.");
        var payload = contents.Payload.AsSpan();
        int m = (int)data.ModelLength, b = (int)data.BestModelLength;
        return new TrainingCheckpoint
        {
            Data = data,
            Model = payload[..m].ToArray(),
            BestModel = payload.Slice(m, b).ToArray(),
            Optimizer = payload[(m + b)..].ToArray(),
        };
    }
}
