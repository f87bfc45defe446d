using HorrorAlign.ML.Specs;

namespace HorrorAlign.ML.Data;

/// <summary>
/// The values a story spec is drawn from, one pool per field (names serve both characters). <see cref="Default"/> holds
/// the built-in pools, far larger than the original's six-to-ten values per field.
/// <para>
/// Holding values out: <see cref="Split"/> deterministically moves a fraction of every pool into a second, disjoint
/// <see cref="PoolSplit.HeldOut"/> set. Training, validation and test specs are drawn from
/// <see cref="PoolSplit.Training"/> only, and <see cref="PoolSplit.GenerateHeldOutSpecs"/> draws specs whose every
/// field is a held-out value, so a model can be evaluated on titles, settings, names, objects, taboos and twists it
/// never saw in training.
/// </para>
/// </summary>
internal sealed class ValuePools
{
    /// <summary>Creates pools; values keep the given order (which, with the seed, fixes every draw).</summary>
    /// <exception cref="ArgumentException">A pool is empty (names: fewer than two), holds a duplicate, or a value is
    /// not a valid spec field value (blank, untrimmed, multi-line or too long).</exception>
    public ValuePools(IEnumerable<string> titles, IEnumerable<string> settings, IEnumerable<string> names,
        IEnumerable<string> objects, IEnumerable<string> taboos, IEnumerable<string> twists)
    {
        Titles = Check("titles", titles, 1);
        Settings = Check("settings", settings, 1);
        Names = Check("names", names, 2);
        Objects = Check("objects", objects, 1);
        Taboos = Check("taboos", taboos, 1);
        Twists = Check("twists", twists, 1);
        Values = [.. Titles, .. Settings, .. Names, .. Objects, .. Taboos, .. Twists];
    }

    /// <summary>The built-in pools: 64 titles, 62 settings, 228 first names, 66 objects, 54 taboos and 54 twists.</summary>
    public static ValuePools Default { get; } = new(DefaultValues.Titles, DefaultValues.Settings, DefaultValues.Names,
        DefaultValues.Objects, DefaultValues.Taboos, DefaultValues.Twists);

    /// <summary>Every value of the built-in pools (training and held-out alike), e.g. to build a compact vocabulary that
    /// covers held-out specs too.</summary>
    public static IReadOnlyList<string> AllValues => Default.Values;

    /// <summary>Titles, in Title Case.</summary>
    public IReadOnlyList<string> Titles { get; }

    /// <summary>Settings: noun phrases with their article that read well after "in".</summary>
    public IReadOnlyList<string> Settings { get; }

    /// <summary>First names, used for both the protagonist and the supporting character.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Important objects: noun phrases with their article.</summary>
    public IReadOnlyList<string> Objects { get; }

    /// <summary>Taboo rules: imperatives such as "never answer knocks after 2 a.m.".</summary>
    public IReadOnlyList<string> Taboos { get; }

    /// <summary>Twists: clauses such as "the sound is coming from inside the walls".</summary>
    public IReadOnlyList<string> Twists { get; }

    /// <summary>All values of these pools, pool after pool.</summary>
    public IReadOnlyList<string> Values { get; }

    private IReadOnlyList<string>[] PoolsInOrder => [Titles, Settings, Names, Objects, Taboos, Twists];
    private static readonly string[] PoolNames = ["titles", "settings", "names", "objects", "taboos", "twists"];

    private static string[] Check(string pool, IEnumerable<string> values, int minimum)
    {
        ArgumentNullException.ThrowIfNull(values, pool);
        string[] array = [.. values];
        if (array.Length < minimum)
            throw new ArgumentException($"Pool '{pool}' needs at least {minimum} value(s), got {array.Length}.", pool);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (string value in array)
        {
            if (string.IsNullOrWhiteSpace(value) || value.Trim().Length != value.Length || value.Any(char.IsControl) ||
                value.Length > StorySpec.MaxFieldLength)
                throw new ArgumentException($"Pool '{pool}' holds an invalid value '{value}': values must be non-blank, " +
                    $"trimmed, single-line and at most {StorySpec.MaxFieldLength} characters.", pool);
            if (!seen.Add(value)) throw new ArgumentException($"Pool '{pool}' holds '{value}' twice.", pool);
        }
        return array;
    }

    /// <summary>
    /// Splits every pool into training and held-out values. For each pool in the fixed order titles, settings, names,
    /// objects, taboos, twists, the indices are shuffled with one <see cref="Random"/>(<paramref name="seed"/>) and the
    /// first <c>round(fraction × size)</c> (at least 1, names at least 2, always leaving as many for training) go to
    /// the held-out pools. Both halves keep the original value order, so the split depends only on the pools, the
    /// fraction and the seed.
    /// </summary>
    /// <param name="heldOutFraction">Share of each pool to hold out, strictly between 0 and 1.</param>
    /// <param name="seed">Seed of the shuffle.</param>
    public PoolSplit Split(double heldOutFraction, int seed)
    {
        if (!(heldOutFraction > 0 && heldOutFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(heldOutFraction), heldOutFraction, "The held-out fraction must be strictly between 0 and 1.");
        var rng = new Random(seed);
        var training = new List<string>[6];
        var heldOut = new List<string>[6];
        var pools = PoolsInOrder;
        for (int p = 0; p < pools.Length; p++)
        {
            var pool = pools[p];
            int minimum = ReferenceEquals(pool, Names) ? 2 : 1;
            if (pool.Count < 2 * minimum)
                throw new InvalidOperationException($"Pool '{PoolNames[p]}' has {pool.Count} values: too few to hold any out.");
            int take = (int)Math.Round(heldOutFraction * pool.Count, MidpointRounding.AwayFromZero);
            take = Math.Clamp(take, minimum, pool.Count - minimum);
            int[] order = Shuffle.Permutation(pool.Count, rng);
            var held = new bool[pool.Count];
            for (int i = 0; i < take; i++) held[order[i]] = true;
            training[p] = [];
            heldOut[p] = [];
            for (int i = 0; i < pool.Count; i++) (held[i] ? heldOut[p] : training[p]).Add(pool[i]);
        }
        return new PoolSplit(FromLists(training), FromLists(heldOut));
    }

    private static ValuePools FromLists(List<string>[] p) => new(p[0], p[1], p[2], p[3], p[4], p[5]);


    /// <summary>Draws one spec, every field uniformly from its pool; the supporting character is drawn from the names
    /// other than the protagonist. The draws happen in a fixed order, so a seeded <paramref name="rng"/> gives the
    /// same spec everywhere.</summary>
    public StorySpec SampleSpec(Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        string title = Titles[rng.Next(Titles.Count)];
        string setting = Settings[rng.Next(Settings.Count)];
        int p = rng.Next(Names.Count);
        int s = rng.Next(Names.Count - 1);
        if (s >= p) s++;
        string obj = Objects[rng.Next(Objects.Count)];
        string taboo = Taboos[rng.Next(Taboos.Count)];
        string twist = Twists[rng.Next(Twists.Count)];
        return new StorySpec(title, setting, Names[p], Names[s], obj, taboo, twist);
    }

    /// <summary>Draws <paramref name="count"/> distinct specs (distinct prompts) with <see cref="Random"/>(<paramref name="seed"/>).</summary>
    /// <exception cref="InvalidOperationException">The pools are too small to yield that many distinct specs.</exception>
    public IReadOnlyList<StorySpec> GenerateSpecs(int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var rng = new Random(seed);
        var seen = new HashSet<StorySpec>();
        var specs = new List<StorySpec>(count);
        for (int attempts = 0; specs.Count < count; attempts++)
        {
            if (attempts > 100 * count + 1000)
                throw new InvalidOperationException($"Could only draw {specs.Count} distinct specs of {count} requested: the pools are too small.");
            var spec = SampleSpec(rng);
            if (seen.Add(spec)) specs.Add(spec);
        }
        return specs;
    }

    /// <summary>True when every field of <paramref name="spec"/> is a value of the matching pool (ordinal comparison).</summary>
    public bool Covers(StorySpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Titles.Contains(spec.Title, StringComparer.Ordinal) && Settings.Contains(spec.Setting, StringComparer.Ordinal) &&
            Names.Contains(spec.Protagonist, StringComparer.Ordinal) && Names.Contains(spec.SupportingCharacter, StringComparer.Ordinal) &&
            Objects.Contains(spec.Object, StringComparer.Ordinal) && Taboos.Contains(spec.Taboo, StringComparer.Ordinal) &&
            Twists.Contains(spec.Twist, StringComparer.Ordinal);
    }
}

/// <summary>The result of <see cref="ValuePools.Split"/>: disjoint training and held-out pools.</summary>
/// <param name="Training">Values that training, validation and test specs use.</param>
/// <param name="HeldOut">Values reserved for generalization tests; no training/validation/test spec uses any of them.</param>
internal sealed record PoolSplit(ValuePools Training, ValuePools HeldOut)
{
    /// <summary>Draws <paramref name="count"/> distinct specs from the held-out values only.</summary>
    public IReadOnlyList<StorySpec> GenerateHeldOutSpecs(int count, int seed) => HeldOut.GenerateSpecs(count, seed);
}
