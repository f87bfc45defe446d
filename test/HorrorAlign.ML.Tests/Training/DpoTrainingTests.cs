using HorrorAlign.ML.Data;
using HorrorAlign.ML.Tokenization;
using HorrorAlign.ML.Training;

namespace HorrorAlign.ML.Tests.Training;

[Collection(SerialTorchCollection.Name)]
public class DpoTrainingTests
{
    private static readonly Lazy<byte[]> s_sftModel = new(() =>
    {
        using var model = TrainingFixtures.SftModel();
        return model.ToBytes();
    });

    private static HorrorAlign.ML.Persistence.StoryModel SftModel() => HorrorAlign.ML.Persistence.StoryModel.FromBytes(s_sftModel.Value);

    [Fact]
    public void DpoRaisesMarginsAndAccuracyOnItsTrainingPairsWithoutTouchingTheSftModel()
    {
        using var sft = SftModel();
        var before = TrainingFixtures.Weights(sft);
        var (train, _) = TrainingFixtures.Pairs();
        // Validation = the training pairs, so eval_* metrics measure the training pairs over the whole set.
        var recorder = new TrainingFixtures.Recorder();
        var result = StoryTraining.RunDpo(sft, train, train, TrainingFixtures.DpoOptions() with { MaxEpochs = 6, EvalInterval = 3 }, recorder);
        using var policy = result.Model;

        Assert.Equal(before, TrainingFixtures.Weights(sft));
        var evals = result.Evaluations.ToArray();
        var first = result.TrainingLog.First();
        // Step 1 runs with policy == reference: zero rewards, loss log 2.
        Assert.Equal(0.0, first.Values[MetricNames.RewardsMargins], 5);
        Assert.Equal(Math.Log(2), first.Values[MetricNames.Loss], 5);

        var last = evals.MinBy(m => m.Values[MetricNames.EvalLoss])!;
        Assert.True(last.Values["eval_rewards/margins"] > 1.0, $"margins {last.Values["eval_rewards/margins"]}");
        Assert.Equal(1.0, last.Values["eval_rewards/accuracies"]);
        Assert.Equal(1.0, last.Values["eval_policy_accuracy"]);
        Assert.True(last.Values["eval_rewards/chosen"] > last.Values["eval_rewards/rejected"]);
        Assert.True(last.Values[MetricNames.EvalLoss] < 0.5 * Math.Log(2));
        Assert.Equal(recorder.Reports, result.History);
    }

    [Fact]
    public void RpoAddsAlphaTimesTheChosenPerTokenNllToTheFirstStepLoss()
    {
        using var sft = SftModel();
        var (train, validation) = TrainingFixtures.Pairs();
        // One step over one batch that holds every pair, so the step's NLL is the mean over all training pairs.
        var options = TrainingFixtures.DpoOptions() with { MaxSteps = 1, BatchSize = train.Count };
        var plain = StoryTraining.RunDpo(sft, train, validation, options);
        var rpo = StoryTraining.RunDpo(sft, train, validation, options with { RpoAlpha = 0.5 });
        plain.Model.Dispose();
        rpo.Model.Dispose();

        // Step 1: policy == reference, so the DPO term is log 2; the batch mean of -logp(chosen)/tokens is the NLL.
        var first = plain.TrainingLog.First().Values;
        Assert.Equal(Math.Log(2), first[MetricNames.Loss], 5);
        double nll = PerTokenChosenNll(sft, options.MaxTokens, train);
        Assert.Equal(Math.Log(2) + 0.5 * nll, rpo.TrainingLog.First().Values[MetricNames.Loss], 4);
    }

    private static double PerTokenChosenNll(HorrorAlign.ML.Persistence.StoryModel model, int maxTokens, IReadOnlyList<PreferencePair> pairs)
    {
        var encoder = new HorrorAlign.ML.Tokenization.CompletionEncoder(model.Vocabulary, maxTokens);
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var noGrad = TorchSharp.torch.no_grad();
        var rows = pairs.Select(p => encoder.Encode(p.Prompt, p.Chosen)).ToArray();
        var (ids, mask) = Batching.Pad(rows);
        var lp = HorrorAlign.ML.Losses.CompletionLoss.Compute(model.Model, ids, mask);
        return (-(lp.SumLogProbs / lp.TokenCounts)).mean().item<float>();
    }

    [Fact]
    public void DpoLogsEveryTrlMetricAndItsEvalTwin()
    {
        using var sft = SftModel();
        var (train, validation) = TrainingFixtures.Pairs();
        var result = StoryTraining.RunDpo(sft, train, validation, TrainingFixtures.DpoOptions() with { MaxSteps = 3 });
        result.Model.Dispose();

        string[] stats = ["rewards/chosen", "rewards/rejected", "rewards/margins", "rewards/accuracies", "logps/chosen", "logps/rejected", "policy_accuracy"];
        var log = result.TrainingLog.First();
        Assert.Equal("dpo", log.Stage);
        Assert.Equal(new[] { "loss", "grad_norm", "learning_rate" }.Concat(stats).Append("epoch"), log.Values.Keys);
        var eval = result.Evaluations.Single(); // MaxSteps ends the run: one evaluation at the last step
        Assert.Equal(new[] { "eval_loss" }.Concat(stats.Select(s => "eval_" + s)).Append("epoch"), eval.Values.Keys);
        // Whole-set accuracy over 4 validation pairs is a multiple of 1/4, not a single batch's 0 or 1.
        Assert.Equal(0, eval.Values["eval_rewards/accuracies"] * 4 % 1, 9);
        Assert.True(log.Values["logps/chosen"] < 0);
    }

    [Fact]
    public void PrecomputedReferenceGivesThePerStepReferenceCurve()
    {
        using var sft = SftModel();
        var (train, validation) = TrainingFixtures.Pairs();
        var options = TrainingFixtures.DpoOptions() with { MaxSteps = 6, EvalInterval = 3 };
        var cached = StoryTraining.RunDpo(sft, train, validation, options);
        var perStep = StoryTraining.RunDpo(sft, train, validation, options with { PrecomputeReferenceLogProbs = false });
        cached.Model.Dispose();
        perStep.Model.Dispose();

        Assert.Equal(cached.History.Count, perStep.History.Count);
        for (int i = 0; i < cached.History.Count; i++)
        {
            Assert.Equal(cached.History[i].Values.Keys, perStep.History[i].Values.Keys);
            foreach (var (name, value) in cached.History[i].Values)
                Assert.Equal(value, perStep.History[i].Values[name], 4);
        }
    }

    [Fact]
    public void DpoResumeReproducesTheUninterruptedRun()
    {
        using var sft = SftModel();
        var (train, validation) = TrainingFixtures.Pairs();
        var options = TrainingFixtures.DpoOptions() with { MaxSteps = 7, EvalInterval = 2, EarlyStoppingPatience = 4 };
        var uninterrupted = StoryTraining.RunDpo(sft, train, validation, options);
        using var reference = uninterrupted.Model;

        using var dir = new TrainingFixtures.TempDir();
        using var cts = new CancellationTokenSource();
        var recorder = new TrainingFixtures.Recorder(m => { if (m.Step == 3) cts.Cancel(); });
        var withCheckpoints = options with { CheckpointDirectory = dir.Path };
        Assert.ThrowsAny<OperationCanceledException>(() => StoryTraining.RunDpo(sft, train, validation, withCheckpoints, recorder, cts.Token));
        Assert.True(File.Exists(Path.Combine(dir.Path, "dpo.checkpoint")));

        var resumed = StoryTraining.RunDpo(sft, train, validation, withCheckpoints);
        using var model = resumed.Model;
        Assert.Equal(3, resumed.ResumedFromStep);
        Assert.Equal(StoryTrainingTests.Describe(uninterrupted.History), StoryTrainingTests.Describe(resumed.History));
        Assert.Equal(TrainingFixtures.Weights(reference), TrainingFixtures.Weights(model));
    }

    [Fact]
    public void ANullPairIsReportedByIndexNotAsANullReference()
    {
        using var sft = SftModel();
        var (train, validation) = TrainingFixtures.Pairs();
        var withNull = train.Take(1).Append(null!).ToArray();
        var e = Assert.Throws<ArgumentException>(() => StoryTraining.RunDpo(sft, withNull, validation, TrainingFixtures.DpoOptions()));
        Assert.Contains("train[1] is null", e.Message);
    }
}
