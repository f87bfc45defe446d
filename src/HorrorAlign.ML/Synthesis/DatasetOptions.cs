using HorrorAlign.ML.Data;

namespace HorrorAlign.ML.Synthesis;

/// <summary>Options of <see cref="Dataset.Generate"/>. Defaults are the default run's data (<c>RunOptions.Default</c>):
/// 3,072 SFT stories, 128 preference pairs for training, half of both built from fresh values, and 15 % of every value
/// pool held out.</summary>
public sealed record DatasetOptions
{
    /// <summary>Seed of every draw: value split, specs, templates, pair kinds. Same seed, same files, byte for byte.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>SFT training examples.</summary>
    public int SftTrainSize { get; init; } = 3072;

    /// <summary>SFT validation examples.</summary>
    public int SftValidationSize { get; init; } = 64;

    /// <summary>SFT test examples.</summary>
    public int SftTestSize { get; init; } = 64;

    /// <summary>Preference training pairs.</summary>
    public int PrefTrainSize { get; init; } = 128;

    /// <summary>Preference validation pairs.</summary>
    public int PrefValidationSize { get; init; } = 64;

    /// <summary>Preference test pairs.</summary>
    public int PrefTestSize { get; init; } = 128;

    /// <summary>Share of every value pool held out of training/validation/test (see <see cref="ValuePools.Split"/>);
    /// 0 disables holding out (then <see cref="Dataset.HeldOutSpecs"/> is empty).</summary>
    public double HeldOutFraction { get; init; } = 0.15;

    /// <summary>Number of held-out specs to draw for generalization tests.</summary>
    public int HeldOutSpecCount { get; init; } = 256;

    /// <summary>Mix of preference pair kinds (default: contrastive 1/8, the seven hard kinds sharing the rest).</summary>
    public PairKindMix PairKinds { get; init; } = PairKindMix.Default;

    /// <summary>
    /// Share of SFT training rows and preference training pairs whose spec is built from fresh, combinatorially
    /// generated values (<see cref="FreshValues.Spec"/>) instead of the training pools, so a model cannot memorise the
    /// pools' names, objects, taboos and twists and must copy them from the prompt. Fresh values never equal a pool
    /// value, held-out ones included. Validation, test and held-out specs always come from the pools. 0 leaves generation
    /// exactly as without this option. Default 0.5.
    /// </summary>
    public double FreshValueShare { get; init; } = 0.5;

    /// <summary>Value pools to draw from (default: <see cref="ValuePools.Default"/>). Not part of the JSON form: code sets it.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    internal ValuePools? Pools { get; init; }

    /// <summary>Largest split size (1,000,000 rows): a split is built in memory, a few KB a row, so this caps one at a
    /// few GB; an unbounded size ran out of memory instead of failing by name.</summary>
    public const int MaxSplitSize = 1_000_000;

    /// <summary>Largest <see cref="HeldOutSpecCount"/> (100,000): held-out specs are an evaluation set, written a story
    /// each, and drawn from small held-out pools.</summary>
    public const int MaxHeldOutSpecCount = 100_000;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative or above <see cref="MaxSplitSize"/> (held-out
    /// specs: <see cref="MaxHeldOutSpecCount"/>), the held-out fraction is outside [0, 1) or the
    /// fresh-value share outside [0, 1]; names the property.</exception>
    public DatasetOptions Validate()
    {
        foreach (var (name, value) in new[]
        {
            (nameof(SftTrainSize), SftTrainSize), (nameof(SftValidationSize), SftValidationSize), (nameof(SftTestSize), SftTestSize),
            (nameof(PrefTrainSize), PrefTrainSize), (nameof(PrefValidationSize), PrefValidationSize), (nameof(PrefTestSize), PrefTestSize),
            (nameof(HeldOutSpecCount), HeldOutSpecCount),
        })
        {
            int max = name == nameof(HeldOutSpecCount) ? MaxHeldOutSpecCount : MaxSplitSize;
            if (value < 0 || value > max)
                throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, {max:N0}] (got {value:N0}).");
        }
        if (!(HeldOutFraction >= 0 && HeldOutFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(HeldOutFraction), HeldOutFraction, "HeldOutFraction must be in [0, 1).");
        if (HeldOutFraction == 0 && HeldOutSpecCount > 0)
            throw new ArgumentOutOfRangeException(nameof(HeldOutSpecCount), HeldOutSpecCount, "HeldOutSpecCount must be 0 when HeldOutFraction is 0.");
        if (!(FreshValueShare >= 0 && FreshValueShare <= 1))
            throw new ArgumentOutOfRangeException(nameof(FreshValueShare), FreshValueShare, "FreshValueShare must be in [0, 1].");
        ArgumentNullException.ThrowIfNull(PairKinds, nameof(PairKinds));
        return this;
    }
}
