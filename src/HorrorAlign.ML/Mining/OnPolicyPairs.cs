using HorrorAlign.ML.Data;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.Generation;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Synthesis;
using HorrorAlign.ML.Tokenization;

namespace HorrorAlign.ML.Mining;

/// <summary>
/// On-policy preference pairs: the policy writes stories for every spec, each story is checked, and every story that
/// fails a check becomes the REJECTED side of a pair. The CHOSEN side is, where it can be found, the same story
/// REPAIRED: the longest prefix of it from which the policy itself goes on to write a story that passes every check
/// (else the spec's reference story).
/// <para>
/// Why on-policy: template pairs only contrast the failures the template generator makes on purpose, and the SFT model
/// already ranks those perfectly (policy accuracy 1.0), so DPO on them alone has nothing left to fix. The SFT model's
/// own failures on unseen values — a copy cut short or running on, a looping sentence, a missing taboo — are what keep
/// it under the pass-rate bar, and the only pairs that push against them are pairs that contain them (self-generated
/// rejections, as in iterative / on-policy DPO: Xu et al. 2023 "Some things are more CRINGE than others"; Pang et al.
/// 2024 "Iterative Reasoning Preference Optimization").
/// </para>
/// <para>
/// Why repaired: a reference story differs from the failing one in every sentence, so DPO's push lands on the whole
/// story rather than on the mistake. A repaired chosen story shares the failing story's prefix up to the point where it
/// went wrong, so the two differ only from there on, and the log-ratio difference DPO optimises is about that
/// continuation (in the spirit of Step-DPO, Lai et al. 2024, which pairs steps after a shared correct prefix). Both
/// sides are also the policy's own writing, so the chosen side is as likely under it as any of its stories.
/// </para>
/// </summary>
internal static class OnPolicyPairs
{
    /// <summary>
    /// Writes <see cref="OnPolicyOptions.SamplesPerSource"/> stories per source (story j of source i seeded with
    /// Sampling.Seed + i·SamplesPerSource + j, so mining is deterministic) and returns a pair for every story that
    /// fails a check, its chosen side repaired when <see cref="OnPolicyOptions.RepairTries"/> allows (see the class). The
    /// pairs are <see cref="PairKind.OnPolicy"/> pairs with their <see cref="PreferencePair.Failures"/> and
    /// <see cref="PreferencePair.Repaired"/> set.
    /// </summary>
    /// <param name="model">The policy (usually the SFT model DPO starts from).</param>
    /// <param name="sources">Specs with their reference stories.</param>
    /// <param name="options">Sampling, samples per spec, repair tries, parallelism.</param>
    /// <param name="progress">Receives the number of stories written so far (then the number of failing stories
    /// repaired, counting on from there).</param>
    /// <param name="cancellationToken">Stops between stories.</param>
    /// <exception cref="ArgumentException">A source is null or has no chosen story, or the options are invalid.</exception>
    public static IReadOnlyList<PreferencePair> Mine(StoryModel model, IReadOnlyList<OnPolicySource> sources, OnPolicyOptions options,
        IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        CheckSources(sources);
        options.Validate();
        int k = options.SamplesPerSource;
        OnPolicySource[] written = [.. Enumerable.Range(0, sources.Count * k).Select(i => sources[i / k])]; // one per story
        var stories = TextGenerator.GenerateBatch(model, [.. written.Select(s => s.Spec.ToPrompt())], options.Sampling, options.Parallelism,
            progress, cancellationToken);
        var failing = Failing(written, stories, options.KnownNames);
        var pairs = new PreferencePair[failing.Count];
        ParallelPrompts.For(failing.Count, options.Parallelism, i =>
        {
            var (source, pair) = failing[i];
            string? chosen = options.RepairTries == 0 ? null
                : Repair(model, pair.Prompt, pair.Rejected, story => Passes(source.Spec, story, options.KnownNames), options,
                    seed: unchecked(options.Sampling.Seed + 7919 * (i + 1)));
            pairs[i] = chosen is null ? pair : pair with { Chosen = chosen, Repaired = true };
        }, progress is null ? null : new InlineProgress<int>(n => progress.Report(stories.Count + n)), cancellationToken);
        return pairs;
    }

    /// <summary>
    /// The sources mining writes for: <paramref name="count"/> probe specs (every field from <see cref="ProbeValues"/>, so
    /// every value is as new to the model as a held-out spec's), each with a template reference story, the chosen side
    /// when a failing story cannot be repaired. Deterministic in <paramref name="seed"/>.
    /// </summary>
    public static IReadOnlyList<OnPolicySource> ProbeSources(int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var rng = new Random(seed);
        var writer = new StoryWriter();
        var sources = new List<OnPolicySource>();
        foreach (var spec in ProbeValues.Pools.GenerateSpecs(count, seed))
        {
            if (writer.TryWriteChosen(spec, rng, out var chosen))
                sources.Add(new OnPolicySource($"probe-{sources.Count + 1:D4}", spec, chosen));
        }
        return sources;
    }

    /// <summary>
    /// The DPO training pairs: the template pairs followed by the mined pairs, each mined pair
    /// <see cref="OnPolicyOptions.Repeats"/> times (its weight next to the template pairs).
    /// </summary>
    public static List<PreferencePair> TrainingPairs(IEnumerable<PreferencePair> templatePairs, IReadOnlyList<PreferencePair> mined, int repeats) =>
        [.. templatePairs, .. Enumerable.Repeat(mined, repeats).SelectMany(pairs => pairs)];

    /// <summary>
    /// The failing <paramref name="story"/> with its ending rewritten by the policy from the latest token at which it
    /// still recovers: the story is cut after t of its tokens, the policy continues the cut text (up to
    /// <see cref="OnPolicyOptions.RepairTries"/> samples), and a binary search over t finds the largest cut that yields a
    /// passing story (a cut past the mistake keeps it, so passing is, to a close approximation, monotone in t). Null when
    /// even a fresh story (t = 0) fails every try.
    /// </summary>
    internal static string? Repair(StoryModel model, string prompt, string story, Func<string, bool> passes, OnPolicyOptions options, int seed)
    {
        int[] ids = StoryCodec.For(model.Vocabulary, prompt).EncodeStory(story);
        string? TryCut(int cut)
        {
            int[] begun = ids[..cut];
            for (int t = 0; t < options.RepairTries; t++)
            {
                var sampling = options.Sampling with { Seed = unchecked(seed + 31 * cut + t) };
                string candidate = TextGenerator.Continue(model, prompt, begun, sampling);
                if (passes(candidate)) return candidate;
            }
            return null;
        }
        return LatestPassingCut(ids.Length, TryCut);
    }

    /// <summary>
    /// Binary search for the largest cut in [0, <paramref name="length"/>) whose attempt succeeds, assuming attempts
    /// succeed up to some cut and fail after it (the full story, cut = length, is known to fail). Returns the result of
    /// the best successful attempt, or null when cut 0 fails. log2(length) + 1 attempts.
    /// </summary>
    internal static string? LatestPassingCut(int length, Func<int, string?> attempt)
    {
        string? best = attempt(0);
        if (best is null) return null;
        int pass = 0, fail = length;
        while (fail - pass > 1)
        {
            int mid = pass + (fail - pass) / 2;
            if (attempt(mid) is { } result) (pass, best) = (mid, result);
            else fail = mid;
        }
        return best;
    }

    private static bool Passes(StorySpec spec, string story, IReadOnlyList<string>? knownNames) =>
        (knownNames is null ? StoryChecks.Check(spec, story) : StoryChecks.Check(spec, story, knownNames)).AllPassed;

    /// <summary>The pairs that given stories make: story i, written for source i, becomes a pair when it fails a check.</summary>
    /// <exception cref="ArgumentException">The lists differ in length, or a source is null or has no chosen story.</exception>
    public static IReadOnlyList<PreferencePair> FromStories(IReadOnlyList<OnPolicySource> sources, IReadOnlyList<string> stories,
        IReadOnlyList<string>? knownNames = null) => [.. Failing(sources, stories, knownNames).Select(f => f.Pair)];

    /// <summary>The failing stories as pairs (chosen = the reference story), each with its source.</summary>
    private static List<(OnPolicySource Source, PreferencePair Pair)> Failing(IReadOnlyList<OnPolicySource> sources, IReadOnlyList<string> stories,
        IReadOnlyList<string>? knownNames)
    {
        CheckSources(sources);
        ArgumentNullException.ThrowIfNull(stories);
        if (stories.Count != sources.Count)
            throw new ArgumentException($"Every source needs one story: got {sources.Count} sources and {stories.Count} stories.", nameof(stories));
        var failing = new List<(OnPolicySource, PreferencePair)>();
        for (int i = 0; i < sources.Count; i++)
        {
            var source = sources[i];
            string story = stories[i] ?? throw new ArgumentException($"stories[{i}] is null.", nameof(stories));
            var result = knownNames is null ? StoryChecks.Check(source.Spec, story) : StoryChecks.Check(source.Spec, story, knownNames);
            if (result.AllPassed) continue;
            var pair = new PreferencePair(source.Id, source.Spec.ToPrompt(), source.Chosen, story, PairKind.OnPolicy) { Failures = result.FailureNames };
            failing.Add((source, pair));
        }
        return failing;
    }

    private static void CheckSources(IReadOnlyList<OnPolicySource> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        for (int i = 0; i < sources.Count; i++)
        {
            var source = sources[i] ?? throw new ArgumentException($"sources[{i}] is null.", nameof(sources));
            if (source.Spec is null) throw new ArgumentException($"sources[{i}] (id '{source.Id}') has no spec.", nameof(sources));
            if (string.IsNullOrWhiteSpace(source.Chosen))
                throw new ArgumentException($"sources[{i}] (id '{source.Id}') has no chosen story.", nameof(sources));
        }
    }
}

/// <summary>A spec and its reference story, to mine an on-policy pair from.</summary>
/// <param name="Id">Row id (kept in the pair).</param>
/// <param name="Spec">The spec the policy writes for.</param>
/// <param name="Chosen">The reference story (the pair's chosen side).</param>
internal sealed record OnPolicySource(string Id, StorySpec Spec, string Chosen);

/// <summary>Settings of on-policy mining (<see cref="OnPolicyPairs"/>): how many probe specs, how the policy writes and
/// repairs, and how much the mined pairs weigh in DPO.</summary>
public sealed record OnPolicyOptions
{
    /// <summary>Probe specs the SFT model writes stories for before DPO (<see cref="OnPolicyPairs.ProbeSources"/>); each
    /// failing story becomes a DPO pair. 0 = template pairs only. Default 96.</summary>
    public int Specs { get; init; } = 96;

    /// <summary>How many times each mined pair enters the DPO training set (its weight next to the template pairs). Default 3.</summary>
    public int Repeats { get; init; } = 3;

    /// <summary>How the policy samples its stories and repairs. Default: <see cref="SamplingOptions"/>' defaults without
    /// field enforcement, which would hide the model's own failures from mining.</summary>
    public SamplingOptions Sampling { get; init; } = new() { EnforceFields = false };

    /// <summary>Stories written per spec. Default 1.</summary>
    public int SamplesPerSource { get; init; } = 1;

    /// <summary>Continuations tried at each cut of the repair search (see <see cref="OnPolicyPairs"/>); 0 = no repair,
    /// the chosen side is always the reference story. Default 1.</summary>
    public int RepairTries { get; init; } = 1;

    /// <summary>Names that count as wrong characters; null = every built-in pool name.</summary>
    public IReadOnlyList<string>? KnownNames { get; init; }

    /// <summary>Stories written at once (see <see cref="ParallelPrompts"/>); the pairs do not depend on it. Default 1.</summary>
    public int Parallelism { get; init; } = 1;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Sampling is null) throw new ArgumentException("OnPolicyOptions.Sampling must be set.", nameof(Sampling));
        Sampling.Validate();
        if (Specs < 0) throw new ArgumentException($"OnPolicyOptions.Specs must not be negative (got {Specs}).", nameof(Specs));
        if (Repeats < 1) throw new ArgumentException($"OnPolicyOptions.Repeats must be at least 1 (got {Repeats}).", nameof(Repeats));
        if (SamplesPerSource < 1) throw new ArgumentException($"OnPolicyOptions.SamplesPerSource must be at least 1 (got {SamplesPerSource}).", nameof(SamplesPerSource));
        if (RepairTries < 0) throw new ArgumentException($"OnPolicyOptions.RepairTries must not be negative (got {RepairTries}).", nameof(RepairTries));
        if (Parallelism < 1) throw new ArgumentException($"OnPolicyOptions.Parallelism must be at least 1 (got {Parallelism}).", nameof(Parallelism));
    }
}
