using System.Diagnostics;
using HorrorAlign.ML.Data;
using HorrorAlign.ML.Generation;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Losses;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Tokenization;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Evaluation;

/// <summary>
/// Measures a trained <see cref="StoryModel"/> three ways: (a) it writes a story for every spec and the
/// <see cref="StoryChecks"/> grade it; (b) it scores preference pairs, per pair kind, both on its own (does it give the
/// chosen story the higher log-probability?) and, given a reference model, as DPO's implicit reward; (c) its
/// completion loss and perplexity on SFT examples. Every figure is computed over the WHOLE set, never per batch.
/// </summary>
public static class ModelEvaluator
{
    /// <summary>Phase name of story generation and checking.</summary>
    public const string StoriesPhase = "stories";
    /// <summary>Phase name of preference-pair scoring.</summary>
    public const string PairsPhase = "pairs";
    /// <summary>Phase name of SFT-loss scoring.</summary>
    public const string SftLossPhase = "sft_loss";

    /// <summary>
    /// Runs every evaluation whose data is given (null or empty data skips that part; its report is null).
    /// </summary>
    /// <param name="model">The model to evaluate (only read).</param>
    /// <param name="specs">Specs to write stories for and check.</param>
    /// <param name="pairs">Preference pairs to score.</param>
    /// <param name="sftExamples">Examples for the SFT loss.</param>
    /// <param name="options">Sampling and scoring settings (default <see cref="ModelEvaluationOptions"/>).</param>
    /// <param name="reference">Reference model for DPO rewards (typically the SFT model a DPO model started from); null = policy-only figures.</param>
    /// <param name="progress">Receives progress as each phase starts (done 0) and after each story or batch.</param>
    /// <param name="cancellationToken">Checked between stories and batches; a cancel throws an
    /// <see cref="OperationCanceledException"/> that holds the phases finished before it (see <see cref="EvaluationCanceledException"/>).</param>
    public static ModelEvaluationReport Evaluate(StoryModel model, IReadOnlyList<StorySpec>? specs, IReadOnlyList<PreferencePair>? pairs,
        IReadOnlyList<SftExample>? sftExamples, ModelEvaluationOptions? options = null, StoryModel? reference = null,
        IProgress<EvaluationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new ModelEvaluationOptions();
        options.Validate();
        var clock = Stopwatch.StartNew();
        ConstraintReport? constraints = null;
        PreferenceReport? preferences = null;
        string phase = StoriesPhase;
        try
        {
            if (specs is { Count: > 0 }) constraints = EvaluateConstraints(model, specs, options, progress, cancellationToken);
            phase = PairsPhase;
            if (pairs is { Count: > 0 }) preferences = EvaluatePreferences(model, pairs, reference, options, progress, cancellationToken);
            phase = SftLossPhase;
            var loss = sftExamples is { Count: > 0 } ? EvaluateSftLoss(model, sftExamples, options, progress, cancellationToken) : null;
            return new ModelEvaluationReport(constraints, preferences, loss, clock.Elapsed.TotalSeconds);
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            // The phases finished before the cancel, and the stories finished in its phase, are results a caller may keep.
            if (phase == StoriesPhase && e is BatchCanceledException { Finished: > 0 } batch)
            {
                int[] done = [.. Enumerable.Range(0, specs!.Count).Where(i => batch.Stories[i] is not null)];
                constraints = Grade([.. done.Select(i => specs[i])], [.. done.Select(i => batch.Stories[i]!)], options.KnownNames, options.Sampling);
            }
            throw new EvaluationCanceledException(new ModelEvaluationReport(constraints, preferences, null, clock.Elapsed.TotalSeconds), phase, e);
        }
    }

    /// <summary>Generates a story for every spec (story i with seed <c>Sampling.Seed + i</c>) and checks it.</summary>
    /// <exception cref="ArgumentException"><paramref name="specs"/> is empty or holds null.</exception>
    public static ConstraintReport EvaluateConstraints(StoryModel model, IReadOnlyList<StorySpec> specs, ModelEvaluationOptions? options = null,
        IProgress<EvaluationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        RequireItems(specs, nameof(specs));
        options ??= new ModelEvaluationOptions();
        options.Validate();
        PromptFit.Check(model, specs);
        progress?.Report(new EvaluationProgress(StoriesPhase, 0, specs.Count));
        // TextGenerator.GenerateBatch's per-story seeds, so `generate --specs` reproduces these stories.
        var stories = TextGenerator.GenerateBatch(model, [.. specs.Select(s => s.ToPrompt())], options.Sampling, options.Parallelism,
            progress is null ? null : new InlineProgress<int>(done => progress.Report(new EvaluationProgress(StoriesPhase, done, specs.Count))),
            cancellationToken);
        return Grade(specs, stories, options.KnownNames, options.Sampling);
    }

    /// <summary>Checks given stories against their specs (no model involved): story i belongs to spec i.</summary>
    /// <param name="specs">The specs.</param>
    /// <param name="stories">One story per spec.</param>
    /// <param name="knownNames">Names that count as wrong characters; null = every built-in pool name.</param>
    /// <exception cref="ArgumentException">The lists differ in length, are empty, or hold null.</exception>
    public static ConstraintReport EvaluateStories(IReadOnlyList<StorySpec> specs, IReadOnlyList<string> stories, IReadOnlyList<string>? knownNames = null)
    {
        RequireItems(specs, nameof(specs));
        RequireItems(stories, nameof(stories));
        if (specs.Count != stories.Count)
            throw new ArgumentException($"Every spec needs one story: got {specs.Count} specs and {stories.Count} stories.", nameof(stories));
        return Grade(specs, stories, knownNames, sampling: null);
    }

    private static ConstraintReport Grade(IReadOnlyList<StorySpec> specs, IReadOnlyList<string> stories, IReadOnlyList<string>? knownNames,
        SamplingOptions? sampling)
    {
        var results = new StoryCheckResult[specs.Count];
        var evaluations = new StoryEvaluation[specs.Count];
        for (int i = 0; i < specs.Count; i++)
        {
            results[i] = knownNames is null ? StoryChecks.Check(specs[i], stories[i]) : StoryChecks.Check(specs[i], stories[i], knownNames);
            evaluations[i] = new StoryEvaluation(specs[i].Id ?? (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                specs[i], stories[i], results[i].AllPassed, results[i].FailureNames, results[i].Paragraphs);
        }
        int n = results.Length;
        CheckRate Rate(StoryCheck check)
        {
            int passed = results.Count(r => r.Passed(check));
            return new CheckRate(check.ToName(), passed / (double)n, Wilson.Ci95(passed, n));
        }
        int allPassed = results.Count(r => r.AllPassed);
        return new ConstraintReport(n, allPassed / (double)n, Wilson.Ci95(allPassed, n), [.. StoryCheckNames.Checks.Select(Rate)],
            FailingValues.Of(evaluations), sampling, evaluations);
    }

    /// <summary>
    /// Scores every pair with the summed completion log-probabilities of chosen and rejected under
    /// <paramref name="model"/> and, when given, under <paramref name="reference"/>; groups the figures per pair kind.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="pairs"/> is empty or holds null.</exception>
    public static PreferenceReport EvaluatePreferences(StoryModel model, IReadOnlyList<PreferencePair> pairs, StoryModel? reference = null,
        ModelEvaluationOptions? options = null, IProgress<EvaluationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        RequireItems(pairs, nameof(pairs));
        options ??= new ModelEvaluationOptions();
        options.Validate();

        // Policy and reference each read the text in their own vocabulary; the work unit for progress is a pair.
        int total = pairs.Count * (reference is null ? 1 : 2);
        int done = 0;
        void Advance(int n)
        {
            done += n;
            progress?.Report(new EvaluationProgress(PairsPhase, done, total));
        }
        progress?.Report(new EvaluationProgress(PairsPhase, 0, total));
        var policy = ScorePairs(model, pairs, options, Advance, cancellationToken);
        var referenceScores = reference is null ? null : ScorePairs(reference, pairs, options, Advance, cancellationToken);

        PairGroupEvaluation Group(string name, IReadOnlyList<int> rows)
        {
            int policyWins = rows.Count(i => policy.Chosen[i] > policy.Rejected[i]);
            double policyAccuracy = policyWins / (double)rows.Count;
            double policyMargin = rows.Average(i => policy.Chosen[i] - policy.Rejected[i]);
            var policyCi = Wilson.Ci95(policyWins, rows.Count);
            if (referenceScores is null)
                return new PairGroupEvaluation(name, rows.Count, policyAccuracy, policyMargin, null, null, null, null, policyCi);
            double RewardChosen(int i) => options.Beta * (policy.Chosen[i] - referenceScores.Chosen[i]);
            double RewardRejected(int i) => options.Beta * (policy.Rejected[i] - referenceScores.Rejected[i]);
            int rewardWins = rows.Count(i => RewardChosen(i) > RewardRejected(i));
            return new PairGroupEvaluation(name, rows.Count, policyAccuracy, policyMargin,
                RewardAccuracy: rewardWins / (double)rows.Count,
                RewardMargin: rows.Average(i => RewardChosen(i) - RewardRejected(i)),
                RewardChosen: rows.Average(RewardChosen),
                RewardRejected: rows.Average(RewardRejected),
                PolicyAccuracyCi95: policyCi,
                RewardAccuracyCi95: Wilson.Ci95(rewardWins, rows.Count));
        }

        var all = Enumerable.Range(0, pairs.Count).ToArray();
        var hard = all.Where(i => pairs[i].Kind.IsHard()).ToArray();
        var perKind = PairKindExtensions.Kinds
            .Select(k => (Kind: k, Rows: all.Where(i => pairs[i].Kind == k).ToArray()))
            .Where(g => g.Rows.Length > 0)
            .Select(g => Group(g.Kind.ToName(), g.Rows))
            .ToArray();
        return new PreferenceReport(options.Beta, reference is not null, Group("all", all), hard.Length > 0 ? Group("hard", hard) : null, perKind);
    }

    /// <summary>Token-mean completion loss (the SFT objective) and perplexity over <paramref name="examples"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="examples"/> is empty or holds null.</exception>
    public static SftLossReport EvaluateSftLoss(StoryModel model, IReadOnlyList<SftExample> examples, ModelEvaluationOptions? options = null,
        IProgress<EvaluationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        RequireItems(examples, nameof(examples));
        options ??= new ModelEvaluationOptions();
        options.Validate();
        var encoder = Encoder(model, options);
        var rows = examples.Select(encoder.Encode).ToArray();
        int done = 0;
        progress?.Report(new EvaluationProgress(SftLossPhase, 0, rows.Length));
        var (sums, tokens) = Score(model, rows, options.BatchSize, n =>
        {
            done += n;
            progress?.Report(new EvaluationProgress(SftLossPhase, done, rows.Length));
        }, cancellationToken);
        double totalTokens = tokens.Sum();
        double loss = -sums.Sum() / Math.Max(totalTokens, 1);
        return new SftLossReport(examples.Count, (long)totalTokens, loss, Math.Exp(loss));
    }

    private sealed record PairScores(double[] Chosen, double[] Rejected);

    private static PairScores ScorePairs(StoryModel model, IReadOnlyList<PreferencePair> pairs, ModelEvaluationOptions options,
        Action<int> advance, CancellationToken cancellationToken)
    {
        var encoder = Encoder(model, options);
        var encoded = pairs.Select(encoder.EncodePair).ToArray();
        // Chosen rows then rejected rows; progress counts pairs, i.e. half a row each.
        var rows = encoded.Select(p => p.Chosen).Concat(encoded.Select(p => p.Rejected)).ToArray();
        int pending = 0;
        var (sums, _) = Score(model, rows, options.BatchSize, n =>
        {
            pending += n;
            advance(pending / 2);
            pending %= 2;
        }, cancellationToken);
        return new PairScores(sums[..pairs.Count], sums[pairs.Count..]);
    }

    private static CompletionEncoder Encoder(StoryModel model, ModelEvaluationOptions options) =>
        new(model.Vocabulary, Math.Min(options.MaxTokens ?? model.Config.ContextLength, model.Config.ContextLength));

    /// <summary>Summed completion log-probs and supervised-token counts of every row, in batches, without gradients
    /// and with dropout off.</summary>
    private static (double[] Sums, double[] Tokens) Score(StoryModel model, IReadOnlyList<EncodedExample> rows, int batchSize,
        Action<int> advanced, CancellationToken cancellationToken)
    {
        var sums = new double[rows.Count];
        var tokens = new double[rows.Count];
        using var inference = InferenceScope.Enter(model.Model);
        var device = model.Model.WeightsDevice;
        for (int start = 0; start < rows.Count; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            int n = Math.Min(batchSize, rows.Count - start);
            var (ids, mask) = Batching.Pad([.. Enumerable.Range(start, n).Select(i => rows[i])]);
            var logProbs = CompletionLoss.Compute(model.Model, ids.to(device), mask.to(device));
            Array.Copy(logProbs.SumLogProbs.to(ScalarType.Float64).cpu().data<double>().ToArray(), 0, sums, start, n);
            Array.Copy(logProbs.TokenCounts.to(ScalarType.Float64).cpu().data<double>().ToArray(), 0, tokens, start, n);
            advanced(n);
        }
        return (sums, tokens);
    }

    private static void RequireItems<T>(IReadOnlyList<T> items, string name) where T : class
    {
        ArgumentNullException.ThrowIfNull(items, name);
        if (items.Count == 0) throw new ArgumentException($"{name} is empty; nothing to evaluate.", name);
        for (int i = 0; i < items.Count; i++)
            if (items[i] is null) throw new ArgumentException($"{name}[{i}] is null.", name);
    }
}
