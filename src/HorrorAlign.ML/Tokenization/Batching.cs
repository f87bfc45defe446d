using HorrorAlign.ML.Data;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Tokenization;

/// <summary>Shuffling and padding of encoded examples.</summary>
internal static class Batching
{
    /// <summary>
    /// A permutation of 0..count-1 from System.Random(seed) (Fisher–Yates). Seeded System.Random is a fixed algorithm,
    /// so the order is the same on every machine and after a resume (epoch e uses seed + e).
    /// </summary>
    public static int[] Permutation(int count, int seed) => Shuffle.Permutation(count, new Random(seed));

    /// <summary>
    /// Right-pads rows with id 0 and mask 0 to the LONGEST row of this batch (not to the context length: short batches
    /// stay cheap). Padding sits after every real token, so under causal attention it never changes a real position.
    /// Returns ids [B,W] int64 and the loss mask [B,W] float32 (1 at supervised target tokens).
    /// </summary>
    public static (Tensor Ids, Tensor LossMask) Pad(IReadOnlyList<EncodedExample> rows)
    {
        if (rows.Count == 0) throw new ArgumentException("A batch needs at least one row.", nameof(rows));
        int width = 0;
        foreach (var r in rows) width = Math.Max(width, r.Ids.Length);
        var ids = new long[rows.Count * width];
        var mask = new float[rows.Count * width];
        for (int b = 0; b < rows.Count; b++)
        {
            var row = rows[b];
            int offset = b * width;
            for (int t = 0; t < row.Ids.Length; t++) ids[offset + t] = row.Ids[t];
            row.LossMask.CopyTo(mask, offset);
        }
        return (tensor(ids, new long[] { rows.Count, width }), tensor(mask, new long[] { rows.Count, width }));
    }
}
