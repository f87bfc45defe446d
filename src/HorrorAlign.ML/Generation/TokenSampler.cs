namespace HorrorAlign.ML.Generation;

/// <summary>
/// Chooses the next token from one position's logits, on the CPU: repetition penalty → n-gram ban → temperature →
/// top-k → top-p → a seeded draw. Holds the per-sequence state (its <see cref="Random"/> and the tokens generated so
/// far), so use one sampler per generated sequence; nothing is shared between samplers, hence threads never influence
/// each other.
/// </summary>
internal sealed class TokenSampler
{
    // Top-p first looks at this many best tokens; a trained model's nucleus almost always fits, so no full sort.
    private const int InitialNucleusWindow = 64;

    private readonly SamplingOptions options;
    private readonly Random random;
    private readonly bool[] generated;
    private readonly List<int> generatedIds = [];
    private readonly List<int> sequence = [];
    private readonly List<(int Id, float Logit)> banned = [];
    private readonly float[] weights;
    private readonly int[] order;
    private readonly long[] sortKeys;

    /// <summary>Creates a sampler for a vocabulary of <paramref name="vocabSize"/> ids, seeded with <see cref="SamplingOptions.Seed"/>.</summary>
    public TokenSampler(SamplingOptions options, int vocabSize)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabSize);
        this.options = options;
        random = new Random(options.Seed); // a seeded System.Random is the same sequence on every run and platform
        generated = new bool[vocabSize];
        weights = new float[vocabSize];
        order = new int[vocabSize];
        sortKeys = new long[vocabSize];
    }

    /// <summary>
    /// Picks the next token from <paramref name="logits"/> (length = vocabulary size; modified in place by the
    /// repetition penalty) and records it as generated.
    /// </summary>
    /// <exception cref="InvalidOperationException">The logits are NaN or all -∞.</exception>
    public int Next(Span<float> logits)
    {
        if (logits.Length != weights.Length)
            throw new ArgumentException($"Expected {weights.Length} logits, got {logits.Length}.", nameof(logits));

        ApplyRepetitionPenalty(logits);
        BanRepeatedNGrams(logits);
        int token = options.Temperature == 0 ? ArgMax(logits) : Draw(logits);
        Observe(token);
        return token;
    }

    /// <summary>Records <paramref name="token"/> as generated without drawing it (a response begun earlier and now
    /// continued), so the repetition penalty and the n-gram ban see it.</summary>
    public void Observe(int token)
    {
        if ((uint)token >= (uint)generated.Length)
            throw new ArgumentOutOfRangeException(nameof(token), token, $"Outside the vocabulary [0, {generated.Length}).");
        sequence.Add(token);
        if (!generated[token])
        {
            generated[token] = true;
            generatedIds.Add(token);
        }
    }

    /// <summary>
    /// The nucleus (top-p) filter on a probability vector, exactly as golden top_p.json: sort descending (ties keep
    /// index order), keep the shortest prefix whose cumulative probability reaches <paramref name="topP"/> (the token
    /// that crosses the threshold is kept; all tokens when it is never reached). Returns the kept indices, most likely
    /// first. Same code path as sampling.
    /// </summary>
    public static int[] NucleusKeptIndices(ReadOnlySpan<float> probs, double topP)
    {
        if (!(topP > 0 && topP <= 1)) throw new ArgumentOutOfRangeException(nameof(topP), topP, "topP must be in (0, 1].");
        double total = 0;
        foreach (float p in probs)
        {
            if (!(p >= 0) || float.IsInfinity(p)) throw new ArgumentException($"Probabilities must be finite and non-negative (got {p}).", nameof(probs));
            total += p;
        }
        var order = new int[probs.Length];
        int kept = Nucleus(probs, order, new long[probs.Length], total, topP);
        return order[..kept];
    }

    private void ApplyRepetitionPenalty(Span<float> logits)
    {
        if (options.RepetitionPenalty == 1) return;
        float penalty = (float)options.RepetitionPenalty;
        foreach (int id in generatedIds)
            logits[id] = logits[id] > 0 ? logits[id] / penalty : logits[id] * penalty;
    }

    /// <summary>
    /// Excludes every token that would make the last <see cref="SamplingOptions.NoRepeatNGramSize"/> generated tokens
    /// repeat an earlier n-gram: wherever the latest n-1 tokens occurred before, the token that followed them there is
    /// banned. O(length · n) per step, nothing next to a model step.
    /// </summary>
    private void BanRepeatedNGrams(Span<float> logits)
    {
        int n = options.NoRepeatNGramSize;
        int count = sequence.Count;
        if (n == 0 || count < n - 1) return;
        var tokens = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(sequence);
        var suffix = tokens[(count - (n - 1))..];
        banned.Clear();
        for (int start = 0; start + n - 1 < count; start++)
        {
            int next = tokens[start + n - 1];
            if (tokens.Slice(start, n - 1).SequenceEqual(suffix) && !float.IsNegativeInfinity(logits[next]))
            {
                banned.Add((next, logits[next]));
                logits[next] = float.NegativeInfinity;
            }
        }
        if (banned.Count == 0) return;
        foreach (float l in logits) if (l > float.NegativeInfinity || float.IsNaN(l)) return;
        foreach (var (id, logit) in banned) logits[id] = logit; // every token is banned: a repeat beats no token at all
    }

    private int Draw(ReadOnlySpan<float> logits)
    {
        // Softmax weights exp((l - max)/T), left unnormalised: the filters compare against fractions of the total.
        float max = float.NegativeInfinity;
        foreach (float l in logits) if (l > max || float.IsNaN(l)) max = l;
        if (!float.IsFinite(max)) throw new InvalidOperationException($"Cannot sample: the logits contain NaN or infinity (max {max}).");
        float inverseTemperature = (float)(1.0 / options.Temperature);
        double total = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            float w = MathF.Exp((logits[i] - max) * inverseTemperature);
            weights[i] = w;
            total += w;
        }

        int vocab = weights.Length;
        bool topK = options.TopK > 0 && options.TopK < vocab;
        bool topP = options.TopP < 1;
        if (!topK && !topP) return DrawFrom(weights, null, vocab, total);

        int count;
        if (topK)
        {
            count = TopSelection.Select(weights, options.TopK, order);
            if (topP)
            {
                // Top-p acts on the top-k distribution renormalised, as in Hugging Face.
                double kept = 0;
                for (int i = 0; i < count; i++) kept += weights[order[i]];
                int nucleus = TopSelection.NucleusLength(weights, order, count, options.TopP * kept);
                if (nucleus > 0) count = nucleus;
            }
        }
        else
        {
            count = Nucleus(weights, order, sortKeys, total, options.TopP);
        }

        double mass = 0;
        for (int i = 0; i < count; i++) mass += weights[order[i]];
        return DrawFrom(weights, order, count, mass);
    }

    /// <summary>Nucleus over unnormalised weights; writes the kept indices (best first) to order and returns their number.</summary>
    private static int Nucleus(ReadOnlySpan<float> weights, int[] order, long[] sortKeys, double total, double topP)
    {
        // A trained model's nucleus almost always lies within its best few dozen tokens: look there first (partial
        // selection); only a flat distribution needs the full (stable) sort.
        int window = Math.Min(InitialNucleusWindow, weights.Length);
        int count = TopSelection.Select(weights, window, order);
        int nucleus = TopSelection.NucleusLength(weights, order, count, topP * total);
        if (nucleus > 0) return nucleus;
        if (count == weights.Length) return count; // rounding left the sum just short of the threshold: keep all

        TopSelection.SortAll(weights, order, sortKeys);
        nucleus = TopSelection.NucleusLength(weights, order, weights.Length, topP * total);
        return nucleus > 0 ? nucleus : weights.Length;
    }

    /// <summary>Draws index order[i] (or i when order is null), i &lt; count, with probability weight / mass.</summary>
    private int DrawFrom(ReadOnlySpan<float> w, int[]? order, int count, double mass)
    {
        double r = random.NextDouble() * mass;
        double cumulative = 0;
        for (int i = 0; i < count; i++)
        {
            int id = order is null ? i : order[i];
            cumulative += w[id];
            if (r < cumulative) return id;
        }
        // r fell in the rounding gap at the very end: take the last token with weight.
        for (int i = count - 1; i >= 0; i--)
        {
            int id = order is null ? i : order[i];
            if (w[id] > 0) return id;
        }
        return order is null ? 0 : order[0];
    }

    private static int ArgMax(ReadOnlySpan<float> logits)
    {
        int best = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            if (float.IsNaN(logits[i])) throw new InvalidOperationException("Cannot pick a token: the logits contain NaN.");
            if (logits[i] > logits[best]) best = i; // ties keep the lowest id, like torch.argmax
        }
        return best;
    }
}
