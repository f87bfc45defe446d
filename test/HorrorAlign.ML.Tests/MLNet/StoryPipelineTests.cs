using HorrorAlign.ML.Generation;
using HorrorAlign.ML.MLNet;
using HorrorAlign.ML.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace HorrorAlign.ML.Tests.MLNet;

[Collection(MLNetCollection.Name)]
public sealed class StoryPipelineTests(TrainedPipeline fixture)
{
    [Fact]
    public void ChainFitsSftThenDpoOnOneDataView()
    {
        // The chain was fitted on one IDataView of spec + chosen + rejected rows; DPO found the SFT model in it.
        Assert.True(fixture.Featurizer.FromSpec);
        Assert.NotEqual(fixture.Sft.ModelHash, fixture.Dpo.ModelHash);
        Assert.Contains(fixture.Sft.TrainingHistory, m => m.Stage == "sft");
        Assert.Contains(fixture.Dpo.TrainingHistory, m => m.Stage == "dpo" && m.Values.ContainsKey(MetricNames.RewardsMargins));
        Assert.Equal(fixture.Dpo.Model.Config, fixture.Sft.Model.Config); // DPO continued from the SFT model

        var output = fixture.Model.Transform(fixture.Data);
        foreach (var column in new[] { "Prompt", "StoryModel", "Story", "Chosen", "Rejected", "title" })
            Assert.True(output.Schema.GetColumnOrNull(column) is not null, column);
        Assert.DoesNotContain(output.Schema, c => !c.IsHidden && c.Name.StartsWith("__HorrorAlign", StringComparison.Ordinal));

        var rows = output.Preview(maxRows: 2).RowView;
        var prompt = rows[0].Values.Single(kv => kv.Key == "Prompt").Value.ToString()!;
        Assert.Equal(MLNetFixtures.Spec(0).ToPrompt(), prompt);
        var model = rows[0].Values.Last(kv => kv.Key == "StoryModel").Value.ToString();
        Assert.Equal("HORRORALIGN-MODEL-v1;" + fixture.Dpo.ModelHash, model); // the last model column is DPO's
        var story = rows[0].Values.Single(kv => kv.Key == "Story").Value.ToString();
        Assert.Equal(TextGenerator.Generate(fixture.Dpo.Model, prompt, fixture.Model.LastTransformer.Sampling), story);
    }

    [Fact]
    public void TrainingProgressReachesMLContextLog()
    {
        lock (fixture.Log)
        {
            Assert.Contains(fixture.Log, l => l.StartsWith("HorrorAlign.Sft: sft step 1/", StringComparison.Ordinal));
            Assert.Contains(fixture.Log, l => l.StartsWith("HorrorAlign.Dpo: dpo step 1/", StringComparison.Ordinal));
            Assert.Contains(fixture.Log, l => l.Contains("stored model " + fixture.Dpo.ModelHash[..12], StringComparison.Ordinal));
        }
    }

    [Fact]
    public void ExplicitWarmStartEqualsChainedDpo()
    {
        var ml = fixture.Context;
        var featurized = fixture.Featurizer.Transform(fixture.Data);
        var progress = new List<TrainingMetrics>();
        var options = MLNetFixtures.DpoOptions();
        options.Progress = new Recorder(progress);
        using var dpo = ml.StoryGeneration().Trainers.Dpo(options).Fit(featurized, fixture.Sft);

        Assert.Equal(fixture.Dpo.ModelHash, dpo.ModelHash);
        Assert.Equal(fixture.Dpo.TrainingHistory.Select(Describe), progress.Select(Describe));
        using var generator = ml.StoryGeneration().GenerateStory(MLNetFixtures.GeneratorOptions()).Fit(featurized, dpo);
        Assert.True(generator.EmbedsModel);
        var explicitChain = new TransformerChain<ITransformer>(fixture.Featurizer, generator);
        Assert.Equal(fixture.Predict(fixture.Model, TrainedPipeline.PredictionSpecs), fixture.Predict(explicitChain, TrainedPipeline.PredictionSpecs));
    }

    [Fact]
    public void GeneratorAfterSftUsesTheSftModel()
    {
        var ml = fixture.Context;
        var afterSft = fixture.Sft.Transform(fixture.Featurizer.Transform(fixture.Data));
        using var generator = ml.StoryGeneration().GenerateStory(MLNetFixtures.GeneratorOptions()).Fit(afterSft);
        Assert.False(generator.EmbedsModel);
        var chain = new TransformerChain<ITransformer>(fixture.Featurizer, fixture.Sft, generator);
        var spec = MLNetFixtures.Spec(1);
        var expected = TextGenerator.Generate(fixture.Sft.Model, spec.ToPrompt(), generator.Sampling);
        Assert.Equal(expected, fixture.Predict(chain, [spec])[0]);
        Assert.Same(fixture.Sft.Model, chain.GetStoryModel()); // one cached instance per model hash
    }

    [Fact]
    public void SameSeedSamePromptSameStoryAcrossRows()
    {
        var specs = new[] { MLNetFixtures.Spec(2), MLNetFixtures.Spec(5), MLNetFixtures.Spec(2) };
        var stories = fixture.Predict(fixture.Model, specs);
        Assert.Equal(stories[0], stories[2]);
        Assert.Equal(stories, fixture.Predict(fixture.Model, specs));
    }

    [Fact]
    public void FeaturizerPassesAReadyMadePromptThrough()
    {
        var ml = fixture.Context;
        var prompt = MLNetFixtures.Spec(4).ToPrompt();
        var data = ml.Data.LoadFromEnumerable([new PromptRow { Prompt = prompt }]);
        var featurizer = ml.StoryGeneration().FeaturizeSpec().Fit(data);
        Assert.False(featurizer.FromSpec);
        Assert.Equal(prompt, featurizer.Transform(data).GetColumn<string>("Prompt").Single());
        // And the whole trained chain serves prompt rows once its featurizer is a pass-through.
        var chain = new TransformerChain<ITransformer>(featurizer, fixture.Dpo, fixture.Model.LastTransformer);
        using var engine = ml.Model.CreatePredictionEngine<PromptRow, StoryPrediction>(chain);
        Assert.Equal(fixture.Predict(fixture.Model, [MLNetFixtures.Spec(4)])[0], engine.Predict(new PromptRow { Prompt = prompt }).Story);
    }

    [Fact]
    public void CancelledTrainingThrows()
    {
        var ml = fixture.Context;
        var featurized = fixture.Featurizer.Transform(fixture.Data);
        var options = MLNetFixtures.SftOptions();
        options.CancellationToken = new CancellationToken(canceled: true);
        Assert.ThrowsAny<OperationCanceledException>(() => ml.StoryGeneration().Trainers.Sft(options).Fit(featurized));
    }

    [Fact]
    public void DisposingATrainedTransformerEvictsItsModel()
    {
        var ml = fixture.Context;
        var featurized = fixture.Featurizer.Transform(fixture.Data);
        var options = MLNetFixtures.SftOptions();
        options.Training = options.Training with { MaxSteps = 1 };
        options.Seed = 99;
        var sft = ml.StoryGeneration().Trainers.Sft(options).Fit(featurized);
        string hash = sft.ModelHash;
        Assert.True(StoryModelCache.Contains(hash));
        sft.Dispose();
        Assert.False(StoryModelCache.Contains(hash));
        // Still usable (ML.NET disposes a model with its PredictionEngine): used again, it decodes its model again.
        Assert.NotNull(sft.Model);
        Assert.True(StoryModelCache.Contains(hash));
        sft.Dispose();
        Assert.False(StoryModelCache.Contains(hash));
    }

    [Fact]
    public void EvaluateChecksTheStoriesOfTheFittedPipeline()
    {
        var scored = fixture.Model.Transform(fixture.Data);
        var metrics = fixture.Context.StoryGeneration().Evaluate(scored);
        var stories = scored.GetColumn<string>(StoryColumnNames.Story).ToArray();
        var specs = MLNetFixtures.Dataset.PrefTrain.Select(p => p.Spec!).ToArray();
        Assert.Equal(specs.Length, metrics.Count);
        var report = HorrorAlign.ML.Evaluation.ModelEvaluator.EvaluateStories(specs, stories);
        Assert.Equal(report.AllPassedRate, metrics.AllChecksPassRate);
        Assert.Equal(report.PassRates.Select(r => (r.Check, r.PassRate, r.Ci95![0], r.Ci95[1])), metrics.Report.PassRates.Select(r => (r.Check, r.PassRate, r.Ci95![0], r.Ci95[1])));
        Assert.Equal(report.Stories.Count(s => !s.AllPassed), metrics.FailingRows.Count);
    }

    static string Describe(TrainingMetrics m) =>
        $"{m.Stage}:{m.Step}:" + string.Join(",", m.Values.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value:R}"));

    sealed class Recorder(List<TrainingMetrics> sink) : IProgress<TrainingMetrics>
    {
        public void Report(TrainingMetrics value) => sink.Add(value);
    }
}
