using System.Diagnostics;
using HorrorAlign.ML.MLNet;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace HorrorAlign.ML;

/// <summary>
/// A trained story model as an ML.NET transformer: its <c>Transform</c> passes the rows through and adds the
/// model-reference column (<see cref="ModelColumnName"/>), by which a <see cref="DpoTrainer"/> or
/// <see cref="StoryGenerator"/> later in the same chain finds this model. Saved with <c>mlContext.Model.Save</c>, the
/// model travels inside the zip (see <see cref="StoryModelZip"/>).
/// </summary>
/// <remarks>
/// The decoded model is kept in an internal process-wide carrier (decoded once per process, shared by every component
/// and prediction engine that names it) and lives as long as this transformer: disposing it releases the model's native
/// memory unless another transformer (a generator that embeds the same model, say) still owns it. ML.NET disposes a model
/// together with a <c>PredictionEngine</c> created from it, so a disposed transformer stays usable: used again, it
/// decodes its model again from the stored bytes.
/// </remarks>
public abstract class StoryModelTransformer : StoryTransformerBase
{
    readonly object _gate = new();
    StoryModelLease? _lease;

    private protected StoryModelTransformer(Trained trained) : base(trained.Inner)
    {
        _lease = trained.Lease;
        ModelHash = trained.Lease.Hash;
        Payload = trained.Payload;
        ModelColumnName = trained.ModelColumnName;
        StoredBytes = trained.StoredBytes;
        StoredPrecision = trained.Precision;
        TrainingHistory = trained.History;
    }

    /// <summary>
    /// The trained model, exactly as stored (weights rounded to <see cref="StoredPrecision"/>). Owned by this
    /// transformer: do not dispose it; it stays valid until the transformer is disposed.
    /// </summary>
    public StoryModel Model
    {
        get
        {
            lock (_gate) return (_lease ??= StoryModelCache.AcquireOwned(Payload.AsMemory())).Model;
        }
    }

    /// <summary>SHA-256 (lower-case hex) of the stored model bytes: equal hashes mean identical weights.</summary>
    public string ModelHash { get; }

    /// <summary>The model-reference column this transformer adds.</summary>
    public string ModelColumnName { get; }

    /// <summary>Size of the stored model in bytes (the zip holds it base64-encoded, about 4/3 of this, before compression).</summary>
    public long StoredBytes { get; }

    /// <summary>Precision of the stored weights.</summary>
    public WeightPrecision StoredPrecision { get; }

    /// <summary>Every training log entry and evaluation of the run that produced this model.</summary>
    public IReadOnlyList<TrainingMetrics> TrainingHistory { get; }

    /// <summary>The persisted text form of the model.</summary>
    internal string Payload { get; }

    private protected override void CheckInputSchema(DataViewSchema inputSchema) { }

    private protected override void Reacquire() => _ = Model;

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (!disposing) return;
        lock (_gate)
        {
            _lease?.Dispose();
            _lease = null;
        }
    }

    /// <summary>What a trainer hands to its transformer's constructor.</summary>
    private protected sealed record Trained(ITransformer Inner, StoryModelLease Lease, string Payload, string ModelColumnName,
        long StoredBytes, WeightPrecision Precision, IReadOnlyList<TrainingMetrics> History);

    /// <summary>
    /// Stores a freshly trained model: encodes it at the requested precision, disposes the training copy, and serves
    /// the model decoded from that payload, so this transformer behaves exactly like the zip it will be saved as.
    /// </summary>
    private protected static Trained Store(MLContext ml, IDataView input, StoryModel trained, StoryTrainerOptions options, TrainingLog log)
    {
        var clock = Stopwatch.StartNew();
        string payload, hash;
        int bytes;
        using (trained) (payload, hash, bytes) = ModelPayload.Encode(trained, options.StoredPrecision);
        var lease = StoryModelCache.AcquireOwned(payload.AsMemory());
        try
        {
            var inner = InnerPipelines.ModelStage(ml, payload, options.ModelColumnName).Fit(input);
            log.Info($"stored model {hash[..12]}: {bytes:N0} bytes ({options.StoredPrecision}) in {clock.Elapsed.TotalSeconds:0.00} s");
            return new Trained(inner, lease, payload, options.ModelColumnName, bytes, options.StoredPrecision, log.History.ToArray());
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }
}

/// <summary>The model fitted by <see cref="SftTrainer"/>.</summary>
public sealed class SftTransformer : StoryModelTransformer
{
    SftTransformer(Trained trained) : base(trained) { }

    internal static SftTransformer Create(MLContext ml, IDataView input, StoryModel trained, StoryTrainerOptions options, TrainingLog log) =>
        new(Store(ml, input, trained, options, log));
}

/// <summary>The model fitted by <see cref="DpoTrainer"/>.</summary>
public sealed class DpoTransformer : StoryModelTransformer
{
    DpoTransformer(Trained trained) : base(trained) { }

    internal static DpoTransformer Create(MLContext ml, IDataView input, StoryModel trained, StoryTrainerOptions options, TrainingLog log) =>
        new(Store(ml, input, trained, options, log));
}
