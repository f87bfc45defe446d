using TorchSharp;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Modeling;

/// <summary>
/// Per-layer keys and values of the tokens decoded so far, so that each new token costs one position of work instead
/// of re-running the whole context. Buffers are allocated once at full context length ([B, H, ContextLength, head_dim]
/// per layer) and filled in place: appending never reallocates or copies the past.
/// </summary>
/// <remarks>For inference only (use under <c>torch.no_grad()</c>); one cache belongs to one decoding loop.</remarks>
internal sealed class KvCache : IDisposable
{
    private readonly Tensor[] keys;
    private readonly Tensor[] values;
    private Tensor? copyKeys; // [B, capacity, copyDim] partial keys of the copy head, when the model has one
    private Tensor? copyIds;  // [B, capacity] the ids read so far (what the copy keys point past)
    private bool disposed;

    internal KvCache(int layers, int batch, int heads, int capacity, int headDim, ScalarType dtype, Device device, int copyDim = 0)
    {
        Batch = batch;
        Capacity = capacity;
        keys = new Tensor[layers];
        values = new Tensor[layers];
        for (int i = 0; i < layers; i++)
        {
            // Detached from any dispose scope: the cache outlives the step that created it and frees them in Dispose.
            keys[i] = zeros([batch, heads, capacity, headDim], dtype, device).DetachFromDisposeScope();
            values[i] = zeros([batch, heads, capacity, headDim], dtype, device).DetachFromDisposeScope();
        }
        if (copyDim > 0)
        {
            copyKeys = zeros([batch, capacity, copyDim], dtype, device).DetachFromDisposeScope();
            copyIds = zeros([batch, capacity], ScalarType.Int64, device).DetachFromDisposeScope();
        }
    }

    /// <summary>Number of positions already in the cache.</summary>
    public int Length { get; internal set; }

    /// <summary>Number of sequences decoded together (fewer after <see cref="Keep"/>).</summary>
    public int Batch { get; private set; }

    /// <summary>Most positions the cache can hold (the model's context length).</summary>
    public int Capacity { get; }

    /// <summary>Empties the cache (the buffers are kept for reuse).</summary>
    public void Reset() => Length = 0;

    /// <summary>
    /// Writes the new keys/values k, v [B, H, T, hd] of <paramref name="layer"/> at positions Length..Length+T and returns
    /// views of all keys/values so far [B, H, Length+T, hd]. <see cref="Length"/> advances only once every layer is done
    /// (<see cref="Advance"/>), so all layers write to the same positions.
    /// </summary>
    internal (Tensor Keys, Tensor Values) Append(int layer, Tensor k, Tensor v)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        long t = k.shape[2];
        keys[layer].narrow(2, Length, t).copy_(k);
        values[layer].narrow(2, Length, t).copy_(v);
        return (keys[layer].narrow(2, 0, Length + t), values[layer].narrow(2, 0, Length + t));
    }

    internal void Advance(int newTokens) => Length += newTokens;

    /// <summary>
    /// Keeps only the sequences <paramref name="rows"/> (indices into the current batch, in the order given): batched
    /// decoding drops the sequences that have ended, so that every later step computes only the live ones. The kept
    /// rows are copied into new, smaller buffers (positions up to <see cref="Length"/> only).
    /// </summary>
    internal void Keep(IReadOnlyList<int> rows)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (rows.Count == Batch && rows.Select((r, i) => r == i).All(x => x)) return;
        using var scope = NewDisposeScope();
        var index = tensor(rows.Select(r => (long)r).ToArray(), device: keys[0].device);
        Tensor Select(Tensor buffer, int positionDim)
        {
            var shape = buffer.shape.ToArray();
            shape[0] = rows.Count;
            var kept = zeros(shape, buffer.dtype, buffer.device);
            kept.narrow(positionDim, 0, Length).copy_(buffer.narrow(positionDim, 0, Length).index_select(0, index));
            buffer.Dispose();
            return kept.DetachFromDisposeScope();
        }
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = Select(keys[i], 2);
            values[i] = Select(values[i], 2);
        }
        if (copyKeys is not null) copyKeys = Select(copyKeys, 1);
        if (copyIds is not null) copyIds = Select(copyIds, 1);
        Batch = rows.Count;
    }

    /// <summary>Writes the ids [B,T] of the new positions at <paramref name="start"/>.. (copy-head models only) and
    /// returns a view of all ids so far [B,start+T].</summary>
    internal Tensor AppendIds(int start, Tensor ids) => Append(copyIds, start, ids);

    /// <summary>Writes the copy-head partial keys [B,T,dc] of the new positions at <paramref name="start"/>.. and
    /// returns a view of all of them so far [B,start+T,dc].</summary>
    internal Tensor AppendCopyKeys(int start, Tensor keys) => Append(copyKeys, start, keys);

    /// <summary>A view of the ids of every position in the cache [B,Length] (copy-head models only).</summary>
    internal Tensor Ids() => Append(copyIds, Length, null);

    /// <summary>Writes <paramref name="values"/> [B,T,…] (if any) into a copy-head buffer at positions start.. and
    /// returns the view of positions 0..start+T.</summary>
    private Tensor Append(Tensor? buffer, int start, Tensor? values)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (buffer is null) throw new InvalidOperationException("This cache was created for a model without a copy head.");
        long t = values?.shape[1] ?? 0;
        if (values is not null) buffer.narrow(1, start, t).copy_(values);
        return buffer.narrow(1, 0, start + t);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var t in keys) t.Dispose();
        foreach (var t in values) t.Dispose();
        copyKeys?.Dispose();
        copyIds?.Dispose();
    }
}
