namespace HorrorAlign.ML.Data;

/// <summary>The one Fisher–Yates shuffle: data splits, pool orders and training batches all draw their orders here.</summary>
internal static class Shuffle
{
    /// <summary>A permutation of 0..n-1 drawn from <paramref name="rng"/>. A seeded System.Random is a fixed algorithm,
    /// so the order is the same on every machine and .NET version.</summary>
    public static int[] Permutation(int n, Random rng)
    {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = n - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
