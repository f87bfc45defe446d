using HorrorAlign.ML.Data;
using HorrorAlign.ML.MLNet;
using HorrorAlign.ML.Training;
using Microsoft.ML;

namespace HorrorAlign.ML.Tests.MLNet;

/// <summary>The SFT warm start, and which rows of one data view each stage trains on.</summary>
[Collection(MLNetCollection.Name)]
public sealed class StoryTrainerRowTests(TrainedPipeline fixture)
{
    [Fact]
    public void SftWarmStartContinuesFromTheGivenModelWithoutChangingIt()
    {
        var ml = fixture.Context;
        var featurized = fixture.Featurizer.Transform(fixture.Data);
        var options = MLNetFixtures.SftOptions();
        options.Training = options.Training with { MaxSteps = 2 };
        using var warm = ml.StoryGeneration().Trainers.Sft(options).Fit(featurized, fixture.Sft);
        using var fresh = ml.StoryGeneration().Trainers.Sft(options).Fit(featurized);

        Assert.NotEqual(fixture.Sft.ModelHash, warm.ModelHash);
        Assert.Equal(fixture.Sft.Model.Config, warm.Model.Config);
        Assert.Equal(fixture.Sft.Model.Vocabulary.Size, warm.Model.Vocabulary.Size);
        // The given model is untouched: encoded again, it has its stored hash.
        Assert.Equal(fixture.Sft.ModelHash, ModelPayload.Encode(fixture.Sft.Model, fixture.Sft.StoredPrecision).Hash);
        // It continued from the trained weights: its first loss is far below that of the same run from scratch.
        static double FirstLoss(StoryModelTransformer t) => t.TrainingHistory.First(m => m.Values.ContainsKey(MetricNames.Loss)).Values[MetricNames.Loss];
        Assert.True(FirstLoss(warm) < FirstLoss(fresh) - 0.1, $"warm {FirstLoss(warm)}, fresh {FirstLoss(fresh)}");
    }

    [Fact]
    public void SftFromABaseModelFileStartsFromItsWeights()
    {
        // The ML.NET face of train --base: a PyTorch checkpoint of the trained SFT model as the base.
        string dir = Directory.CreateTempSubdirectory("ha-base-").FullName;
        try
        {
            string path = Path.Combine(dir, "base.safetensors");
            HorrorAlign.ML.Persistence.PyTorchCheckpoint.Save(fixture.Sft.Model, path);
            var featurized = fixture.Featurizer.Transform(fixture.Data);
            var options = MLNetFixtures.SftOptions();
            options.Training = options.Training with { MaxSteps = 2 };
            using var warm = fixture.Context.StoryGeneration().Trainers.Sft(options).Fit(featurized, fixture.Sft);
            options.BaseModel = path;
            using var fromBase = fixture.Context.StoryGeneration().Trainers.Sft(options).Fit(featurized);
            Assert.Equal(fixture.Sft.Model.Config, fromBase.Model.Config);
            Assert.Equal(warm.ModelHash, fromBase.ModelHash); // the same start, the same seed: the same model
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    static StoryPairInput[] MixedRows()
    {
        var pairs = MLNetFixtures.Dataset.PrefTrain;
        return
        [
            .. pairs.Take(8).Select(StoryPairInput.FromPair),
            .. pairs.Skip(8).Take(4).Select(p => StoryPairInput.FromExample(new SftExample(p.Id, p.Prompt, p.Chosen, p.Spec))),
        ];
    }

    [Fact]
    public void DataViewRowsBecomeTheLibrarysRowsWithTheirRowNumberAsId()
    {
        var view = fixture.Featurizer.Transform(fixture.Context.Data.LoadFromEnumerable(MixedRows()));
        var options = MLNetFixtures.DpoOptions();
        options.ValidationFraction = 0;
        var (train, validation, skipped) = options.ReadRows(view, (id, r) => new PreferencePair(id, r[0], r[1], r[2], PairKind.Contrastive),
            p => p.Prompt, "DPO", seed: 1);
        Assert.Equal([.. Enumerable.Range(0, 8).Select(i => $"input:{i}")], train.Select(p => p.Id));
        Assert.Equal(MLNetFixtures.Dataset.PrefTrain.Take(8).Select(p => (p.Prompt, p.Chosen, p.Rejected)),
            train.Select(p => (p.Prompt, p.Chosen, p.Rejected)));
        Assert.Empty(validation);
        Assert.Equal(4, skipped); // the SFT-only rows
    }

    [Fact]
    public void FromExampleMakesAnSftOnlyRow()
    {
        var spec = MLNetFixtures.Spec(2);
        var row = StoryPairInput.FromExample(new SftExample("x", spec.ToPrompt(), "A story.")); // the spec is read from the prompt
        Assert.Equal((spec.Title, spec.Twist, "A story.", ""), (row.Title, row.Twist, row.Chosen, row.Rejected));
    }

    [Fact]
    public void OneViewTrainsSftOnEveryRowAndDpoOnTheRowsWithARejectedStory()
    {
        var ml = new MLContext(seed: 1);
        var log = new List<string>();
        ml.Log += (_, e) => { lock (log) log.Add(e.Source + ": " + e.RawMessage); };
        var data = ml.Data.LoadFromEnumerable(MixedRows());
        var sft = MLNetFixtures.SftOptions();
        sft.ValidationFraction = 0;
        sft.Training = sft.Training with { MaxSteps = 2 };
        var dpo = MLNetFixtures.DpoOptions();
        dpo.ValidationFraction = 0;
        dpo.Training = dpo.Training with { MaxSteps = 1 };
        var sg = ml.StoryGeneration();
        using var model = sg.FeaturizeSpec().Append(sg.Trainers.Sft(sft)).Append(sg.Trainers.Dpo(dpo)).Fit(data);

        Assert.Contains(log, l => l.StartsWith("HorrorAlign.Sft: SFT: 12 training and 0 validation examples, seed 7", StringComparison.Ordinal));
        Assert.Contains(log, l => l.StartsWith(
            "HorrorAlign.Dpo: DPO: 8 training and 0 validation pairs (4 row(s) with an empty 'Rejected' skipped), seed 11", StringComparison.Ordinal));
    }

    [Fact]
    public void DpoWithoutAnyRejectedStoryNamesTheColumn()
    {
        var ml = fixture.Context;
        var sftOnly = ml.Data.LoadFromEnumerable(MixedRows().Skip(8).ToArray());
        var featurized = fixture.Featurizer.Transform(sftOnly);
        var e = Assert.Throws<InvalidOperationException>(() =>
            ml.StoryGeneration().Trainers.Dpo(MLNetFixtures.DpoOptions()).Fit(featurized, fixture.Sft));
        Assert.Contains("column 'Rejected' (the DPO rejected story) is empty in all 4 row(s)", e.Message);
    }
}
