using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Tokenization;
using HorrorAlign.ML.Training;

namespace HorrorAlign.ML.Tests.Training;

[Collection(SerialTorchCollection.Name)]
public class StoryTrainingTests
{
    [Fact]
    public void SftLossDecreasesAndTheResultHoldsTheBestValidationWeights()
    {
        var (train, validation) = TrainingFixtures.Sft();
        var options = TrainingFixtures.SftOptions() with
        {
            MaxEpochs = 40, LearningRate = 2e-2, EvalInterval = 3, EarlyStoppingPatience = 3, MinLearningRateRatio = 1.0,
        };
        var result = StoryTraining.RunSft(train, validation, options);
        using var model = result.Model;

        var losses = result.TrainingLog.Select(m => m.Values[MetricNames.Loss]).ToArray();
        Assert.True(losses.TakeLast(3).Average() < 0.5 * losses.Take(3).Average(), $"loss {losses[0]} → {losses[^1]}");

        var evals = result.Evaluations.Select(m => (m.Step, Loss: m.Values[MetricNames.EvalLoss])).ToArray();
        Assert.True(evals.Length >= 3);
        var best = evals.MinBy(e => e.Loss);
        Assert.Equal(best.Step, result.BestStep);
        Assert.Equal(best.Loss, result.BestEvalLoss);
        Assert.True(result.RestoredBest);

        // The returned weights ARE the best evaluation's: recomputing the validation loss independently gives it back.
        Assert.Equal(best.Loss, TrainingFixtures.SftLoss(model, validation), 4);

        // This tiny model overfits the 25 examples, so patience must end the run before 40 epochs.
        Assert.Equal(TrainingStopReason.EarlyStopped, result.StopReason);
        Assert.True(evals[^1].Loss > best.Loss);
        Assert.True(result.Steps < result.TotalSteps);
        Assert.Contains("stopped early", result.Message);
    }

    [Fact]
    public void SftMetricsUseTrlNamesAndProgressSeesEveryEntry()
    {
        var (train, validation) = TrainingFixtures.Sft();
        var recorder = new TrainingFixtures.Recorder();
        var result = StoryTraining.RunSft(train, validation, TrainingFixtures.SftOptions() with { MaxSteps = 8, EvalInterval = 4, LoggingInterval = 2 }, progress: recorder);
        result.Model.Dispose();

        Assert.Equal(result.History, recorder.Reports);
        var log = result.TrainingLog.ToArray();
        Assert.Equal([2, 4, 6, 8], log.Select(m => m.Step));
        foreach (var m in log)
        {
            Assert.Equal(["loss", "grad_norm", "learning_rate", "epoch"], m.Values.Keys);
            Assert.Equal("sft", m.Stage);
            Assert.Equal(8, m.TotalSteps);
        }
        var evals = result.Evaluations.ToArray();
        Assert.Equal([4, 7, 8], evals.Select(m => m.Step)); // 7 = end of epoch 1
        Assert.Equal(["eval_loss", "epoch"], evals[0].Values.Keys);
        Assert.Equal(4.0 / 7, evals[0].Epoch, 12); // 25 examples / 4 per step = 7 steps per epoch
    }

    [Fact]
    public void GradientAccumulationEqualsOneBigBatch()
    {
        var (train, validation) = TrainingFixtures.Sft();
        using var start = TrainingFixtures.FreshModel(seed: 2);
        var big = StoryTraining.RunSft(train, validation, TrainingFixtures.SftOptions() with { BatchSize = 4, MaxSteps = 6 }, start);
        var accumulated = StoryTraining.RunSft(train, validation,
            TrainingFixtures.SftOptions() with { BatchSize = 1, GradientAccumulationSteps = 4, MaxSteps = 6 }, start);
        using var a = big.Model;
        using var b = accumulated.Model;

        // Micro-batches pad differently, so agreement is to float rounding, not bitwise.
        var bigLosses = big.TrainingLog.Select(m => m.Values[MetricNames.Loss]).ToArray();
        var accLosses = accumulated.TrainingLog.Select(m => m.Values[MetricNames.Loss]).ToArray();
        Assert.Equal(6, bigLosses.Length);
        for (int i = 0; i < 6; i++) Assert.Equal(bigLosses[i], accLosses[i], 4);
    }

    [Fact]
    public void TrainingFromAnInitialModelLeavesItUntouched()
    {
        var (train, validation) = TrainingFixtures.Sft();
        using var start = TrainingFixtures.FreshModel(seed: 2);
        var before = TrainingFixtures.Weights(start);
        using var trained = StoryTraining.TrainSft(train, validation, TrainingFixtures.SftOptions() with { MaxSteps = 3 }, start);
        Assert.Equal(before, TrainingFixtures.Weights(start));
        Assert.NotEqual(before["output_layer.weight"], TrainingFixtures.Weights(trained)["output_layer.weight"]);
        Assert.Same(start.Vocabulary, trained.Vocabulary);
    }

    [Fact]
    public void ResumeAfterCancellationReproducesTheUninterruptedRunExactly()
    {
        var (train, validation) = TrainingFixtures.Sft();
        // Dropout on, accumulation, evaluation and early-stopping bookkeeping all cross the interruption.
        var options = TrainingFixtures.SftOptions(dropout: 0.1) with
        {
            BatchSize = 2, GradientAccumulationSteps = 2, MaxSteps = 14, EvalInterval = 4, EarlyStoppingPatience = 5, LoggingInterval = 3,
        };
        var uninterrupted = StoryTraining.RunSft(train, validation, options);
        using var reference = uninterrupted.Model;

        using var dir = new TrainingFixtures.TempDir();
        var withCheckpoints = options with { CheckpointDirectory = dir.Path, CheckpointInterval = 5 };
        using var cts = new CancellationTokenSource();
        var recorder = new TrainingFixtures.Recorder(m => { if (m.Step == 8) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => StoryTraining.RunSft(train, validation, withCheckpoints, progress: recorder, cancellationToken: cts.Token));
        string checkpoint = Path.Combine(dir.Path, "sft.checkpoint");
        Assert.True(File.Exists(checkpoint));

        // A checkpoint of another run is refused, not silently mixed in.
        var other = Assert.Throws<InvalidOperationException>(() =>
            StoryTraining.RunSft(train, validation, options with { Seed = 8, ResumeFrom = checkpoint }));
        Assert.Contains("different run", other.Message);

        var resumed = StoryTraining.RunSft(train, validation, withCheckpoints);
        using var model = resumed.Model;
        Assert.Equal(8, resumed.ResumedFromStep);
        Assert.Equal(Describe(uninterrupted.History), Describe(resumed.History));
        Assert.Equal(uninterrupted.BestStep, resumed.BestStep);
        Assert.Equal(uninterrupted.BestEvalLoss, resumed.BestEvalLoss);
        Assert.Equal(TrainingFixtures.Weights(reference), TrainingFixtures.Weights(model));
    }

    [Fact]
    public void NonFiniteLossStopsNamingTheStepAndKeepsTheBestWeights()
    {
        var (train, validation) = TrainingFixtures.Sft();
        var options = TrainingFixtures.SftOptions() with { MaxSteps = 12, EvalInterval = 2 };
        var objective = new NonFiniteAtStep(new SftObjective(new CompletionEncoder(TrainingFixtures.Vocabulary, options.MaxTokens), train, validation), step: 7);
        var e = Assert.Throws<TrainingDivergedException>(() => Trainer.Run(TrainingFixtures.FreshModel(seed: 7), objective, options, "nan-test", null, default));
        using var model = e.Result.Model;

        Assert.Equal(7, e.Step);
        Assert.Equal("loss", e.Quantity);
        Assert.True(double.IsNaN(e.Value));
        Assert.Contains("step 7", e.Message);
        Assert.Equal(TrainingStopReason.Diverged, e.Result.StopReason);
        Assert.Equal(6, e.Result.Steps);
        Assert.True(e.Result.RestoredBest);
        Assert.NotNull(e.Result.BestEvalLoss);
        Assert.Equal(e.Result.BestEvalLoss!.Value, TrainingFixtures.SftLoss(model, validation), 4);
    }

    /// <summary>An objective whose training loss turns NaN at one step (one batch per step), as a diverging run's does.</summary>
    private sealed class NonFiniteAtStep(ITrainingObjective inner, int step) : ITrainingObjective
    {
        private int _trainBatches;

        public string Stage => inner.Stage;

        public bool UseDropout => inner.UseDropout;

        public int Count(DataSplit split) => inner.Count(split);

        public BatchOutput Run(HorrorAlign.ML.Modeling.GptModel model, DataSplit split, IReadOnlyList<int> indices)
        {
            var output = inner.Run(model, split, indices);
            return split == DataSplit.Train && ++_trainBatches == step ? output with { SummedLoss = output.SummedLoss * double.NaN } : output;
        }

        public void Dispose() => inner.Dispose();
    }

    [Fact]
    public void AbsurdLearningRateDivergesWithAClearMessage()
    {
        var (train, validation) = TrainingFixtures.Sft();
        var options = TrainingFixtures.SftOptions() with { MaxSteps = 20, LearningRate = 1e30, WarmupSteps = 0 };
        var e = Assert.Throws<TrainingDivergedException>(() => StoryTraining.RunSft(train, validation, options));
        using var model = e.Result.Model;
        Assert.InRange(e.Step, 2, 5);
        Assert.Contains($"step {e.Step}", e.Message);
        Assert.Contains("LearningRate", e.Message);
        Assert.False(e.Result.RestoredBest); // nothing validated yet: the weights before the failing step are kept
    }

    [Fact]
    public void InvalidOptionsAreRejectedByName()
    {
        var (train, validation) = TrainingFixtures.Sft();
        var e = Assert.Throws<ArgumentException>(() => StoryTraining.RunSft(train, validation, TrainingFixtures.SftOptions() with { BatchSize = 0 }));
        Assert.Contains("BatchSize", e.Message);
        e = Assert.Throws<ArgumentException>(() => StoryTraining.RunSft(train, validation, TrainingFixtures.SftOptions() with { MaxTokens = 100 }));
        Assert.Contains("context length", e.Message);
        e = Assert.Throws<ArgumentException>(() => StoryTraining.RunSft([], validation, TrainingFixtures.SftOptions()));
        Assert.Contains("empty", e.Message);
        e = Assert.Throws<ArgumentException>(() => (TrainingFixtures.DpoOptions() with { Beta = 0 }).Validate());
        Assert.Contains("Beta", e.Message);
    }

    [Fact]
    public void StepsLeakNoTensors()
    {
        var (train, validation) = TrainingFixtures.Sft();
        var pairs = TrainingFixtures.Pairs();
        using var sft = TrainingFixtures.FreshModel(seed: 3);

        long Growth(Func<TrainingResult> run)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            long before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            run().Model.Dispose();
            return TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount - before;
        }

        // Whatever a run keeps alive must not depend on how many steps and evaluations it ran.
        var sftOptions = TrainingFixtures.SftOptions() with { EvalInterval = 2 };
        Assert.Equal(
            Growth(() => StoryTraining.RunSft(train, validation, sftOptions with { MaxSteps = 2 })),
            Growth(() => StoryTraining.RunSft(train, validation, sftOptions with { MaxSteps = 8 })));
        var dpoOptions = TrainingFixtures.DpoOptions() with { EvalInterval = 2, PrecomputeReferenceLogProbs = false };
        Assert.Equal(
            Growth(() => StoryTraining.RunDpo(sft, pairs.Train, pairs.Validation, dpoOptions with { MaxSteps = 2 })),
            Growth(() => StoryTraining.RunDpo(sft, pairs.Train, pairs.Validation, dpoOptions with { MaxSteps = 6 })));
    }

    [Fact]
    public void LearningRateWarmsUpThenDecaysToTheFloor()
    {
        var schedule = new LearningRateSchedule(1.0, 4, 20, 0.1);
        Assert.Equal(0.25, schedule.At(0), 12);
        Assert.Equal(1.0, schedule.At(3), 12);
        Assert.Equal(1.0, schedule.At(4), 12);
        for (int s = 5; s < 20; s++) Assert.True(schedule.At(s) < schedule.At(s - 1));
        Assert.InRange(schedule.At(19), 0.1, 0.11);
        Assert.Equal(0.1, schedule.At(24), 12);
    }

    [Fact]
    public void ShuffleIsAFixedFunctionOfTheSeed()
    {
        Assert.Equal(Batching.Permutation(10, 5), Batching.Permutation(10, 5));
        Assert.NotEqual(Batching.Permutation(10, 5), Batching.Permutation(10, 6));
        Assert.Equal(Enumerable.Range(0, 10), Batching.Permutation(10, 5).Order());
    }

    internal static string[] Describe(IEnumerable<TrainingMetrics> history) =>
        history.Select(m => $"{m.Stage} {m.Step}/{m.TotalSteps} {m.Epoch:R} " +
                            string.Join(" ", m.Values.Select(kv => $"{kv.Key}={kv.Value:R}"))).ToArray();
}
