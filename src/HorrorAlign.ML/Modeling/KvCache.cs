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
    private readonly Tensor? copyKeys; // [B, capacity, copyDim] partial keys of the copy head, when the model has one
    private readonly Tensor? copyIds;  // [B, capacity] the ids read so far (what the copy keys point past)
    private readonly Tensor? attended; // [B, 1, H·hd] what DecodeAttention writes, reused by every layer and step
    private readonly nint[] keyAddresses = [], valueAddresses = []; // the buffers never move: looked up once
    private readonly nint attendedAddress;
    private readonly int heads, headDim;
    private bool disposed;

    internal KvCache(int layers, int batch, int heads, int capacity, int headDim, ScalarType dtype, Device device, int copyDim = 0)
    {
        Batch = batch;
        Capacity = capacity;
        this.heads = heads;
        this.headDim = headDim;
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
        if (layers > 0 && keys.Concat(values).All(DecodeAttention.Readable))
        {
            attended = zeros([batch, 1, heads * headDim], dtype, device).DetachFromDisposeScope();
            keyAddresses = [.. keys.Select(Address)];
            valueAddresses = [.. values.Select(Address)];
            attendedAddress = Address(attended);
        }
    }

    private static unsafe nint Address(Tensor t) => (nint)DecodeAttention.Pointer(t);

    /// <summary>Number of positions already in the cache.</summary>
    public int Length { get; internal set; }

    /// <summary>Number of sequences decoded together (fewer after <see cref="Keep"/>: the buffers keep their size and
    /// the live rows are the first ones).</summary>
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
        var liveKeys = keys[layer].narrow(0, 0, Batch);
        var liveValues = values[layer].narrow(0, 0, Batch);
        liveKeys.narrow(2, Length, t).copy_(k);
        liveValues.narrow(2, Length, t).copy_(v);
        return (liveKeys.narrow(2, 0, Length + t), liveValues.narrow(2, 0, Length + t));
    }

    internal void Advance(int newTokens) => Length += newTokens;

    /// <summary>Whether <see cref="AttendNewToken"/> can run: contiguous float32 buffers on the CPU, under 2 GB each.</summary>
    internal bool AttendsInPlace => attended is not null;

    /// <summary>
    /// One new token per sequence: stores its key and value from <paramref name="qkv"/> [B,1,3·H·hd] (q | k | v) at
    /// position <see cref="Length"/> of <paramref name="layer"/> and returns its attention output [B,1,H·hd] over
    /// every cached position (<see cref="DecodeAttention"/>). The result is a buffer that the next call overwrites.
    /// </summary>
    internal unsafe Tensor AttendNewToken(int layer, Tensor qkv, float scale)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (attended is null) throw new InvalidOperationException("This cache's buffers cannot be read in place (not float32 on the CPU).");
        long[] shape = qkv.shape; // one native read per layer and token, not three
        if (shape.Length != 3 || shape[0] != Batch || shape[1] != 1 || shape[2] != 3L * heads * headDim || qkv.dtype != ScalarType.Float32)
            throw new ArgumentException($"qkv must be float32 [{Batch}, 1, {3 * heads * headDim}]; got {qkv.dtype} [{string.Join(", ", shape)}].", nameof(qkv));
        if (Length >= Capacity) throw new InvalidOperationException($"The cache is full ({Capacity} positions).");
        if (!qkv.is_contiguous()) qkv = qkv.contiguous();
        DecodeAttention.Run(DecodeAttention.Pointer(qkv), (float*)keyAddresses[layer], (float*)valueAddresses[layer], (float*)attendedAddress,
            Batch, heads, headDim, Capacity, Length, scale);
        GC.KeepAlive(qkv); // the kernel read it through a raw pointer: it must not be finalised before that ends
        return attended.narrow(0, 0, Batch);
    }

    /// <summary>
    /// Keeps only the sequences <paramref name="rows"/> (ascending indices into the current batch): batched decoding drops
    /// the sequences that have ended, so that every later step computes only the live ones. The kept rows move down
    /// in place (positions up to <see cref="Length"/>), so the buffers are never reallocated.
    /// </summary>
    internal void Keep(IReadOnlyList<int> rows)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        using var scope = NewDisposeScope();
        for (int r = 0; r < rows.Count; r++)
        {
            int from = rows[r];
            if (from < r || from >= Batch || (r > 0 && from <= rows[r - 1]))
                throw new ArgumentException("Rows to keep must be ascending indices into the current batch.", nameof(rows));
            if (from == r) continue;
            // r < from, and every later source lies above from: a row is read before anything is written over it.
            foreach (var buffer in Buffers()) buffer.Position(r).copy_(buffer.Position(from));
        }
        Batch = rows.Count;
    }

    /// <summary>Every buffer with the dimension that holds positions.</summary>
    private IEnumerable<(Tensor Tensor, int PositionDim)> AllBuffers()
    {
        foreach (var k in keys) yield return (k, 2);
        foreach (var v in values) yield return (v, 2);
        if (copyKeys is not null) yield return (copyKeys, 1);
        if (copyIds is not null) yield return (copyIds, 1);
    }

    /// <summary>For <see cref="Keep"/>: each buffer's positions 0..Length of one row.</summary>
    private IEnumerable<RowView> Buffers() => AllBuffers().Select(b => new RowView(b.Tensor, b.PositionDim, Length));

    private readonly record struct RowView(Tensor Buffer, int PositionDim, int Length)
    {
        public Tensor Position(int row) => Buffer[row].narrow(PositionDim - 1, 0, Length);
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
        var live = buffer.narrow(0, 0, Batch);
        if (values is not null) live.narrow(1, start, t).copy_(values);
        return live.narrow(1, 0, start + t);
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
        attended?.Dispose();
    }
}
