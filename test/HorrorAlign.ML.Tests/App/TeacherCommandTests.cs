using System.Text.Json;
using HorrorAlign.ML.Chat;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.Generation;
using HorrorAlign.ML.Samples.Serving;
using HorrorAlign.ML.Synthesis;
using HorrorAlign.ML.Tests.Data;
using HorrorAlign.ML.Tests.Synthesis;

namespace HorrorAlign.ML.Tests.App;

/// <summary>
/// <c>data --provider openai</c> end to end, with no network and no mock: <c>serve</c> runs a real teacher model (one
/// trained on these specs' template stories) on loopback, and the command's official OpenAI client calls it over HTTP.
/// </summary>
public sealed class TeacherCommandTests(TeacherModel teacher) : IClassFixture<TeacherModel>
{
    private const string KeyVariable = "HORRORALIGN_TEST_TEACHER_KEY";
    private const string Key = "teacher-test-key";

    static TeacherCommandTests() => Environment.SetEnvironmentVariable(KeyVariable, Key);

    private async Task<StoryServer> Serve() => await StoryServer.StartAsync(
        new ServeOptions { Urls = "http://127.0.0.1:0", ModelId = "teacher", ApiKey = Key },
        new StoryChatClient(teacher.Model, new StoryChatClientOptions { OwnsModel = false, ModelId = "teacher", Sampling = new SamplingOptions { MaxNewTokens = 300 } }));

    /// <summary>The data command for <see cref="TeacherModel.Data"/>'s specs, asking the teacher at <paramref name="server"/>;
    /// a flag of <paramref name="extra"/> replaces the one given here.</summary>
    private static string[] Data(StoryServer server, string outDir, params string[] extra)
    {
        var flags = new Dictionary<string, string>
        {
            ["--out"] = outDir, ["--seed"] = "7", ["--sft-train"] = "3", ["--sft-val"] = "1", ["--sft-test"] = "1", ["--pref-train"] = "3",
            ["--pref-val"] = "1", ["--pref-test"] = "1", ["--heldout-specs"] = "2", ["--provider"] = "openai", ["--teacher-model"] = "teacher",
            ["--base-url"] = server.Addresses[0].TrimEnd('/') + "/v1", ["--api-key-env"] = KeyVariable, ["--temperature"] = "0",
            ["--max-output-tokens"] = "300", ["--batch-size"] = "3", ["--call-retries"] = "0",
        };
        for (int i = 0; i < extra.Length; i += 2) flags[extra[i]] = extra[i + 1];
        return ["data", .. flags.SelectMany(f => new[] { f.Key, f.Value })];
    }

    private static JsonElement TeacherRecord(string dir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, Dataset.StatsFile)));
        return doc.RootElement.GetProperty("teacher").Clone();
    }

    [Fact]
    public async Task TheTeacherWritesCheckedRowsWithTheirSourceAndARerunPaysNothing()
    {
        using var dir = new TempDirectory();
        await using var server = await Serve();
        var first = CliRun.Invoke(Data(server, dir.Path));
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("teacher: teacher wrote", first.Out);

        var dataset = Dataset.ReadFrom(dir.Path);
        var rows = dataset.SftTrain.Select(r => (r.Spec, Story: r.Response, r.Source))
            .Concat(dataset.PrefTrain.Concat(dataset.PrefValidation).Concat(dataset.PrefTest).Select(r => (r.Spec, Story: r.Chosen, r.Source))).ToList();
        Assert.All(rows, r => Assert.NotNull(r.Source));
        Assert.True(rows.Count(r => r.Source == StoryTeacher.Teacher) >= 5, string.Join("\n", rows.Select(r => r.Source)));
        Assert.All(rows.Where(r => r.Source == StoryTeacher.Teacher), r => Assert.True(StoryChecks.Check(r.Spec!, r.Story).AllPassed, r.Story));
        var record = TeacherRecord(dir.Path);
        Assert.Equal(4, record.GetProperty("calls").GetInt32());
        Assert.True(record.GetProperty("total_tokens").GetInt64() > 0);
        string[] files = [.. Directory.GetFiles(dir.Path, "*.jsonl").Order().Select(File.ReadAllText)];

        var rerun = CliRun.Invoke(Data(server, dir.Path));
        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        record = TeacherRecord(dir.Path);
        Assert.Equal(0, record.GetProperty("calls").GetInt32());
        Assert.Equal(4, record.GetProperty("cache_hits").GetInt32());
        Assert.Equal(files, Directory.GetFiles(dir.Path, "*.jsonl").Order().Select(File.ReadAllText));

        // What the teacher wrote trains like any other data.
        var train = CliRun.Invoke(["train", "--config", "tiny", "--data", dir.Path, "--out", Path.Combine(dir.Path, "run"), "--quiet"]);
        Assert.True(train.ExitCode == 0, train.ToString());
    }

    [Fact]
    public async Task AServerThatStopsMidRunLeavesTheRestToTheTemplates()
    {
        using var dir = new TempDirectory();
        var server = await Serve();
        var run = Task.Run(() => CliRun.Invoke(Data(server, dir.Path, "--batch-size", "1", "--max-consecutive-failures", "2")));
        string cache = Path.Combine(dir.Path, "teacher_cache");
        while (!run.IsCompleted && !(Directory.Exists(cache) && Directory.GetFiles(cache, "*.json").Length > 0)) await Task.Delay(5);
        await server.DisposeAsync(); // the answer in flight is finished; the next calls find nobody there

        var result = await run;
        Assert.True(result.ExitCode == 0, result.ToString());
        var record = TeacherRecord(dir.Path);
        Assert.Contains("in a row failed", record.GetProperty("stopped_because").GetString());
        Assert.InRange(record.GetProperty("calls").GetInt32(), 1, 9);
        Assert.True(record.GetProperty("template_rows").GetInt32() > 0);
        Assert.Equal(10, record.GetProperty("template_rows").GetInt32() + record.GetProperty("teacher_rows").GetInt32());
    }

    [Fact]
    public async Task CtrlCMidRunKeepsWhatWasPaidForAndTheRerunResumesFromIt()
    {
        using var dir = new TempDirectory();
        await using var server = await Serve();
        using var ctrlC = new CancellationTokenSource();
        string cache = Path.Combine(dir.Path, "teacher_cache");
        var run = Task.Run(() => CliRun.Invoke(Data(server, dir.Path, "--batch-size", "1"), ct: ctrlC.Token));
        while (!run.IsCompleted && !(Directory.Exists(cache) && Directory.GetFiles(cache, "*.json").Length > 0)) await Task.Delay(5);
        ctrlC.Cancel();
        var interrupted = await run;
        Assert.True(interrupted.ExitCode == 130, interrupted.ToString());
        Assert.False(File.Exists(dir.File(Dataset.SftTrainFile))); // nothing half-written
        int paid = Directory.GetFiles(cache, "*.json").Length;
        Assert.InRange(paid, 1, 9);

        var resumed = CliRun.Invoke(Data(server, dir.Path, "--batch-size", "1"));
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        var record = TeacherRecord(dir.Path);
        Assert.Equal(paid, record.GetProperty("cache_hits").GetInt32());
        Assert.Equal(10 - paid, record.GetProperty("calls").GetInt32());
    }

    [Fact]
    public async Task ASpentBudgetFallsBackToTemplatesOrStopsWithoutWriting()
    {
        using var dir = new TempDirectory();
        await using var server = await Serve();
        var spent = CliRun.Invoke(Data(server, dir.Path, "--max-calls", "1"));
        Assert.True(spent.ExitCode == 0, spent.ToString());
        var record = TeacherRecord(dir.Path);
        Assert.Equal(1, record.GetProperty("calls").GetInt32());
        Assert.Contains("--max-calls", record.GetProperty("stopped_because").GetString());

        using var other = new TempDirectory();
        var stopped = CliRun.Invoke(Data(server, other.Path, "--max-total-tokens", "10", "--fallback", "stop"));
        Assert.Equal(1, stopped.ExitCode);
        Assert.Contains("--max-total-tokens", stopped.Error);
        Assert.False(File.Exists(other.File(Dataset.SftTrainFile)));
        Assert.Single(Directory.GetFiles(Path.Combine(other.Path, "teacher_cache"))); // what was paid for is kept
    }

    [Fact]
    public async Task AnUnreachableTeacherMeansTemplateDataOrAClearStop()
    {
        using var dir = new TempDirectory();
        var server = await Serve();
        await server.DisposeAsync(); // its address now refuses connections
        var fallback = CliRun.Invoke(Data(server, dir.Path));
        Assert.True(fallback.ExitCode == 0, fallback.ToString());
        Assert.Contains("did not answer the connectivity check", fallback.Out);
        Assert.All(Dataset.ReadFrom(dir.Path).SftTrain, r => Assert.Equal(StoryTeacher.Template, r.Source));

        var stop = CliRun.Invoke(Data(server, dir.Path, "--fallback", "stop"));
        Assert.Equal(1, stop.ExitCode);
        Assert.Contains("connectivity check", stop.Error);
    }

    [Fact]
    public async Task AWrongKeyIsRefusedAtTheConnectivityCheck()
    {
        using var dir = new TempDirectory();
        await using var server = await Serve();
        Environment.SetEnvironmentVariable(KeyVariable + "_WRONG", "not-the-key");
        var result = CliRun.Invoke(Data(server, dir.Path, "--api-key-env", KeyVariable + "_WRONG", "--fallback", "stop"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("401", result.Error);
    }

    [Theory]
    [InlineData(new[] { "--provider", "openai", "--teacher-model", "m", "--api-key-env", "HORRORALIGN_NO_SUCH_VARIABLE" }, "$HORRORALIGN_NO_SUCH_VARIABLE")]
    [InlineData(new[] { "--provider", "openai", "--api-key-env", KeyVariable }, "--teacher-model")]
    [InlineData(new[] { "--teacher-model", "m" }, "--provider openai")]
    [InlineData(new[] { "--provider", "openai", "--teacher-model", "m", "--api-key-env", KeyVariable, "--base-url", "ftp://x" }, "--base-url")]
    [InlineData(new[] { "--provider", "llama" }, "--provider")]
    [InlineData(new[] { "--api-key-env", "X" }, "--api-key-env is a teacher flag")]
    [InlineData(new[] { "--call-retries", "1" }, "--call-retries is a teacher flag")]
    public void TeacherFlagsThatDoNotGoTogetherAreUsageErrors(string[] flags, string named)
    {
        using var dir = new TempDirectory();
        var result = CliRun.Invoke(["data", "--out", dir.Path, "--sft-train", "2", .. flags]);
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(named, result.Error);
    }
}
