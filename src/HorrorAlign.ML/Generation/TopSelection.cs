namespace HorrorAlign.ML.Generation;

/// <summary>
/// Partial selection of the largest weights, in the order a STABLE descending sort would give (equal weights keep
/// index order). Top-k and top-p need only the head of that order; a bounded heap finds the m best of V weights in
/// O(V log m) instead of sorting all V every token.
/// </summary>
internal static class TopSelection
{
    /// <summary>
    /// Writes the indices of the <paramref name="m"/> best weights to <paramref name="result"/>[0..m), best first, and
    /// returns m (clamped to the number of weights).
    /// </summary>
    internal static int Select(ReadOnlySpan<float> weights, int m, int[] result)
    {
        m = Math.Min(m, weights.Length);
        if (m <= 0) return 0;

        // Heap of the m best seen so far with the WORST at the root, so a newcomer only has to beat the root.
        int size = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            if (size < m)
            {
                result[size] = i;
                SiftUp(weights, result, size++);
            }
            else if (Worse(weights, result[0], i))
            {
                result[0] = i;
                SiftDown(weights, result, 0, size);
            }
        }

        // Heap-sort in place: moving the worst to the back repeatedly leaves the best at the front.
        for (int end = size - 1; end > 0; end--)
        {
            (result[0], result[end]) = (result[end], result[0]);
            SiftDown(weights, result, 0, end);
        }
        return size;
    }

    /// <summary>
    /// All indices in stable descending order of their NON-NEGATIVE weights, via one sort of packed 64-bit keys (the
    /// weight's bits, which order like the weight for non-negative floats, inverted so larger comes first, then the
    /// index): a primitive sort, several times faster than the heap when every index is needed.
    /// </summary>
    internal static void SortAll(ReadOnlySpan<float> weights, int[] result, long[] keys)
    {
        int n = weights.Length;
        for (int i = 0; i < n; i++)
            keys[i] = ((long)(int.MaxValue - BitConverter.SingleToInt32Bits(weights[i])) << 32) | (uint)i;
        Array.Sort(keys, 0, n);
        for (int i = 0; i < n; i++) result[i] = (int)(keys[i] & 0xFFFFFFFF);
    }

    /// <summary>
    /// The nucleus: the length of the shortest prefix of <paramref name="sorted"/>[0..count) whose cumulative weight
    /// reaches <paramref name="threshold"/> (the crossing index is kept), or 0 when the prefix never reaches it.
    /// </summary>
    internal static int NucleusLength(ReadOnlySpan<float> weights, int[] sorted, int count, double threshold)
    {
        double cumulative = 0;
        for (int i = 0; i < count; i++)
        {
            cumulative += weights[sorted[i]];
            if (cumulative >= threshold) return i + 1;
        }
        return 0;
    }

    /// <summary>a ranks below b: smaller weight, or equal weight and larger index.</summary>
    private static bool Worse(ReadOnlySpan<float> w, int a, int b) => w[a] < w[b] || (w[a] == w[b] && a > b);

    private static void SiftUp(ReadOnlySpan<float> w, int[] heap, int i)
    {
        while (i > 0)
        {
            int parent = (i - 1) / 2;
            if (!Worse(w, heap[i], heap[parent])) return;
            (heap[i], heap[parent]) = (heap[parent], heap[i]);
            i = parent;
        }
    }

    private static void SiftDown(ReadOnlySpan<float> w, int[] heap, int i, int size)
    {
        while (true)
        {
            int left = 2 * i + 1, right = left + 1, worst = i;
            if (left < size && Worse(w, heap[left], heap[worst])) worst = left;
            if (right < size && Worse(w, heap[right], heap[worst])) worst = right;
            if (worst == i) return;
            (heap[i], heap[worst]) = (heap[worst], heap[i]);
            i = worst;
        }
    }
}
