using System.Text.Json;
using System.Text.Json.Nodes;
using HorrorAlign.ML.Data;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.Generation;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Pipeline;
using HorrorAlign.ML.Samples.Cli;
using HorrorAlign.ML.Samples.Commands;
using HorrorAlign.ML.Samples.Reporting;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Synthesis;
using HorrorAlign.ML.Tests.Training;
using Microsoft.ML;

namespace HorrorAlign.ML.Tests.App;

/// <summary>The app end to end, in process: <c>train --config tiny</c>, then <c>generate</c> and <c>evaluate</c> on
/// its model, and a run interrupted twice (in SFT, then in DPO) and resumed, which must equal the uninterrupted run.
/// Serial: training seeds torch's global generator.</summary>
[Collection(SerialTorchCollection.Name)]
public sealed class TrainCommandTests(TinyRun run) : IClassFixture<TinyRun>
{
    private static readonly string[] Artefacts =
    [
        AlignmentPipeline.ModelFile, AlignmentPipeline.SftModelFile, RunMetrics.FileName, TrainingLogFile.FileName, CurvesPlot.FileName,
        SummaryPlot.FileName, SamplesMarkdown.FileName, AlignmentPipeline.RunFile,
        Path.Combine(AlignmentPipeline.DataFolder, Dataset.SftTrainFile), Path.Combine(AlignmentPipeline.DataFolder, Dataset.PrefTestFile),
        Path.Combine(AlignmentPipeline.DataFolder, Dataset.HeldOutSpecsFile), Path.Combine(AlignmentPipeline.DataFolder, Dataset.StatsFile),
        Path.Combine(AlignmentPipeline.DataFolder, AlignmentPipeline.OnPolicyFile),
    ];

    [Fact]
    public void TinyTrainWritesEveryArtefactQuickly()
    {
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.True(run.Seconds < 120, $"tiny run took {run.Seconds:0} s");
        foreach (var name in Artefacts)
            Assert.True(File.Exists(run.File(name)) && new FileInfo(run.File(name)).Length > 0, $"missing artefact {name}");
        Assert.False(Directory.Exists(run.File(AlignmentPipeline.CheckpointFolder)), "checkpoints are removed once the run completes");
        foreach (var png in new[] { CurvesPlot.FileName, SummaryPlot.FileName })
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(run.File(png))[..4]);
        Assert.Contains("run complete", run.Output);

        var metrics = JsonNode.Parse(File.ReadAllText(run.File(RunMetrics.FileName)))!;
        foreach (var checkpoint in new[] { "sft", "dpo" })
        {
            var report = ModelEvaluationReport.FromJson(metrics["evaluation"]![checkpoint]!.ToJsonString());
            Assert.Equal(3, report.Constraints!.Count);
            Assert.Equal(14, report.Preferences!.All.Count);
            Assert.Equal(12, report.Preferences.Hard!.Count); // 14 pairs over the eight kinds, 12 of them hard
            Assert.Equal(8, report.Preferences.PerKind.Count);
            Assert.Equal(8, report.SftLoss!.Examples);
            Assert.True(double.IsFinite(report.SftLoss.Loss));
        }
        Assert.Equal(6, (int)metrics["sft"]!["steps"]!);
        // The tiny SFT model's stories for the 4 probe specs fail checks: each is a DPO pair, saved with its failures.
        Assert.Equal(4, (int)metrics["data"]!["on_policy_specs"]!);
        var mined = PreferencePair.ReadJsonl(run.File(Path.Combine(AlignmentPipeline.DataFolder, AlignmentPipeline.OnPolicyFile)));
        Assert.Equal(mined.Count, (int)metrics["data"]!["on_policy_pairs"]!);
        Assert.NotEmpty(mined);
        Assert.All(mined, p => Assert.Equal(PairKind.OnPolicy, p.Kind));
        Assert.All(mined, p => Assert.NotEmpty(p.Failures!));
        Assert.All(mined, p => Assert.StartsWith("probe-", p.Id, StringComparison.Ordinal)); // written for probe specs
        Assert.Equal(mined.Count(p => p.Repaired), (int)metrics["data"]!["on_policy_repaired"]!);
        Assert.True((bool)metrics["evaluation"]!["dpo"]!["preferences"]!["has_reference"]!);
        Assert.False((bool)metrics["evaluation"]!["sft"]!["preferences"]!["has_reference"]!);
        Assert.NotNull(metrics["comparison"]!["all_checks_pass_rate"]!.AsObject()["dpo"]);
        var paired = metrics["comparison"]!["all_checks_paired"]!;
        Assert.Equal((int)metrics["data"]!["heldout_specs"]!,
            new[] { "both", "sft_only", "dpo_only", "neither" }.Sum(k => (int)paired[k]!));
        Assert.InRange((double)paired["exact_mcnemar_p"]!, 0, 1);

        // One log line per training log entry and evaluation of both stages, in order.
        var lines = File.ReadAllLines(run.File(TrainingLogFile.FileName)).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(["sft", "dpo"], lines.Select(l => (string)l["stage"]!).Distinct());
        Assert.Equal(6, lines.Count(l => (string)l["stage"]! == "sft" && l["loss"] is not null));
        Assert.All(lines, l => Assert.True(l["step"] is not null && l["total_steps"] is not null && l["epoch"] is not null));

        string samples = File.ReadAllText(run.File(SamplesMarkdown.FileName));
        Assert.Contains("## 1.", samples);
        Assert.Contains("## 2.", samples);
        Assert.DoesNotContain("## 3.", samples);
        Assert.Contains("| taboo_honoured |", samples);
    }

    [Fact]
    public void ModelZipIsAnMLNetModelThatWritesTheEvaluatedStories()
    {
        Assert.Equal(0, run.ExitCode);
        var metrics = JsonNode.Parse(File.ReadAllText(run.File(RunMetrics.FileName)))!;
        var dpo = ModelEvaluationReport.FromJson(metrics["evaluation"]!["dpo"]!.ToJsonString());
        var first = dpo.Constraints!.Stories[0];

        var ml = new MLContext(seed: 1);
        var loaded = ml.Model.Load(run.File(AlignmentPipeline.ModelFile), out _);
        using (var engine = ml.Model.CreatePredictionEngine<StorySpecInput, StoryPrediction>(loaded))
            // The zip generates with the evaluation's sampling and its seed: story 0 of the evaluation used that seed.
            Assert.Equal(first.Story, engine.Predict(StorySpecInput.FromSpec(first.Spec)).Story);
        loaded.ReleaseStoryModels();
    }

    [Fact]
    public void GenerateSpecsWritesOneIdPromptStoryRowPerSpecInOrder()
    {
        Assert.Equal(0, run.ExitCode);
        string specsFile = Path.Combine(run.Root, "gen-specs.jsonl"), outFile = Path.Combine(run.Root, "gen-out.jsonl");
        var specs = StorySpecFile.Read(run.File(Path.Combine(AlignmentPipeline.DataFolder, Dataset.HeldOutSpecsFile))).Take(3).ToList();
        specs[1] = specs[1] with { Id = null }; // no id: its position is its id
        StorySpecFile.Write(specsFile, specs);

        var generated = CliRun.Invoke(["generate", "--checkpoint", run.File(AlignmentPipeline.ModelFile), "--specs", specsFile,
            "--out", outFile, "--max_new_tokens", "16", "--top_p", "0.9", "--seed", "3", "--quiet"]);

        Assert.True(generated.ExitCode == 0, generated.ToString());
        var lines = File.ReadAllLines(outFile);
        Assert.Equal(specs.Count, lines.Length);
        using var model = ModelArchive.Load(run.File(AlignmentPipeline.ModelFile));
        var sampling = new SamplingOptions { MaxNewTokens = 16, TopP = 0.9, Seed = 3 };
        for (int i = 0; i < lines.Length; i++)
        {
            using var row = JsonDocument.Parse(lines[i]);
            Assert.Equal(["id", "prompt", "story"], row.RootElement.EnumerateObject().Select(p => p.Name));
            Assert.Equal(specs[i].Id ?? (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), row.RootElement.GetProperty("id").GetString());
            Assert.Equal(specs[i].ToPrompt(), row.RootElement.GetProperty("prompt").GetString());
            Assert.Equal(TextGenerator.Generate(model, specs[i].ToPrompt(), sampling with { Seed = 3 + i }), row.RootElement.GetProperty("story").GetString());
        }
        Assert.Equal("2", JsonDocument.Parse(lines[1]).RootElement.GetProperty("id").GetString());

        // Its rows are what `evaluate --stories` reads back.
        var (readSpecs, stories) = EvaluateCommand.ReadStories(outFile, null);
        Assert.Equal(specs.Select(s => s.ToPrompt()), readSpecs.Select(s => s.ToPrompt()));
        Assert.Equal(3, stories.Count);
    }

    [Fact]
    public void GeneratePromptAndReplPrintStories()
    {
        Assert.Equal(0, run.ExitCode);
        var spec = StorySpecFile.Read(run.File(Path.Combine(AlignmentPipeline.DataFolder, Dataset.HeldOutSpecsFile)))[0];
        string model = run.File(AlignmentPipeline.ModelFile);
        using var loaded = ModelArchive.Load(model);
        var sampling = new SamplingOptions { MaxNewTokens = 10, Temperature = 0, TopP = 1 };
        string expected = TextGenerator.Generate(loaded, spec.ToPrompt(), sampling);

        string escaped = spec.ToPrompt().Replace("\n", "\\n", StringComparison.Ordinal);
        var oneshot = CliRun.Invoke(["generate", "--model", model, "--mode", "oneshot", "--prompt", escaped, "--top_p", "0", "--max-new-tokens", "10"]);
        Assert.True(oneshot.ExitCode == 0, oneshot.ToString());
        Assert.Equal(expected, oneshot.Out.TrimEnd('\n'));

        var repl = CliRun.Invoke(["generate", "--model", model, "--mode", "repl", "--top-p", "0", "--max-new-tokens", "10"],
            new StringReader(spec.ToJson() + "\n:quit\n"));
        Assert.True(repl.ExitCode == 0, repl.ToString());
        Assert.Contains(expected, repl.Out);
        Assert.Contains("[checks: ", repl.Out);
    }

    [Fact]
    public void EvaluateOnTheRunFolderReproducesTheRunsEvaluation()
    {
        Assert.Equal(0, run.ExitCode);
        string report = Path.Combine(run.Root, "eval.json");
        // Same data (the run's), the run's SFT model as reference, the tiny run's evaluation settings.
        var evaluated = CliRun.Invoke(["evaluate", "--model", run.File(AlignmentPipeline.ModelFile), "--out", report,
            "--max-new-tokens", "40", "--max-tokens", "384", "--batch-size", "8"]);

        Assert.True(evaluated.ExitCode == 0, evaluated.ToString());
        var metrics = JsonNode.Parse(File.ReadAllText(run.File(RunMetrics.FileName)))!;
        var expected = ModelEvaluationReport.FromJson(metrics["evaluation"]!["dpo"]!.ToJsonString());
        var actual = ModelEvaluationReport.FromJson(File.ReadAllText(report));
        Assert.Equal(expected.Constraints!.Stories.Select(s => s.Story), actual.Constraints!.Stories.Select(s => s.Story));
        Assert.Equal(expected.Constraints.AllPassedRate, actual.Constraints.AllPassedRate);
        Assert.Equal(expected.Preferences!.Hard!.RewardAccuracy, actual.Preferences!.Hard!.RewardAccuracy);
        Assert.Equal(expected.Preferences.All.PolicyMargin, actual.Preferences.All.PolicyMargin, 3);
        Assert.Equal(expected.SftLoss!.Loss, actual.SftLoss!.Loss, 5);
        Assert.Contains("ALL checks passed", evaluated.Out);
        Assert.Contains("SFT test perplexity", evaluated.Out);
    }

    [Fact]
    public void ARunInterruptedInSftAndAgainInDpoResumesToTheUninterruptedResult()
    {
        Assert.Equal(0, run.ExitCode);
        string folder = Path.Combine(run.Root, "resumed");

        // Ctrl+C at a chosen step, through the library the command runs (the CLI's token is the same token).
        void Interrupt(Func<IProgress<PipelineProgress>, CancellationToken, AlignmentRun> start, string stage, int step)
        {
            using var cts = new CancellationTokenSource();
            var progress = new InlineProgress<PipelineProgress>(e =>
            {
                if (e.Metrics is { IsEvaluation: false } m && m.Stage == stage && m.Step == step) cts.Cancel();
            });
            Assert.Throws<OperationCanceledException>(() => start(progress, cts.Token).Dispose());
        }

        Interrupt((p, ct) => AlignmentPipeline.Run(RunOptions.Tiny, folder, p, cancellationToken: ct), "sft", 3);
        Assert.True(File.Exists(Path.Combine(folder, AlignmentPipeline.CheckpointFolder, "sft.checkpoint")));
        Assert.False(File.Exists(Path.Combine(folder, RunMetrics.FileName)));
        // Options come from run.json; repeating one is refused, naming it.
        var refused = CliRun.Invoke(["train", "--resume", folder, "--seed", "1"]);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("drop --seed", refused.Error);

        Interrupt((p, ct) => AlignmentPipeline.Resume(folder, p, cancellationToken: ct), "dpo", 1);
        Assert.True(File.Exists(Path.Combine(folder, AlignmentPipeline.CheckpointFolder, "dpo.checkpoint")));
        var resumed = CliRun.Invoke(["train", "--out", folder, "--resume", "--quiet"]);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());

        var expected = JsonNode.Parse(File.ReadAllText(run.File(RunMetrics.FileName)))!.AsObject();
        var actual = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, RunMetrics.FileName)))!.AsObject();
        // The last invocation found SFT finished (all 6 steps) and DPO stopped after its first step.
        Assert.Equal(6, (int)actual["run"]!["sft_resumed_from_step"]!);
        Assert.Equal(1, (int)actual["run"]!["dpo_resumed_from_step"]!);
        expected.Remove("run"); // wall times and resume facts
        actual.Remove("run");
        Assert.Equal(expected.ToJsonString(), actual.ToJsonString());
        Assert.Equal(File.ReadAllText(run.File(TrainingLogFile.FileName)), File.ReadAllText(Path.Combine(folder, TrainingLogFile.FileName)));
        Assert.Equal(File.ReadAllBytes(run.File(AlignmentPipeline.ModelFile)).Length, File.ReadAllBytes(Path.Combine(folder, AlignmentPipeline.ModelFile)).Length);
        // A finished run does not train again.
        var again = CliRun.Invoke(["train", "--resume", folder]);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("already complete", again.Out);
    }

    [Fact]
    public void CtrlCBeforeTrainingStartsExits130()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var stopped = CliRun.Invoke(["train", "--config", "tiny", "--out", Path.Combine(run.Root, "cancelled"), "--quiet"], ct: cts.Token);
        Assert.Equal(130, stopped.ExitCode);
        Assert.StartsWith("interrupted:", stopped.Error);
    }

    [Fact]
    public void ExistingRunFolderAndBadOptionsAreRefusedClearly()
    {
        Assert.Equal(0, run.ExitCode);
        var cli = new HorrorAlignCli(new CliConsole(new AppConsole().Console, TextWriter.Null, TextReader.Null));
        RunOptions Read(params string[] args)
        {
            var result = cli.Parse(["train", .. args]);
            Assert.Empty(result.Errors);
            return ((TrainCommand)result.CommandResult.Command).ReadOptions(result);
        }
        CliRun Refused(params string[] args)
        {
            var r = CliRun.Invoke(["train", .. args]);
            Assert.True(r.ExitCode == 2, r.ToString());
            return r;
        }

        Assert.Contains("--resume", Refused("--config", "tiny", "--out", run.Folder).Error);
        Assert.Contains("--config takes default or tiny", Refused("--config", "huge").Error);
        Assert.Contains("--bogus", Refused("--config", "tiny", "--bogus", "1", "--out", Path.Combine(run.Root, "x")).Error);
        Assert.Contains("--heads: must divide --d-model", Refused("--heads", "5", "--out", Path.Combine(run.Root, "y")).Error);
        Assert.Contains("--on-policy-samples must be at least 1", Refused("--on-policy-samples", "0").Error);
        Assert.Contains("--repair-tries must not be negative", Refused("--repair-tries", "-1").Error);
        Assert.Contains("--on-policy-repeats must be at least 1", Refused("--on-policy-repeats", "0").Error);
        Assert.Contains("--dpo-loss takes sigmoid, robust, ipo or hinge", Refused("--dpo-loss", "kto").Error);
        Assert.Contains("--benchmark takes test or dev", Refused("--benchmark", "stress").Error);

        var overridden = Read("--config", "tiny", "--sft-epochs", "4", "--d-model", "48", "--seed", "9", "--top_p", "0.8");
        Assert.Equal(4, overridden.Sft.MaxEpochs);
        Assert.Equal(48, overridden.Sft.Model.DModel);
        Assert.Equal((9, 9, 9), (overridden.Dataset.Seed, overridden.Dpo.Seed, overridden.Evaluation.Sampling.Seed));
        Assert.Equal(0.8, overridden.Evaluation.Sampling.TopP);
        Assert.Equal("tiny", overridden.Preset);

        var dpo = Read("--dpo-loss", "sigmoid", "--rpo-alpha", "0", "--copy-head", "true",
            "--fresh-share", "0.25", "--on-policy-specs", "0", "--unseen-embedding", "true", "--unseen-dropout", "0.1", "--field-tokens", "false",
            "--enforce-fields", "false", "--benchmark", "dev");
        Assert.Equal((HorrorAlign.ML.Losses.DpoLossType.Sigmoid, 0.0), (dpo.Dpo.LossType, dpo.Dpo.RpoAlpha));
        Assert.Equal((true, 0.25, 0), (dpo.Sft.Model.CopyHead, dpo.Dataset.FreshValueShare, dpo.OnPolicy.Specs));
        Assert.Equal((true, 0.1), (dpo.Sft.Model.UnseenTokenEmbedding, dpo.Sft.UnseenTokenDropout));
        Assert.Equal((false, false, BenchmarkSet.Dev), (dpo.Sft.FieldTokens, dpo.Evaluation.Sampling.EnforceFields, dpo.Benchmark));
        Assert.False(Read().Resolved().OnPolicy.Sampling.EnforceFields); // mining samples the model alone
        Assert.Equal(RunOptions.Default.ToJson(), Read().ToJson()); // no flags: the default run
        var preset = RunOptions.Default;
        Assert.Equal((true, true, false, false, BenchmarkSet.Test, 400),
            (preset.Sft.FieldTokens, preset.Evaluation.Sampling.EnforceFields, preset.Sft.Model.CopyHead, preset.Sft.Model.UnseenTokenEmbedding, preset.Benchmark, preset.EvalSpecs));

        var mining = Read("--on-policy-samples", "3", "--repair-tries", "0", "--on-policy-repeats", "2", "--threads", "2", "--top-p", "0.9").Resolved();
        Assert.Equal((3, 0, 2), (mining.OnPolicy.SamplesPerSource, mining.OnPolicy.RepairTries, mining.OnPolicy.Repeats));
        Assert.Equal((2, 2), (mining.OnPolicy.Parallelism, mining.Evaluation.Parallelism));
        Assert.Equal(0.9, mining.OnPolicy.Sampling.TopP); // mining samples the way the evaluation does
    }

    [Fact]
    public void JsonModeStreamsOneObjectPerLineEndingWithTheSummary()
    {
        Assert.Equal(0, run.ExitCode);
        string folder = Path.Combine(run.Root, "json");
        var json = CliRun.Invoke(["train", "--config", "tiny", "--out", folder, "--json", "--sft-epochs", "1", "--eval-specs", "1"]);
        Assert.True(json.ExitCode == 0, json.ToString());

        var events = json.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(3, events.Count(e => (string)e["event"]! == "metrics" && (string)e["stage"]! == "sft" && e["loss"] is not null));
        Assert.Contains(events, e => (string)e["event"]! == "metrics" && (string)e["stage"]! == "dpo" && e["rewards/margins"] is not null);
        var done = events[^1];
        Assert.Equal("done", (string)done["event"]!);
        Assert.Equal(folder, (string)done["out"]!);
        Assert.NotNull(done["hard_pair_reward_accuracy"]);
        var stored = AlignmentPipeline.ReadOptions(folder);
        Assert.Equal((RunOptions.Tiny with { Sft = RunOptions.Tiny.Sft with { MaxEpochs = 1 }, EvalSpecs = 1 }).ToJson(), stored.ToJson());
    }
}
