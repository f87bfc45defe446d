using HorrorAlign.ML.Data;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.Generation;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Losses;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Tests.App;
using HorrorAlign.ML.Tests.Training;
using HorrorAlign.ML.Tokenization;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Tests.Evaluation;

/// <summary>The evaluator against independent computations on tiny models (fresh weights: the figures, not the model's
/// quality, are under test).</summary>
[Collection(SerialTorchCollection.Name)]
public sealed class ModelEvaluatorTests
{
    // Template kinds and mined pairs alike: on-policy pairs get a group of their own and are not "hard".
    private static readonly PairKind[] Kinds = [PairKind.Contrastive, PairKind.IgnoresTaboo, PairKind.HappyEnding, PairKind.OnPolicy];

    private static List<PreferencePair> Pairs()
    {
        var (train, validation) = TrainingFixtures.Pairs(count: 9, validation: 0);
        return [.. train.Select((p, i) => p with { Id = $"p{i}", Kind = Kinds[i % Kinds.Length] })];
    }

    private static double LogProb(StoryModel model, string prompt, string response)
    {
        var e = new CompletionEncoder(model.Vocabulary, 64).Encode(prompt, response);
        model.Model.eval();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var ids = tensor(e.Ids.Select(i => (long)i).ToArray(), new long[] { 1, e.Ids.Length });
        var mask = tensor(e.LossMask, new long[] { 1, e.Ids.Length });
        return CompletionLoss.Compute(model.Model, ids, mask).SumLogProbs.to(ScalarType.Float64).item<double>();
    }

    [Fact]
    public void PreferenceFiguresMatchPerPairLogProbsPerKind()
    {
        using var policy = TrainingFixtures.FreshModel(seed: 3);
        using var reference = TrainingFixtures.FreshModel(seed: 4);
        var pairs = Pairs();
        var options = new ModelEvaluationOptions { MaxTokens = 64, BatchSize = 4, Beta = 0.25 };

        var report = ModelEvaluator.EvaluatePreferences(policy, pairs, reference, options);

        var pc = pairs.Select(p => LogProb(policy, p.Prompt, p.Chosen)).ToArray();
        var pr = pairs.Select(p => LogProb(policy, p.Prompt, p.Rejected)).ToArray();
        var rc = pairs.Select(p => LogProb(reference, p.Prompt, p.Chosen)).ToArray();
        var rr = pairs.Select(p => LogProb(reference, p.Prompt, p.Rejected)).ToArray();
        void Expect(PairGroupEvaluation g, int[] rows)
        {
            Assert.Equal(rows.Length, g.Count);
            Assert.Equal(rows.Count(i => pc[i] > pr[i]) / (double)rows.Length, g.PolicyAccuracy, 12);
            Assert.Equal(rows.Average(i => pc[i] - pr[i]), g.PolicyMargin, 3);
            Assert.Equal(rows.Count(i => pc[i] - rc[i] > pr[i] - rr[i]) / (double)rows.Length, g.RewardAccuracy!.Value, 12);
            Assert.Equal(rows.Average(i => 0.25 * ((pc[i] - rc[i]) - (pr[i] - rr[i]))), g.RewardMargin!.Value, 3);
            Assert.Equal(rows.Average(i => 0.25 * (pc[i] - rc[i])), g.RewardChosen!.Value, 3);
        }
        int[] all = [.. Enumerable.Range(0, pairs.Count)];
        Expect(report.All, all);
        Expect(report.Hard!, [.. all.Where(i => pairs[i].Kind.IsHard())]);
        Assert.Equal(Kinds.Select(k => k.ToName()), report.PerKind.Select(g => g.Kind));
        foreach (var (kind, group) in Kinds.Zip(report.PerKind))
            Expect(group, [.. all.Where(i => pairs[i].Kind == kind)]);
        Assert.True(report.HasReference);
    }

    [Fact]
    public void WithoutAReferenceOnlyPolicyFiguresAreGivenAndAModelIsNoBetterThanItself()
    {
        using var model = TrainingFixtures.FreshModel(seed: 3);
        var pairs = Pairs();
        var alone = ModelEvaluator.EvaluatePreferences(model, pairs, reference: null, new ModelEvaluationOptions { MaxTokens = 64 });
        Assert.False(alone.HasReference);
        Assert.Null(alone.All.RewardAccuracy);
        Assert.Null(alone.All.RewardMargin);

        var self = ModelEvaluator.EvaluatePreferences(model, pairs, model, new ModelEvaluationOptions { MaxTokens = 64 });
        Assert.Equal(0, self.All.RewardAccuracy); // equal rewards never count as a win
        Assert.Equal(0, self.All.RewardMargin!.Value, 12);
        Assert.Equal(alone.All.PolicyAccuracy, self.All.PolicyAccuracy);
    }

    [Fact]
    public void SftLossIsTheTokenMeanOverTheWholeSetWhateverTheBatchSize()
    {
        using var model = TrainingFixtures.FreshModel(seed: 5);
        var (train, _) = TrainingFixtures.Sft();
        var examples = train.Select((s, i) => new SftExample($"e{i}", s.Prompt, s.Response)).ToList();
        double expected = TrainingFixtures.SftLoss(model, train, maxTokens: 64);

        var one = ModelEvaluator.EvaluateSftLoss(model, examples, new ModelEvaluationOptions { MaxTokens = 64, BatchSize = 1 });
        var many = ModelEvaluator.EvaluateSftLoss(model, examples, new ModelEvaluationOptions { MaxTokens = 64, BatchSize = 7 });

        Assert.Equal(expected, one.Loss, 4);
        Assert.Equal(one.Loss, many.Loss, 5);
        Assert.Equal(Math.Exp(one.Loss), one.Perplexity, 9);
        Assert.Equal(examples.Count, one.Examples);
        Assert.Equal(examples.Sum(e => new CompletionEncoder(model.Vocabulary, 64).Encode(e.Prompt, e.Response).SupervisedCount), one.Tokens);
    }

    [Fact]
    public void GeneratedStoriesAreTheSeededGenerationsAndAreChecked()
    {
        var specs = FixedStories.Build().Select(c => c.Spec).Take(3).ToList();
        var vocabulary = TokenVocabulary.BuildCompact(specs.Select(s => s.ToPrompt()));
        manual_seed(6);
        using var model = new StoryModel(new GptModel(new GptConfig
        {
            VocabSize = vocabulary.Size, DModel = 16, NHeads = 2, NLayers = 1, MlpRatio = 2, Dropout = 0, ContextLength = 192,
        }), vocabulary);
        var sampling = new SamplingOptions { MaxNewTokens = 12, Seed = 9 };
        var options = new ModelEvaluationOptions { Sampling = sampling };
        var progress = new List<EvaluationProgress>();

        var report = ModelEvaluator.Evaluate(model, specs, pairs: null, sftExamples: null, options, progress: new InlineProgress<EvaluationProgress>(progress.Add));

        var expected = TextGenerator.GenerateBatch(model, [.. specs.Select(s => s.ToPrompt())], sampling);
        Assert.Equal(expected, report.Constraints!.Stories.Select(s => s.Story));
        Assert.Equal(specs.Select(s => s.Id), report.Constraints.Stories.Select(s => s.Id));
        Assert.Equal(sampling, report.Constraints.Sampling);
        for (int i = 0; i < specs.Count; i++)
            Assert.Equal(StoryChecks.Check(specs[i], expected[i]).FailureNames, report.Constraints.Stories[i].Failures);
        Assert.Null(report.Preferences);
        Assert.Null(report.SftLoss);
        Assert.Equal([0, 1, 2, 3], progress.Where(p => p.Phase == ModelEvaluator.StoriesPhase).Select(p => p.Done)); // 0: the phase began
    }

    [Fact]
    public void BadInputIsRejectedByName()
    {
        using var model = TrainingFixtures.FreshModel();
        Assert.Contains("pairs", Assert.Throws<ArgumentException>(() => ModelEvaluator.EvaluatePreferences(model, [])).Message);
        var specs = FixedStories.Build().Select(c => c.Spec).Take(2).ToList();
        Assert.Contains("2 specs and 1 stories", Assert.Throws<ArgumentException>(() => ModelEvaluator.EvaluateStories(specs, ["x"])).Message);
        Assert.Contains("BatchSize", Assert.Throws<ArgumentException>(() =>
            ModelEvaluator.EvaluateSftLoss(model, [new SftExample("a", "p", "r")], new ModelEvaluationOptions { BatchSize = 0 })).Message);
        Assert.Contains("Parallelism", Assert.Throws<ArgumentException>(() =>
            ModelEvaluator.EvaluateConstraints(model, specs, new ModelEvaluationOptions { Parallelism = 0 })).Message);
    }
}
