using Microsoft.ML;
using Microsoft.ML.Data;

namespace HorrorAlign.ML.Tests.MLNet;

/// <summary>Where the trainers' and the generator's randomness comes from: the MLContext, unless the options set a seed.</summary>
[Collection(MLNetCollection.Name)]
public sealed class StoryTrainerSeedTests
{
    /// <summary>A featurize → SFT (2 steps) → generate chain on 6 rows; the trainer's and the generator's seeds are left
    /// to the context unless <paramref name="explicitSeed"/> is given.</summary>
    static (string Hash, string Story, int SamplingSeed, List<string> Log) Fit(int contextSeed, int? explicitSeed)
    {
        var ml = new MLContext(seed: contextSeed);
        var log = new List<string>();
        ml.Log += (_, e) => { lock (log) log.Add(e.Source + ": " + e.RawMessage); };
        var data = ml.Data.LoadFromEnumerable(MLNetFixtures.Rows(6));
        var sg = ml.StoryGeneration();
        var sft = MLNetFixtures.SftOptions();
        sft.Seed = explicitSeed;
        sft.Training = sft.Training with { MaxSteps = 2 };
        var generator = MLNetFixtures.GeneratorOptions();
        generator.Seed = null;
        using var model = sg.FeaturizeSpec().Append(sg.Trainers.Sft(sft)).Append(sg.GenerateStory(generator)).Fit(data);
        var trained = (SftTransformer)model.ToArray()[1];
        string story = model.Transform(data).GetColumn<string>(StoryColumnNames.Story).First();
        return (trained.ModelHash, story, model.LastTransformer.Sampling.Seed, log);
    }

    [Fact]
    public void TheMLContextSeedsTrainingAndGenerationUnlessTheOptionsSetASeed()
    {
        var first = Fit(contextSeed: 1, explicitSeed: null);
        var again = Fit(contextSeed: 1, explicitSeed: null);
        Assert.Equal(first.Hash, again.Hash);
        Assert.Equal(first.Story, again.Story);
        Assert.Equal(first.SamplingSeed, again.SamplingSeed);
        Assert.Contains(first.Log, l => l.StartsWith("HorrorAlign.Sft: SFT: ", StringComparison.Ordinal) && l.EndsWith("(from the MLContext)", StringComparison.Ordinal));

        var other = Fit(contextSeed: 2, explicitSeed: null);
        Assert.NotEqual(first.Hash, other.Hash);
        Assert.NotEqual(first.SamplingSeed, other.SamplingSeed);

        // An explicit seed wins over the context's.
        var one = Fit(contextSeed: 1, explicitSeed: 7);
        var two = Fit(contextSeed: 2, explicitSeed: 7);
        Assert.Equal(one.Hash, two.Hash);
        Assert.NotEqual(first.Hash, one.Hash);
        Assert.Contains(one.Log, l => l.StartsWith("HorrorAlign.Sft: SFT: ", StringComparison.Ordinal) && l.EndsWith("seed 7 (from the options)", StringComparison.Ordinal));
    }

    [Fact]
    public void EachComponentDrawsItsOwnRepeatableSeedFromTheContext()
    {
        static (int Sft, int Dpo, int Generator) Draw(int seed, int? explicitSftSeed = null)
        {
            var sg = new MLContext(seed).StoryGeneration();
            var sft = sg.Trainers.Sft(new SftTrainer.Options { Seed = explicitSftSeed });
            var dpo = sg.Trainers.Dpo();
            var generator = sg.GenerateStory();
            Assert.Equal(explicitSftSeed ?? sft.ContextSeed, sft.Seed);
            Assert.Equal(dpo.ContextSeed, dpo.Seed);
            return (sft.ContextSeed, dpo.ContextSeed, generator.ContextSeed);
        }
        var a = Draw(1);
        Assert.Equal(a, Draw(1));
        Assert.Equal(3, new[] { a.Sft, a.Dpo, a.Generator }.Distinct().Count());
        Assert.NotEqual(a, Draw(2));
        Assert.Equal(a, Draw(1, explicitSftSeed: 5)); // setting a seed does not shift the draws of later components
    }
}
