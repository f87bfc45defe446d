using HorrorAlign.ML.Data;

namespace HorrorAlign.ML.Synthesis;

/// <summary>
/// Relative weights of the template <see cref="PairKind"/>s (<see cref="PairKindExtensions.TemplateKinds"/>) in preference data. Each split gets its kinds by exact allocation
/// (largest remainder), not by independent draws, so even a 64-pair test split holds the intended mix.
/// </summary>
public sealed class PairKindMix
{
    // Indexed by the kind's value: the template kinds are the first values of PairKind (OnPolicy comes after them).
    private readonly double[] _weights;

    /// <summary>Creates a mix; kinds not listed get weight 0.</summary>
    /// <exception cref="ArgumentException">A kind is not a template kind, a weight is negative or not finite, or all are 0.</exception>
    public PairKindMix(IReadOnlyDictionary<PairKind, double> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        _weights = new double[PairKindExtensions.TemplateKinds.Count];
        foreach (var (kind, weight) in weights)
        {
            if (!Enum.IsDefined(kind)) throw new ArgumentException($"Unknown pair kind {(int)kind}.", nameof(weights));
            if (!kind.IsTemplate())
                throw new ArgumentException($"'{kind.ToName()}' pairs are mined from a model's stories, not written from templates: a mix weighs template kinds only.", nameof(weights));
            if (!double.IsFinite(weight) || weight < 0)
                throw new ArgumentException($"Weight of '{kind.ToName()}' must be finite and non-negative, got {weight}.", nameof(weights));
            _weights[(int)kind] = weight;
        }
        if (_weights.Sum() <= 0) throw new ArgumentException("At least one pair kind needs a positive weight.", nameof(weights));
    }

    /// <summary>Every kind with weight 1: contrastive pairs are 1/8 of the data, the seven hard kinds share the rest equally.</summary>
    public static PairKindMix Default { get; } = new(PairKindExtensions.TemplateKinds.ToDictionary(k => k, _ => 1.0));

    /// <summary>Only the seven hard kinds, equally.</summary>
    public static PairKindMix HardOnly { get; } = new(PairKindExtensions.TemplateKinds.Where(k => k.IsHard()).ToDictionary(k => k, _ => 1.0));

    /// <summary>A mix of a single kind.</summary>
    public static PairKindMix Only(PairKind kind) => new(new Dictionary<PairKind, double> { [kind] = 1.0 });

    /// <summary>The weight of <paramref name="kind"/> (0 for a kind that is not a template kind).</summary>
    public double Weight(PairKind kind) => kind.IsTemplate() ? _weights[(int)kind] : 0;

    /// <summary>The share of <paramref name="kind"/> (its weight over the sum).</summary>
    public double Share(PairKind kind) => Weight(kind) / _weights.Sum();

    /// <summary>
    /// Exactly <paramref name="count"/> kinds in these proportions, by the largest-remainder method (ties go to the
    /// earlier kind), listed in kind order; the caller shuffles them.
    /// </summary>
    public IReadOnlyList<PairKind> Allocate(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        double total = _weights.Sum();
        var quotas = _weights.Select(w => w / total * count).ToArray();
        var counts = quotas.Select(q => (int)Math.Floor(q)).ToArray();
        int left = count - counts.Sum();
        foreach (int k in Enumerable.Range(0, counts.Length).OrderByDescending(k => quotas[k] - counts[k]).ThenBy(k => k).Take(left))
            counts[k]++;
        var kinds = new List<PairKind>(count);
        for (int k = 0; k < counts.Length; k++) kinds.AddRange(Enumerable.Repeat(PairKindExtensions.TemplateKinds[k], counts[k]));
        return kinds;
    }

    /// <inheritdoc/>
    public override string ToString() => string.Join(", ", PairKindExtensions.TemplateKinds.Where(k => _weights[(int)k] > 0)
        .Select(k => k.ToName() + "=" + _weights[(int)k].ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
}
