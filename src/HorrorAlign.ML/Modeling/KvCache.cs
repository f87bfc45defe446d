using TorchSharp;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Modeling;

/// <summary>
/// Per-layer keys and values of the tokens decoded so far, so that each new token costs one position of work instead
/// of re-running the whole context. Buffers are allocated once at full context length ([B, H, ContextLength, head_dim]
/// per layer) and filled in place: appending never reallocates or copies the past.
/// </summary>
/// <remarks>For inference only (use under <c>torch.no_grad()</c>); one cache belongs to one decoding loop.</remarks>
public sealed class KvCache : IDisposable
{
    private readonly Tensor[] keys;
    private readonly Tensor[] values;
    private bool disposed;

    internal KvCache(int layers, int batch, int heads, int capacity, int headDim, ScalarType dtype, Device device)
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
    }

    /// <summary>Number of positions already in the cache.</summary>
    public int Length { get; internal set; }

    /// <summary>Number of sequences decoded together.</summary>
    public int Batch { get; }

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

    /// <inheritdoc />
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var t in keys) t.Dispose();
        foreach (var t in values) t.Dispose();
    }
}
