using HorrorAlign.ML.Data;
using HorrorAlign.ML.Specs;

namespace HorrorAlign.ML.Synthesis;

/// <summary>
/// The six splits of SFT and preference data (plus held-out specs for generalization tests). Prompts are pairwise
/// disjoint across all six sets; the constructor enforces it, so a dataset read from disk is checked too.
/// </summary>
public sealed class Dataset
{
    /// <summary>File of <see cref="SftTrain"/>.</summary>
    public const string SftTrainFile = "sft_train.jsonl";
    /// <summary>File of <see cref="SftValidation"/>.</summary>
    public const string SftValidationFile = "sft_val.jsonl";
    /// <summary>File of <see cref="SftTest"/>.</summary>
    public const string SftTestFile = "sft_test.jsonl";
    /// <summary>File of <see cref="PrefTrain"/>.</summary>
    public const string PrefTrainFile = "pref_train.jsonl";
    /// <summary>File of <see cref="PrefValidation"/>.</summary>
    public const string PrefValidationFile = "pref_val.jsonl";
    /// <summary>File of <see cref="PrefTest"/>.</summary>
    public const string PrefTestFile = "pref_test.jsonl";
    /// <summary>File of <see cref="HeldOutSpecs"/> (optional on reading).</summary>
    public const string HeldOutSpecsFile = "heldout_specs.jsonl";
    /// <summary>File written by <see cref="WriteStats(string, Func{string, int})"/>.</summary>
    public const string StatsFile = "stats.json";

    /// <summary>Every file <see cref="WriteTo"/> and <see cref="WriteStats(string, Func{string, int})"/> write.</summary>
    internal static IReadOnlyList<string> FileNames { get; } =
        [SftTrainFile, SftValidationFile, SftTestFile, PrefTrainFile, PrefValidationFile, PrefTestFile, HeldOutSpecsFile, StatsFile];

    /// <summary>Creates a dataset from its splits.</summary>
    /// <exception cref="InvalidDataException">A prompt occurs twice, within a set or across sets (held-out specs
    /// included); names both places.</exception>
    public Dataset(IReadOnlyList<SftExample> sftTrain, IReadOnlyList<SftExample> sftValidation, IReadOnlyList<SftExample> sftTest,
        IReadOnlyList<PreferencePair> prefTrain, IReadOnlyList<PreferencePair> prefValidation, IReadOnlyList<PreferencePair> prefTest,
        IReadOnlyList<StorySpec>? heldOutSpecs = null)
    {
        SftTrain = sftTrain ?? throw new ArgumentNullException(nameof(sftTrain));
        SftValidation = sftValidation ?? throw new ArgumentNullException(nameof(sftValidation));
        SftTest = sftTest ?? throw new ArgumentNullException(nameof(sftTest));
        PrefTrain = prefTrain ?? throw new ArgumentNullException(nameof(prefTrain));
        PrefValidation = prefValidation ?? throw new ArgumentNullException(nameof(prefValidation));
        PrefTest = prefTest ?? throw new ArgumentNullException(nameof(prefTest));
        HeldOutSpecs = heldOutSpecs ?? [];
        EnsureDisjointPrompts();
    }

    /// <summary>SFT training examples.</summary>
    public IReadOnlyList<SftExample> SftTrain { get; }
    /// <summary>SFT validation examples.</summary>
    public IReadOnlyList<SftExample> SftValidation { get; }
    /// <summary>SFT test examples.</summary>
    public IReadOnlyList<SftExample> SftTest { get; }
    /// <summary>Preference training pairs.</summary>
    public IReadOnlyList<PreferencePair> PrefTrain { get; }
    /// <summary>Preference validation pairs.</summary>
    public IReadOnlyList<PreferencePair> PrefValidation { get; }
    /// <summary>Preference test pairs.</summary>
    public IReadOnlyList<PreferencePair> PrefTest { get; }
    /// <summary>Specs drawn from held-out values only (see <see cref="ValuePools.Split"/>), for generalization tests.</summary>
    public IReadOnlyList<StorySpec> HeldOutSpecs { get; }

    /// <summary>The six sets and the held-out specs with their file names, in a fixed order.</summary>
    private IEnumerable<(string File, IEnumerable<(string Id, string Prompt)> Rows)> PromptSets =>
    [
        (SftTrainFile, SftTrain.Select(r => (r.Id, r.Prompt))), (SftValidationFile, SftValidation.Select(r => (r.Id, r.Prompt))),
        (SftTestFile, SftTest.Select(r => (r.Id, r.Prompt))), (PrefTrainFile, PrefTrain.Select(r => (r.Id, r.Prompt))),
        (PrefValidationFile, PrefValidation.Select(r => (r.Id, r.Prompt))), (PrefTestFile, PrefTest.Select(r => (r.Id, r.Prompt))),
        (HeldOutSpecsFile, HeldOutSpecs.Select(s => (s.Id ?? "", s.ToPrompt()))),
    ];

    private void EnsureDisjointPrompts()
    {
        var firstSeen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (file, rows) in PromptSets)
        {
            int row = 0;
            foreach (var (id, prompt) in rows)
            {
                row++;
                string here = $"{file} row {row} (id '{id}')";
                if (!firstSeen.TryAdd(prompt, here))
                    throw new InvalidDataException($"Prompts must be disjoint across all splits: {here} repeats the prompt of {firstSeen[prompt]}.");
            }
        }
    }

    /// <summary>
    /// Generates a dataset. Values are split into training and held-out pools (<see cref="DatasetOptions.HeldOutFraction"/>);
    /// every row's spec is drawn from the training pools (or, for a <see cref="DatasetOptions.FreshValueShare"/> of the
    /// training rows, built from fresh values), its prompt never seen before in any split. SFT rows get a
    /// chosen story; preference splits get their kinds allocated exactly by <see cref="DatasetOptions.PairKinds"/>
    /// (then shuffled), and each pair is verified by the checks (see <see cref="StoryWriter.TryWritePair"/>); a spec
    /// that cannot yield a valid pair of its kind is skipped for the next draw. All draws come from one
    /// <see cref="Random"/>(<see cref="DatasetOptions.Seed"/>) in a fixed order, so output is identical across runs and
    /// machines.
    /// </summary>
    /// <exception cref="InvalidOperationException">The pools cannot supply enough distinct valid specs.</exception>
    public static Dataset Generate(DatasetOptions? options = null)
    {
        options = (options ?? new DatasetOptions()).Validate();
        var pools = options.Pools ?? ValuePools.Default;
        PoolSplit? split = options.HeldOutFraction > 0 ? pools.Split(options.HeldOutFraction, options.Seed) : null;
        var training = split?.Training ?? pools;
        // Wrong-character names come from the training names; the checks know every name, held-out ones too.
        var writer = new StoryWriter(training, knownNames: pools.Names);
        var rng = new Random(options.Seed);
        var usedPrompts = new HashSet<string>(StringComparer.Ordinal);
        int budget = 100 * (options.SftTrainSize + options.SftValidationSize + options.SftTestSize +
            options.PrefTrainSize + options.PrefValidationSize + options.PrefTestSize) + 1000;

        // Fresh values must never coincide with a pool value, held-out ones included.
        var poolValues = new HashSet<string>(pools.Values, StringComparer.OrdinalIgnoreCase);

        // Draws a spec whose prompt no split has used yet; the prompt is reserved even when the caller then fails to
        // write it, so it can never turn up in a later split either. With a fresh share, one extra draw per spec
        // decides between fresh values and the training pools; with share 0 no extra number is drawn, so the output
        // stays byte-identical to generation without the option.
        (StorySpec Spec, string Prompt) NextSpec(double freshShare)
        {
            while (budget-- > 0)
            {
                bool fresh = freshShare > 0 && rng.NextDouble() < freshShare;
                var spec = fresh ? FreshValues.Spec(rng, poolValues) : training.SampleSpec(rng);
                string prompt = spec.ToPrompt();
                if (usedPrompts.Add(prompt)) return (spec, prompt);
            }
            throw new InvalidOperationException("The value pools cannot supply enough distinct specs for the requested split sizes.");
        }

        List<SftExample> Sft(string idPrefix, int size, double freshShare = 0)
        {
            var rows = new List<SftExample>(size);
            while (rows.Count < size)
            {
                var (spec, prompt) = NextSpec(freshShare);
                if (writer.TryWriteChosen(spec, rng, out string? story))
                    rows.Add(new SftExample($"{idPrefix}-{rows.Count + 1:D4}", prompt, story, spec));
            }
            return rows;
        }

        List<PreferencePair> Pref(string idPrefix, int size, double freshShare = 0)
        {
            var kinds = options.PairKinds.Allocate(size);
            int[] order = Shuffle.Permutation(kinds.Count, rng);
            var rows = new List<PreferencePair>(size);
            foreach (int k in order)
            {
                var kind = kinds[k];
                while (true)
                {
                    var (spec, prompt) = NextSpec(freshShare);
                    if (!writer.TryWritePair(spec, kind, rng, out string? chosen, out string? rejected)) continue;
                    rows.Add(new PreferencePair($"{idPrefix}-{rows.Count + 1:D4}", prompt, chosen, rejected, kind, spec));
                    break;
                }
            }
            return rows;
        }

        var sftTrain = Sft("sft-train", options.SftTrainSize, options.FreshValueShare);
        var sftValidation = Sft("sft-val", options.SftValidationSize);
        var sftTest = Sft("sft-test", options.SftTestSize);
        var prefTrain = Pref("pref-train", options.PrefTrainSize, options.FreshValueShare);
        var prefValidation = Pref("pref-val", options.PrefValidationSize);
        var prefTest = Pref("pref-test", options.PrefTestSize);
        var heldOut = split is null
            ? []
            : split.GenerateHeldOutSpecs(options.HeldOutSpecCount, options.Seed).Select((s, i) => s with { Id = $"heldout-{i + 1:D4}" }).ToList();
        return new Dataset(sftTrain, sftValidation, sftTest, prefTrain, prefValidation, prefTest, heldOut);
    }

    /// <summary>Writes the six JSONL files (and <see cref="HeldOutSpecsFile"/>) into <paramref name="directory"/>, each atomically.</summary>
    public void WriteTo(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        Directory.CreateDirectory(directory);
        SftExample.WriteJsonl(Path.Combine(directory, SftTrainFile), SftTrain);
        SftExample.WriteJsonl(Path.Combine(directory, SftValidationFile), SftValidation);
        SftExample.WriteJsonl(Path.Combine(directory, SftTestFile), SftTest);
        PreferencePair.WriteJsonl(Path.Combine(directory, PrefTrainFile), PrefTrain);
        PreferencePair.WriteJsonl(Path.Combine(directory, PrefValidationFile), PrefValidation);
        PreferencePair.WriteJsonl(Path.Combine(directory, PrefTestFile), PrefTest);
        StorySpecFile.Write(Path.Combine(directory, HeldOutSpecsFile), HeldOutSpecs);
    }

    /// <summary>Reads a dataset written by <see cref="WriteTo"/>; <see cref="HeldOutSpecsFile"/> is optional.</summary>
    /// <exception cref="FileNotFoundException">One of the six split files is missing.</exception>
    /// <exception cref="FormatException">A malformed row; the message names file and line.</exception>
    /// <exception cref="InvalidDataException">Prompts repeat across splits, or <see cref="SftTrainFile"/> holds no example.</exception>
    public static Dataset ReadFrom(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        string heldOut = Path.Combine(directory, HeldOutSpecsFile);
        return new Dataset(
            // Training needs examples, so an empty training split is an error naming it; the other splits may be empty
            // (a size of 0 is a valid choice, e.g. `data --pref-train 0`).
            SftExample.ReadJsonlNonEmpty(Path.Combine(directory, SftTrainFile)),
            SftExample.ReadJsonl(Path.Combine(directory, SftValidationFile)),
            SftExample.ReadJsonl(Path.Combine(directory, SftTestFile)),
            PreferencePair.ReadJsonl(Path.Combine(directory, PrefTrainFile)),
            PreferencePair.ReadJsonl(Path.Combine(directory, PrefValidationFile)),
            PreferencePair.ReadJsonl(Path.Combine(directory, PrefTestFile)),
            File.Exists(heldOut) ? StorySpecFile.Read(heldOut) : []);
    }

    /// <summary>Every prompt and story text of the dataset plus the held-out prompts, e.g. for building a compact
    /// vocabulary (add <see cref="ValuePools.AllValues"/> to cover any spec of the pools).</summary>
    public IEnumerable<string> Texts()
    {
        foreach (var r in SftTrain.Concat(SftValidation).Concat(SftTest)) { yield return r.Prompt; yield return r.Response; }
        foreach (var r in PrefTrain.Concat(PrefValidation).Concat(PrefTest)) { yield return r.Prompt; yield return r.Chosen; yield return r.Rejected; }
        foreach (var s in HeldOutSpecs) yield return s.ToPrompt();
    }

    /// <summary>Counts and token-length statistics of every split, with <paramref name="countTokens"/> as tokenizer.</summary>
    internal DatasetStats ComputeStats(Func<string, int> countTokens, TeacherStats? teacher = null) => DatasetStats.Compute(this, countTokens, teacher);

    /// <summary>Writes <see cref="StatsFile"/> into <paramref name="directory"/> atomically; returns its path.</summary>
    public string WriteStats(string directory, Func<string, int> countTokens) => WriteStats(directory, countTokens, null);

    /// <summary><see cref="WriteStats(string, Func{string, int})"/> with the record of the teacher that wrote the dataset
    /// (calls, tokens, retries, fallbacks) under <c>teacher</c>.</summary>
    public string WriteStats(string directory, Func<string, int> countTokens, TeacherStats? teacher)
    {
        string path = Path.Combine(directory, StatsFile);
        ComputeStats(countTokens, teacher).WriteTo(path);
        return path;
    }
}
