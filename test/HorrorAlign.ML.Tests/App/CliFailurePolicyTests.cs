using System.Text.Json;
using System.Text.Json.Nodes;
using HorrorAlign.ML.Data;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Pipeline;
using HorrorAlign.ML.Samples.Cli;
using HorrorAlign.ML.Samples.Commands;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Tests.Data;
using HorrorAlign.ML.Tests.Training;

namespace HorrorAlign.ML.Tests.App;

/// <summary>
/// One failure policy for every command: a usage error exits 2, bad input or I/O exits 1, Ctrl+C exits 130, each with
/// one line on stderr and never a stack trace; an output never replaces an input or anything but a regular file; and
/// Ctrl+C keeps the stories finished before it. Serial: the tiny run seeds torch's global generator.
/// </summary>
[Collection(SerialTorchCollection.Name)]
public sealed class CliFailurePolicyTests(TinyRun run) : IClassFixture<TinyRun>
{
    private static void AssertOneLine(CliRun result, int exitCode, string mentions)
    {
        Assert.True(result.ExitCode == exitCode, result.ToString());
        Assert.Single(result.Error.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
        Assert.Contains(mentions, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    private static string Specs(TempDirectory dir)
    {
        string path = dir.File("specs.jsonl");
        StorySpecFile.Write(path, [.. BenchmarkSpecs.DevSpecs().Take(3)]);
        return path;
    }

    [Theory]
    [InlineData("generate", "--specs")]
    [InlineData("evaluate", "--specs")]
    public void OutEqualToAnInputIsAUsageErrorNamingBothFlags(string command, string inputFlag)
    {
        using var dir = new TempDirectory();
        string specs = Specs(dir), link = dir.File("link.jsonl");
        File.CreateSymbolicLink(link, specs);
        string before = File.ReadAllText(specs);

        foreach (string output in new[] { specs, link, Path.Combine(dir.Path, ".", "specs.jsonl") })
        {
            var result = CliRun.Invoke([command, "--model", dir.File("missing.zip"), inputFlag, specs, "--out", output, "--quiet"]);
            AssertOneLine(result, ExitCode.Usage, "--out");
            Assert.Contains(inputFlag, result.Error, StringComparison.Ordinal);
        }
        Assert.Equal(before, File.ReadAllText(specs));
    }

    [Fact]
    public void ConvertRefusesToWriteOverItsModel()
    {
        using var dir = new TempDirectory();
        string model = dir.File("model.zip");
        File.WriteAllText(model, "not read: the check comes first");

        AssertOneLine(CliRun.Invoke(["convert", "--model", model, "--out", model]), ExitCode.Usage, "--model");
    }

    /// <summary>A folder holding what a run's inputs could be: data files (its own and in data/), models, a checkpoint, a corpus.</summary>
    private static Dictionary<string, string> InputsIn(string folder)
    {
        var files = new Dictionary<string, string>();
        foreach (string name in new[] { "sft_train.jsonl", "data/sft_train.jsonl", "model.zip", "model.safetensors", "base.zip", "checkpoints/base.pt", "stories.txt", "train.log.jsonl" })
        {
            string path = Path.Combine(folder, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, "not read: the check comes first");
            files[path] = File.ReadAllText(path);
        }
        return files;
    }

    [Theory]
    [InlineData("train --config tiny", "--out", "--data", ".")]
    [InlineData("train --config tiny", "--out", "--data", "data")]
    [InlineData("train --config tiny", "--out", "--base", "model.zip")]
    [InlineData("train --config tiny", "--out", "--base", "checkpoints/base.pt")]
    [InlineData("train --config tiny", "--export-for-pytorch", "--data", ".")]
    [InlineData("train --config tiny", "--export-for-pytorch", "--base", "model.safetensors")]
    [InlineData("pretrain --max-steps 1", "--out", "--text", ".")]
    [InlineData("pretrain --max-steps 1", "--out", "--text", "train.log.jsonl")]
    public void AnOutFolderThatWouldWriteAnInputIsAUsageErrorNamingBothFlags(string command, string outFlag, string inputFlag, string input)
    {
        using var dir = new TempDirectory();
        var files = InputsIn(dir.Path);
        string[] args = [.. command.Split(' '), outFlag, dir.Path, inputFlag, Path.Combine(dir.Path, input)];

        var result = CliRun.Invoke(args);

        AssertOneLine(result, ExitCode.Usage, outFlag);
        Assert.Contains(inputFlag, result.Error, StringComparison.Ordinal);
        Assert.All(files, f => Assert.Equal(f.Value, File.ReadAllText(f.Key))); // nothing written, nothing begun
        Assert.Equal(files.Keys.Order(), Directory.GetFiles(dir.Path, "*", SearchOption.AllDirectories).Order());
    }

    [Fact]
    public void AnInputBesideTheRunsFilesIsNotRefused()
    {
        using var dir = new TempDirectory();
        InputsIn(dir.Path);

        // base.zip is no file the run writes: the run begins, and fails on the base itself (bad input, not usage).
        var result = CliRun.Invoke(["train", "--config", "tiny", "--out", dir.Path, "--base", dir.File("base.zip"), "--quiet"]);

        AssertOneLine(result, ExitCode.Failure, "base.zip");
    }

    [Fact]
    public void EveryFileATrainRunWritesIsOneTheOutCheckKnows()
    {
        Assert.True(run.ExitCode == 0, run.Output);
        var writes = AlignmentPipeline.Writes(run.Folder);

        Assert.All(Directory.GetFiles(run.Folder, "*", SearchOption.AllDirectories),
            f => Assert.True(writes.Files.Contains(f) || f.EndsWith(".png", StringComparison.Ordinal), f)); // the plots are the command's
    }

    [Fact]
    public void ConvertRefusesToWriteOverTheDescriptionItsModelIsReadWith()
    {
        using var dir = new TempDirectory();
        string model = dir.File("a.pt"), description = dir.File("config.json");
        using (var zip = System.IO.Compression.ZipFile.Open(model, System.IO.Compression.ZipArchiveMode.Create))
            zip.CreateEntry("archive/data.pkl"); // a torch.save file, as far as the check looks
        File.WriteAllText(description, "{}");

        var result = CliRun.Invoke(["convert", "--model", model, "--out", dir.File("b.pt")]);

        AssertOneLine(result, ExitCode.Usage, "--out");
        Assert.Contains("--model", result.Error, StringComparison.Ordinal);
        Assert.Equal("{}", File.ReadAllText(description));
        Assert.False(File.Exists(dir.File("b.pt")));
    }

    [Theory]
    [InlineData("generate")]
    [InlineData("evaluate")]
    public void ADeviceNodeOutIsRefusedBeforeAnyWorkAndStaysADevice(string command)
    {
        if (!OperatingSystem.IsLinux()) return;
        using var dir = new TempDirectory();

        // The model does not exist: failing on --out rather than on the model shows the check comes before the work.
        var result = CliRun.Invoke([command, "--model", dir.File("missing.zip"), "--specs", Specs(dir), "--out", "/dev/null", "--quiet"]);

        AssertOneLine(result, ExitCode.Failure, "/dev/null");
        Assert.Equal(FileStatus.Kind.Other, FileStatus.Of("/dev/null").Type);
    }

    [Fact]
    public void AnOutBelowARegularFileFailsBeforeGenerating()
    {
        using var dir = new TempDirectory();
        string file = dir.File("plain");
        File.WriteAllText(file, "x");

        var result = CliRun.Invoke(["generate", "--model", dir.File("missing.zip"), "--specs", Specs(dir), "--out", Path.Combine(file, "out.jsonl")]);

        AssertOneLine(result, ExitCode.Failure, file);
    }

    [Fact]
    public void UnreadableOrUnwritablePathsAreOneLineAndExit1()
    {
        using var dir = new TempDirectory();
        string file = dir.File("plain");
        File.WriteAllText(file, "x");

        AssertOneLine(CliRun.Invoke(["generate", "--model", Path.Combine(file, "model.zip"), "--prompt", "p"]), ExitCode.Failure, file);
        AssertOneLine(CliRun.Invoke(["generate", "--model", dir.Path, "--prompt", "p"]), ExitCode.Failure, dir.Path);
        AssertOneLine(CliRun.Invoke(["train", "--config", "tiny", "--out", Path.Combine(file, "run"), "--quiet"]), ExitCode.Failure, file);
    }

    [Fact]
    public void ExpectedFailuresMapToTheirExitCodes()
    {
        var error = new StringWriter();
        Assert.Equal(ExitCode.Failure, GuardedAction.Run("generate", error, () => throw new UnauthorizedAccessException("Access to the path '/m.zip' is denied."), default));
        Assert.Equal(ExitCode.Failure, GuardedAction.Run("generate", error, () => throw new IOException("disk full: /out.jsonl"), default));
        Assert.Equal(ExitCode.Usage, GuardedAction.Run("generate", error, () => throw new CliException("--out is the same file as --specs"), default));
        Assert.Equal(3, error.ToString().TrimEnd('\n').Split('\n').Length);
    }

    [Fact]
    public void AnUnexpectedExceptionIsOneLineWithoutAStackTrace()
    {
        var error = new StringWriter();

        int code = GuardedAction.Run("generate", error, () => throw new NullReferenceException("a bug"), default);

        Assert.Equal(ExitCode.Failure, code);
        Assert.Single(error.ToString().TrimEnd('\n').Split('\n'));
        Assert.Contains("NullReferenceException", error.ToString(), StringComparison.Ordinal);
        Assert.Contains(GuardedAction.VerboseVariable, error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void VerboseAddsTheStackTraceOfAnUnexpectedFailure(bool verbose)
    {
        // A command that fails as a bug would, under the real root: its global options and its guard.
        static void AddFailingCommand(HorrorAlignCli cli)
        {
            var failing = new System.CommandLine.Command("failing");
            failing.SetGuardedAction(cli.Streams, (_, _) => throw new NullReferenceException("a bug"));
            cli.Root.Subcommands.Add(failing);
        }

        var result = CliRun.Invoke(verbose ? ["failing", "--verbose"] : ["failing"], setup: AddFailingCommand);

        Assert.True(result.ExitCode == ExitCode.Failure, result.ToString());
        Assert.StartsWith("error: failing failed unexpectedly (NullReferenceException): a bug", result.Error, StringComparison.Ordinal);
        Assert.Equal(verbose, result.Error.Contains("   at ", StringComparison.Ordinal));
        if (!verbose) Assert.Contains("--verbose", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void VerboseIsTakenBeforeOrAfterTheCommandAndAnExpectedFailureStaysOneLine()
    {
        using var dir = new TempDirectory();
        string missing = dir.File("missing.zip");

        AssertOneLine(CliRun.Invoke(["--verbose", "generate", "--model", missing, "--prompt", "p"]), ExitCode.Failure, missing);
        AssertOneLine(CliRun.Invoke(["generate", "--model", missing, "--prompt", "p", "--verbose"]), ExitCode.Failure, missing);
    }

    [Fact]
    public void ACancelWrappedByParallelWorkersIsStillCtrlC()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var error = new StringWriter();

        int code = GuardedAction.Run("evaluate", error, () => throw new AggregateException(new OperationCanceledException(cts.Token)), cts.Token);

        Assert.Equal(ExitCode.Interrupted, code);
        Assert.Equal("interrupted: evaluate stopped (Ctrl+C)\n", error.ToString());
    }

    [Fact]
    public void CtrlCInGenerateSpecsKeepsTheFinishedRowsInInputOrder()
    {
        Assert.True(run.ExitCode == 0, run.Output);
        using var dir = new TempDirectory();
        string specs = ManySpecs(dir), output = dir.File("stories.jsonl");

        var result = InterruptOnceSomeFinished(["generate", "--model", run.File(AlignmentPipeline.ModelFile), "--specs", specs, "--out", output, "--quiet"], output);

        string[] ids = [.. File.ReadLines(output).Select(line => JsonDocument.Parse(line).RootElement.GetProperty("id").GetString()!)];
        Assert.Equal(ids.OrderBy(id => int.Parse(id[1..], System.Globalization.CultureInfo.InvariantCulture)), ids);
        Assert.Contains($"wrote those {ids.Length} rows", result.Error, StringComparison.Ordinal);
        Assert.EndsWith("interrupted: generate stopped (Ctrl+C)\n", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void CtrlCInEvaluateWritesTheReportOfTheFinishedStories()
    {
        Assert.True(run.ExitCode == 0, run.Output);
        using var dir = new TempDirectory();
        string specs = ManySpecs(dir), output = dir.File("report.json");

        var result = InterruptOnceSomeFinished(["evaluate", "--model", run.File(AlignmentPipeline.ModelFile), "--specs", specs, "--out", output, "--quiet"], output);

        var report = ModelEvaluationReport.FromJson(File.ReadAllText(output));
        Assert.InRange(report.Constraints!.Count, 1, SpecCount - 1);
        Assert.Contains($"of those {report.Constraints.Count}", result.Error, StringComparison.Ordinal);
        Assert.EndsWith("interrupted: evaluate stopped (Ctrl+C)\n", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ModelEvaluator.PairsPhase, "constraint", "(no preference or SFT results)")]
    [InlineData(ModelEvaluator.SftLossPhase, "constraint and preference", "(no SFT results)")]
    public void CtrlCInALaterPhaseOfEvaluateWritesThePhasesFinishedBeforeIt(string phase, string kept, string lacking)
    {
        Assert.True(run.ExitCode == 0, run.Output);
        using var dir = new TempDirectory();
        string output = dir.File("report.json");
        using var ctrlC = new CancellationTokenSource();

        // The run's own evaluation (its specs, test pairs and SFT test set, its SFT model as reference), Ctrl+C as the phase starts.
        var result = CliRun.Invoke(["evaluate", "--model", run.File(AlignmentPipeline.ModelFile), "--out", output, "--quiet"], ct: ctrlC.Token,
            setup: cli => cli.Root.Subcommands.OfType<EvaluateCommand>().Single().Progressed = e =>
            {
                if (e.Phase == phase) ctrlC.Cancel();
            });

        Assert.True(result.ExitCode == ExitCode.Interrupted, result.ToString());
        var report = ModelEvaluationReport.FromJson(File.ReadAllText(output));
        Assert.Equal(File.ReadLines(run.File(AlignmentPipeline.EvaluationSpecsFile)).Count(), report.Constraints!.Count);
        Assert.Equal(phase == ModelEvaluator.SftLossPhase, report.Preferences is not null);
        Assert.Null(report.SftLoss);
        var interrupted = JsonNode.Parse(File.ReadAllText(output))!["interrupted"]!;
        Assert.Equal(phase, (string?)interrupted["phase"]);
        Assert.Contains(lacking, (string?)interrupted["note"], StringComparison.Ordinal);
        Assert.Equal([output], Directory.GetFiles(dir.Path)); // written whole, no temporary file left
        Assert.Equal($"evaluate: Ctrl+C in the {phase} phase; wrote the {kept} results finished before it to {output} {lacking}\n" +
                     "interrupted: evaluate stopped (Ctrl+C)\n", result.Error);
    }

    private const int SpecCount = 2000;

    /// <summary>Many specs with ids s1, s2, … so that a run is long enough to interrupt.</summary>
    private static string ManySpecs(TempDirectory dir)
    {
        var pool = BenchmarkSpecs.DevSpecs();
        string path = dir.File("many.jsonl");
        StorySpecFile.Write(path, [.. Enumerable.Range(0, SpecCount).Select(i => pool[i % pool.Count] with { Id = $"s{i + 1}" })]);
        return path;
    }

    /// <summary>Runs <paramref name="args"/> and presses Ctrl+C after a delay, doubled until some stories were finished
    /// before it (nothing tells the test when the first batch is done).</summary>
    private static CliRun InterruptOnceSomeFinished(string[] args, string output)
    {
        for (int delay = 1500; ; delay *= 2)
        {
            using var ctrlC = new CancellationTokenSource(delay);
            var result = CliRun.Invoke(args, ct: ctrlC.Token);
            Assert.True(result.ExitCode == ExitCode.Interrupted, result.ToString());
            if (File.Exists(output) || delay > 30_000) return result;
            Assert.Equal("interrupted: " + args[0] + " stopped (Ctrl+C)\n", result.Error); // nothing finished: nothing written
        }
    }
}
