using HorrorAlign.ML.IO;
using HorrorAlign.ML.Pipeline;
using HorrorAlign.ML.Synthesis;
using HorrorAlign.ML.Tests.Data;
using HorrorAlign.ML.Tests.Training;

namespace HorrorAlign.ML.Tests.Pipeline;

/// <summary>A run folder belongs to one run at a time, and nothing a failed or interrupted run leaves behind blocks
/// the next one. Serial: its runs seed torch's global generator, which would change the runs other tests compare.</summary>
[Collection(SerialTorchCollection.Name)]
public sealed class RunFolderTests
{
    [Fact]
    public async Task ASecondRunInAFolderInUseIsRefusedNamingTheFirst()
    {
        using var dir = new TempDirectory();
        using var firstIsIn = new ManualResetEventSlim();
        using var secondTried = new ManualResetEventSlim();
        // The first run holds the folder at its first progress report until the second has tried.
        var first = Task.Run(() =>
        {
            using var run = AlignmentPipeline.Run(RunOptions.Tiny, dir.Path, new InlineProgress<PipelineProgress>(_ =>
            {
                firstIsIn.Set();
                secondTried.Wait(TimeSpan.FromSeconds(60));
            }));
        });
        Assert.True(firstIsIn.Wait(TimeSpan.FromSeconds(60)));
        var e = Assert.Throws<IOException>(() => AlignmentPipeline.Run(RunOptions.Tiny, dir.Path));
        var resume = Assert.Throws<IOException>(() => AlignmentPipeline.Resume(dir.Path));
        secondTried.Set();
        await first;

        Assert.Contains("in use by another run", e.Message);
        Assert.Contains($"pid {Environment.ProcessId}", e.Message);
        Assert.Contains("in use by another run", resume.Message);
        Assert.True(AlignmentPipeline.IsComplete(dir.Path)); // the first run was not disturbed
        Assert.False(File.Exists(Path.Combine(dir.Path, RunLock.FileName)));
    }

    [Fact]
    public async Task TwoTrainCommandsStartedAtOnceInOneFolderLeaveOneConsistentRun()
    {
        using var dir = new TempDirectory();
        string folder = Path.Combine(dir.Path, "run");
        var runs = await Task.WhenAll(new[] { "1", "2" }.Select(seed =>
            Task.Run(() => App.CliRun.Invoke(["train", "--config", "tiny", "--seed", seed, "--out", folder, "--quiet"]))));

        Assert.Single(runs, r => r.ExitCode == 0);
        var refused = Assert.Single(runs, r => r.ExitCode != 0);
        // Refused by the first run's lock or the library's check (exit 1), or, when the first had written its run.json
        // before the second looked, by the CLI's check of --out (exit 2: continue it or choose another --out).
        Assert.True(refused.ExitCode == 1 && (refused.Error.Contains("in use by another run") || refused.Error.Contains("already holds a run"))
            || refused.ExitCode == 2 && refused.Error.Contains("already holds a run; continue it with --resume"), refused.ToString());
        // run.json and metrics.json come from the same run.
        var stored = AlignmentPipeline.ReadOptions(folder);
        string metrics = File.ReadAllText(Path.Combine(folder, RunMetrics.FileName));
        Assert.Contains($"\"seed\": {stored.Dataset.Seed},", metrics);
        Assert.DoesNotContain($"\"seed\": {3 - stored.Dataset.Seed},", metrics);
    }

    [Fact]
    public void QuietAndJsonTogetherAreJsonLines()
    {
        using var dir = new TempDirectory();
        var run = App.CliRun.Invoke(["train", "--config", "tiny", "--quiet", "--json", "--out", Path.Combine(dir.Path, "run")]);
        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines, line => System.Text.Json.JsonDocument.Parse(line).Dispose()); // --json wins over --quiet
    }

    [Fact]
    public void AStaleLockFileIsTakenOver()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(Path.Combine(dir.Path, RunLock.FileName), "pid 999999, started long ago\n"); // its process is gone
        using var run = AlignmentPipeline.Run(RunOptions.Tiny, dir.Path);
        Assert.True(AlignmentPipeline.IsComplete(dir.Path));
    }

    [Fact]
    public void ARunThatFailsBeforeTrainingLeavesNothingThatBlocksTheRerun()
    {
        using var dir = new TempDirectory();
        string data = Path.Combine(dir.Path, "data");
        Dataset.Generate(RunOptions.Tiny.Dataset).WriteTo(data);
        File.WriteAllText(Path.Combine(data, Dataset.PrefTrainFile), "{ not json\n");
        string folder = Path.Combine(dir.Path, "run");

        Assert.ThrowsAny<FormatException>(() => AlignmentPipeline.Run(RunOptions.Tiny with { DataDirectory = data }, folder));
        Assert.False(File.Exists(Path.Combine(folder, AlignmentPipeline.RunFile)));

        Dataset.Generate(RunOptions.Tiny.Dataset).WriteTo(data); // fixed
        using var run = AlignmentPipeline.Run(RunOptions.Tiny with { DataDirectory = data }, folder);
        Assert.True(AlignmentPipeline.IsComplete(folder));
    }

    [Theory]
    [InlineData("")]
    [InlineData("data")]
    public void TheLibraryRefusesARunFolderThatWouldWriteIntoItsDataFolder(string sub)
    {
        using var dir = new TempDirectory();
        string folder = Path.Combine(dir.Path, "run");
        string data = Path.Combine(folder, sub);
        Dataset.Generate(RunOptions.Tiny.Dataset).WriteTo(data);
        var before = Directory.GetFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllText);

        var e = Assert.Throws<ArgumentException>(() => AlignmentPipeline.Run(RunOptions.Tiny with { DataDirectory = data }, folder));
        Assert.Contains("RunOptions.DataDirectory", e.Message);
        Assert.Contains("writes into", e.Message);
        var after = Directory.GetFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllText);
        Assert.Equal(before, after); // nothing written, not even the lock
    }

    [Fact]
    public void TheLibraryRefusesABaseModelTheRunWouldReplace()
    {
        using var dir = new TempDirectory();
        string folder = Path.Combine(dir.Path, "run");
        Directory.CreateDirectory(folder);
        string model = Path.Combine(folder, AlignmentPipeline.ModelFile);
        File.WriteAllText(model, "a base that is not checked before the folder");

        var e = Assert.Throws<ArgumentException>(() => AlignmentPipeline.Run(RunOptions.Tiny with { BaseModel = model }, folder));
        Assert.Contains("RunOptions.BaseModel", e.Message);
        Assert.Equal("a base that is not checked before the folder", File.ReadAllText(model));
    }

    [Fact]
    public void AFinishedRunWithoutItsModelIsNotCompleteAndAResumeMakesItAgain()
    {
        using var dir = new TempDirectory();
        using (AlignmentPipeline.Run(RunOptions.Tiny, dir.Path)) { }
        byte[] model = File.ReadAllBytes(Path.Combine(dir.Path, AlignmentPipeline.ModelFile));
        File.Delete(Path.Combine(dir.Path, AlignmentPipeline.ModelFile));
        Assert.False(AlignmentPipeline.IsComplete(dir.Path));

        using (AlignmentPipeline.Resume(dir.Path)) { }
        Assert.True(AlignmentPipeline.IsComplete(dir.Path));
        Assert.Equal(model.Length, File.ReadAllBytes(Path.Combine(dir.Path, AlignmentPipeline.ModelFile)).Length);
    }

    [Fact]
    public void AResumeAfterACrashBetweenDataFilesMakesTheDataAgain()
    {
        using var dir = new TempDirectory();
        using (AlignmentPipeline.Run(RunOptions.Tiny, dir.Path, keepCheckpoints: true)) { }
        string dataDir = Path.Combine(dir.Path, AlignmentPipeline.DataFolder);
        string sftTrain = File.ReadAllText(Path.Combine(dataDir, Dataset.SftTrainFile));
        // As if the process died after the first data files: the rest and the completion marker are missing.
        File.Delete(Path.Combine(dataDir, Dataset.PrefTestFile));
        File.Delete(Path.Combine(dataDir, "source.txt"));

        using (AlignmentPipeline.Resume(dir.Path)) { }
        Assert.Equal(sftTrain, File.ReadAllText(Path.Combine(dataDir, Dataset.SftTrainFile)));
        Assert.True(File.Exists(Path.Combine(dataDir, Dataset.PrefTestFile)));
    }
}
