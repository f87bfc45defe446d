using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using HorrorAlign.ML.Persistence;

namespace HorrorAlign.ML.MLNet;

/// <summary>
/// The process-wide carrier of decoded story models, keyed by the SHA-256 of their stored bytes. Internal: the public
/// API never exposes it; users see only its effects through the transformers' lifetimes.
/// </summary>
/// <remarks>
/// A model saved in an ML.NET zip travels as text inside a built-in ValueMapping; every row only carries its short
/// header (the model-reference column), and the weights are decoded once per process and kept here (native TorchSharp
/// memory). That is also how a <see cref="DpoTrainer"/> or <see cref="StoryGenerator"/> finds the model of a trainer
/// earlier in the same chain. An entry lives as long as the transformers that own it: disposing the last trained or
/// generator transformer that owns a model evicts it. A model that only a chain loaded with <c>mlContext.Model.Load</c>
/// uses has no owner and stays until <see cref="StoryModelZip.ReleaseStoryModels"/> evicts it. Eviction never frees a
/// model while a prediction is using it: the native memory is released when the last user is done. An evicted model
/// that is needed again is simply decoded again from its payload (remembered weakly, by hash, while its transformer lives).
/// </remarks>
internal static class StoryModelCache
{
    sealed class Entry(string hash, Func<StoryModel> decode)
    {
        public readonly string Hash = hash;
        public readonly Lazy<StoryModel> Model = new(decode, LazyThreadSafetyMode.ExecutionAndPublication);
        public int Leases;
        public int Owners;
        public bool Evicted;
    }

    static readonly object Gate = new();
    static readonly Dictionary<string, Entry> Entries = new(StringComparer.Ordinal);

    /// <summary>Number of models currently cached.</summary>
    public static int Count { get { lock (Gate) return Entries.Count; } }

    /// <summary>Hashes of the cached models, sorted ordinally.</summary>
    public static IReadOnlyList<string> Hashes
    {
        get { lock (Gate) return Entries.Keys.Order(StringComparer.Ordinal).ToArray(); }
    }

    /// <summary>True when the model with this hash is cached.</summary>
    public static bool Contains(string hash) { lock (Gate) return Entries.ContainsKey(hash); }

    /// <summary>
    /// Removes a model from the cache; its native memory is released now, or when the last prediction using it ends.
    /// Returns false when it was not cached.
    /// </summary>
    public static bool Evict(string hash)
    {
        ArgumentNullException.ThrowIfNull(hash);
        Entry? entry;
        lock (Gate)
        {
            if (!Entries.Remove(hash, out entry)) return false;
            entry.Evicted = true;
            if (entry.Leases > 0) return true;
        }
        DisposeModel(entry);
        return true;
    }

    /// <summary>Evicts every cached model.</summary>
    public static void Clear()
    {
        string[] all;
        lock (Gate) all = Entries.Keys.ToArray();
        foreach (var hash in all) Evict(hash);
    }

    /// <summary>
    /// Leases the model named by a payload or header, decoding the payload if the model is not cached (once per process,
    /// even when many threads ask at once). Decoding failures surface as <see cref="InvalidDataException"/>.
    /// </summary>
    internal static StoryModelLease Acquire(ReadOnlyMemory<char> payloadOrHeader)
    {
        string hash = ModelPayload.ReadHash(payloadOrHeader.Span);
        Remember(hash, payloadOrHeader);
        return AcquireCore(hash, () => ModelPayload.Decode(payloadOrHeader.Span));
    }

    /// <summary>
    /// Leases the payload's model as one of its owners (a trained or generator transformer): when the last owner's lease
    /// is disposed, the model is evicted. Models that only a loaded zip uses have no owner and stay until evicted.
    /// </summary>
    internal static StoryModelLease AcquireOwned(ReadOnlyMemory<char> payload)
    {
        string hash = ModelPayload.ReadHash(payload.Span);
        Remember(hash, payload);
        return AcquireCore(hash, () => ModelPayload.Decode(payload.Span), owned: true);
    }

    /// <summary>
    /// Leases a model by hash: the cached one, or one decoded again from the payload it was last loaded from while that
    /// payload's transformer is alive (a released model reloads on demand); otherwise throws a clear error.
    /// </summary>
    internal static StoryModelLease AcquireCached(string hash) =>
        AcquireCore(hash, () => Source(hash) is { } payload ? ModelPayload.Decode(payload.Span) : throw new InvalidOperationException(
            $"The story model {hash[..Math.Min(12, hash.Length)]}… is not loaded in this process: the component that " +
            "provides it (a trainer's transformer, or a chain loaded from a zip) was disposed or is not part of this " +
            "pipeline. Apply the whole chain, or fit the generator with an explicit model."));

    // Where each model's payload text lives, held weakly (the transformer holding the text owns it): what a released
    // model is decoded again from when a row names it by hash only.
    static readonly Dictionary<string, (WeakReference<object> Owner, int Start, int Length)> Sources = new(StringComparer.Ordinal);

    static void Remember(string hash, ReadOnlyMemory<char> payload)
    {
        if (payload.Length <= ModelPayload.HeaderLength) return; // a bare header carries no weights
        object? owner = null;
        (int, int) range = default;
        if (MemoryMarshal.TryGetString(payload, out string? text, out int start, out int length)) (owner, range) = (text, (start, length));
        else if (MemoryMarshal.TryGetArray(payload, out ArraySegment<char> segment)) (owner, range) = (segment.Array, (segment.Offset, segment.Count));
        if (owner is null) return;
        lock (Gate)
        {
            if (Sources.TryGetValue(hash, out var known) && known.Owner.TryGetTarget(out var alive) && ReferenceEquals(alive, owner)) return;
            Sources[hash] = (new WeakReference<object>(owner), range.Item1, range.Item2);
        }
    }

    static ReadOnlyMemory<char>? Source(string hash)
    {
        lock (Gate)
        {
            if (!Sources.TryGetValue(hash, out var source)) return null;
            if (!source.Owner.TryGetTarget(out var owner))
            {
                Sources.Remove(hash); // its transformer is gone: nothing left to reload from
                return null;
            }
            return owner switch
            {
                string text => text.AsMemory(source.Start, source.Length),
                char[] array => new ReadOnlyMemory<char>(array, source.Start, source.Length),
                _ => null,
            };
        }
    }

    /// <summary>
    /// Makes sure the payload's model is cached and returns its hash. Each payload text is verified once per process
    /// even when a model of that hash is already cached, so a tampered copy behind a valid header never goes unnoticed.
    /// </summary>
    internal static string Ensure(ReadOnlyMemory<char> payload)
    {
        var verified = VerifiedRanges(payload, out var range);
        if (verified is null || !verified.ContainsKey(range))
        {
            ModelPayload.Verify(payload.Span);
            verified?.TryAdd(range, true);
        }
        using var lease = Acquire(payload);
        return lease.Hash;
    }

    // Payload texts already verified: per string or array holding them (weakly, so nothing leaks), the verified ranges.
    static readonly ConditionalWeakTable<object, ConcurrentDictionary<(int Start, int Length), bool>> Verified = new();

    static ConcurrentDictionary<(int Start, int Length), bool>? VerifiedRanges(ReadOnlyMemory<char> payload, out (int, int) range)
    {
        object? owner = null;
        range = (0, payload.Length);
        if (MemoryMarshal.TryGetString(payload, out string? text, out int start, out int length)) (owner, range) = (text, (start, length));
        else if (MemoryMarshal.TryGetArray(payload, out ArraySegment<char> segment)) (owner, range) = (segment.Array, (segment.Offset, segment.Count));
        return owner is null ? null : Verified.GetValue(owner, _ => new());
    }

    static StoryModelLease AcquireCore(string hash, Func<StoryModel> decode, bool owned = false)
    {
        Entry entry;
        lock (Gate)
        {
            if (!Entries.TryGetValue(hash, out entry!))
            {
                entry = new Entry(hash, decode);
                Entries.Add(hash, entry);
            }
            entry.Leases++;
            if (owned) entry.Owners++;
        }
        try
        {
            return new StoryModelLease(entry.Hash, entry.Model.Value, () => Release(entry, owned));
        }
        catch
        {
            // A failed decode must not poison the cache: drop the entry so the error is reported again next time.
            lock (Gate)
            {
                entry.Leases--;
                if (owned) entry.Owners--;
                if (Entries.TryGetValue(hash, out var current) && ReferenceEquals(current, entry)) Entries.Remove(hash);
            }
            throw;
        }
    }

    static void Release(Entry entry, bool owned)
    {
        lock (Gate)
        {
            entry.Leases--;
            if (owned && --entry.Owners == 0 && !entry.Evicted)
            {
                if (Entries.TryGetValue(entry.Hash, out var current) && ReferenceEquals(current, entry)) Entries.Remove(entry.Hash);
                entry.Evicted = true;
            }
            if (!entry.Evicted || entry.Leases > 0) return;
        }
        DisposeModel(entry);
    }

    static void DisposeModel(Entry entry)
    {
        if (entry.Model.IsValueCreated) entry.Model.Value.Dispose();
    }
}

/// <summary>The right to use a cached model until disposed (eviction waits for it).</summary>
internal sealed class StoryModelLease(string hash, StoryModel model, Action release) : IDisposable
{
    int _released;
    public string Hash { get; } = hash;
    public StoryModel Model { get; } = model;
    public void Dispose() { if (Interlocked.Exchange(ref _released, 1) == 0) release(); }
}
