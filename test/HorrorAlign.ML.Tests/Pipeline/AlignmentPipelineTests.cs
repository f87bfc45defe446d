using System.Text.Json.Nodes;
using HorrorAlign.ML.Pipeline;
using HorrorAlign.ML.Tests.App;
using HorrorAlign.ML.Tests.Training;

namespace HorrorAlign.ML.Tests.Pipeline;

/// <summary>The library's pipeline is what <c>train</c> runs: the same options give the same metrics through either face.
/// Serial: a run beside them (other tests train too) would draw from torch's global generator between their draws.</summary>
[Collection(SerialTorchCollection.Name)]
public sealed class AlignmentPipelineTests(TinyRun cli) : IClassFixture<TinyRun>
{
    [Fact]
    public void TheTinyRunThroughTheLibraryGivesTheCliRunsMetrics()
    {
        Assert.Equal(0, cli.ExitCode);
        string folder = Path.Combine(cli.Root, "library");
        using (var run = AlignmentPipeline.Run(RunOptions.Tiny, folder))
        {
            Assert.NotNull(run.DpoModel.Model);
        }
        foreach (string file in new[] { AlignmentPipeline.ModelFile, AlignmentPipeline.SftModelFile, RunMetrics.FileName, AlignmentPipeline.RunFile })
            Assert.True(File.Exists(Path.Combine(folder, file)), file);
        Assert.False(Directory.Exists(Path.Combine(folder, AlignmentPipeline.CheckpointFolder)));

        // Everything but the wall times ("run.seconds" and what is derived from them) must match.
        JsonNode Metrics(string dir)
        {
            var node = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, RunMetrics.FileName)))!;
            var run = node["run"]!.AsObject();
            run.Remove("seconds");
            run.Remove("train_and_evaluation_seconds");
            run.Remove("within_wall_time_target");
            return node;
        }
        Assert.Equal(Metrics(cli.Folder).ToJsonString(), Metrics(folder).ToJsonString());
        Assert.Equal(File.ReadAllText(cli.File("samples.md")), File.ReadAllText(Path.Combine(folder, "samples.md")));
    }

    [Fact]
    public void ARunFolderIsNotOverwrittenAndAFinishedOneIsComplete()
    {
        Assert.Equal(0, cli.ExitCode);
        Assert.True(AlignmentPipeline.IsComplete(cli.Folder));
        var e = Assert.Throws<IOException>(() => AlignmentPipeline.Run(RunOptions.Tiny, cli.Folder));
        Assert.Contains("already holds a run", e.Message);
        var missing = Assert.Throws<InvalidDataException>(() => AlignmentPipeline.Resume(Path.Combine(cli.Root, "nothing-here")));
        Assert.Contains("not a run folder", missing.Message);
    }

    [Theory]
    [InlineData("default")]
    [InlineData("tiny")]
    public void OptionsRoundTripThroughRunJson(string preset)
    {
        var options = RunOptions.FromPreset(preset).WithSeed(5);
        string json = options.ToJson();
        var back = RunOptions.FromJson(json, "run.json");
        Assert.Equal(json, back.ToJson());
        Assert.Equal(5, back.Sft.Seed);
        Assert.Equal(5, back.Dataset.Seed);
        Assert.Contains("\"on_policy\"", json);
    }

    [Fact]
    public void BadRunJsonNamesTheFileAndTheField()
    {
        var json = JsonNode.Parse(RunOptions.Tiny.ToJson())!;
        json["sft"]!["learnin_rate"] = 0.1;
        var e = Assert.Throws<InvalidDataException>(() => RunOptions.FromJson(json.ToJsonString(), "runs/x/run.json"));
        Assert.Contains("runs/x/run.json", e.Message);
        Assert.Contains("learnin_rate", e.Message);

        var invalid = RunOptions.Tiny with { OnPolicy = RunOptions.Tiny.OnPolicy with { Repeats = 0 } };
        Assert.Contains("OnPolicyOptions.Repeats", Assert.Throws<ArgumentException>(invalid.Validate).Message);
    }

    [Fact]
    public void TheMLNetTrainersDefaultsAreTheDefaultRuns()
    {
        // What `Trainers.Sft()`/`Trainers.Dpo()` train with and no options, against what `train` runs (mining writes
        // stories one per core in the chain, `--threads` at a time in the pipeline: the pairs do not depend on it).
        var d = RunOptions.Default.Resolved();
        string Json(object o) => System.Text.Json.JsonSerializer.Serialize(o, o.GetType());
        Assert.Equal(Json(d.Sft), Json(new SftTrainer.Options().Training));
        Assert.Equal(Json(d.Dpo), Json(new DpoTrainer.Options().Training));
        Assert.Equal(Json(d.OnPolicy with { Parallelism = 1 }), Json(new DpoTrainer.Options().OnPolicy with { Parallelism = 1 }));
        Assert.Equal(Json(d.Dataset), Json(new HorrorAlign.ML.Synthesis.DatasetOptions())); // what Dataset.Generate() makes
        Assert.Equal((3072, 128, 0.5, 96, 3), (d.Dataset.SftTrainSize, d.Dataset.PrefTrainSize, d.Dataset.FreshValueShare, d.OnPolicy.Specs, d.OnPolicy.Repeats));
    }
}
