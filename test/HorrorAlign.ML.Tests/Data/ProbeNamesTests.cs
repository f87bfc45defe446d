using HorrorAlign.ML.Data;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Synthesis;

namespace HorrorAlign.ML.Tests.Data;

public class ProbeNamesTests
{
    [Fact]
    public void ProbeNamesAreInNoPoolAndNoFreshValue()
    {
        Assert.True(ProbeNames.All.Count >= 40);
        Assert.Empty(ProbeNames.All.Intersect(ValuePools.Default.Names));
        Assert.Equal(ProbeNames.All.Count, ProbeNames.All.Distinct().Count());

        // The generated training data never holds a probe name, so a model trained on it has never read one.
        var data = Dataset.Generate(new DatasetOptions { SftTrainSize = 200, PrefTrainSize = 40, FreshValueShare = 0.5 });
        var text = string.Join("\n", data.SftTrain.Select(r => r.Prompt + r.Response).Concat(data.PrefTrain.Select(p => p.Prompt + p.Chosen + p.Rejected)));
        Assert.DoesNotContain(ProbeNames.All, name => System.Text.RegularExpressions.Regex.IsMatch(text, $@"\b{name}\b"));
    }

    [Fact]
    public void ApplySwapsBothCharactersForTwoDifferentProbeNamesDeterministically()
    {
        var spec = new StorySpec("The Quiet Floor", "a lighthouse", "Mara", "Tobias", "a brass key", "never open the door", "the door was never there");
        for (int seed = 0; seed < 20; seed++)
        {
            var probe = ProbeNames.Apply(spec, new Random(seed));
            Assert.Contains(probe.Protagonist, ProbeNames.All);
            Assert.Contains(probe.SupportingCharacter, ProbeNames.All);
            Assert.NotEqual(probe.Protagonist, probe.SupportingCharacter);
            Assert.Equal(spec with { Protagonist = probe.Protagonist, SupportingCharacter = probe.SupportingCharacter }, probe);
            Assert.Equal(probe, ProbeNames.Apply(spec, new Random(seed)));
        }
    }
}

public class ProbeValuesTests
{
    [Fact]
    public void ProbeValuesAreInNoPoolAndInNoTrainingText()
    {
        var probe = ProbeValues.Pools;
        Assert.True(probe.Settings.Count >= 30 && probe.Objects.Count >= 30 && probe.Taboos.Count >= 40 && probe.Twists.Count >= 40);
        Assert.Equal(ProbeNames.All, probe.Names);
        Assert.Empty(probe.Values.Intersect(ValuePools.AllValues, StringComparer.OrdinalIgnoreCase));

        var data = Dataset.Generate(new DatasetOptions { SftTrainSize = 300, PrefTrainSize = 40, FreshValueShare = 0.5 });
        var text = string.Join("\n", data.SftTrain.Select(r => r.Prompt + r.Response).Concat(data.PrefTrain.Select(p => p.Prompt + p.Chosen + p.Rejected)));
        Assert.DoesNotContain(probe.Values.Except(probe.Names), value => text.Contains(value, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void EveryProbeSpecGetsAChosenStory()
    {
        // On-policy mining needs a template story for a spec whose sample cannot be repaired.
        var writer = new StoryWriter();
        var rng = new Random(3);
        foreach (var spec in ProbeValues.Pools.GenerateSpecs(60, seed: 5))
            Assert.True(writer.TryWriteChosen(spec, rng, out _), spec.ToPrompt());
    }
}
