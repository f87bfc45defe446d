using HorrorAlign.ML.Chat;
using HorrorAlign.ML.Data;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.Generation;
using HorrorAlign.ML.Synthesis;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Tests.Data;

namespace HorrorAlign.ML.Tests.Synthesis;

/// <summary>The teacher over a real chat client (a trained model in process; the app tests put <c>serve</c> between):
/// validated stories with their source, the cache, budgets, retries and the fallbacks.</summary>
public sealed class StoryTeacherTests(TeacherModel teacher) : IClassFixture<TeacherModel>
{
    private static readonly Dataset Templates = Dataset.Generate(TeacherModel.Data);

    private StoryChatClient Client() => new(teacher.Model, new StoryChatClientOptions { OwnsModel = false, Sampling = new SamplingOptions { MaxNewTokens = 300 } });

    private static TeacherOptions Options(string? cache = null) => new()
    {
        Model = "horroralign", Temperature = 0, MaxOutputTokens = 300, BatchSize = 3, CacheDirectory = cache,
    };

    private static IEnumerable<(string Id, string Story, string? Source, StorySpec? Spec)> Stories(Dataset d) =>
        d.SftTrain.Concat(d.SftValidation).Concat(d.SftTest).Select(r => (r.Id, r.Response, r.Source, r.Spec))
            .Concat(d.PrefTrain.Concat(d.PrefValidation).Concat(d.PrefTest).Select(r => (r.Id, r.Chosen, r.Source, r.Spec)));

    [Fact]
    public async Task TheTeacherWritesStoriesThatPassEveryCheckAndRecordsWhoWroteEachRow()
    {
        using var client = Client();
        var (dataset, stats) = await new StoryTeacher(client, Options()).RewriteAsync(Templates);

        var rows = Stories(dataset).ToList();
        Assert.Equal(Stories(Templates).Select(r => r.Id), rows.Select(r => r.Id));
        Assert.All(rows, r => Assert.Contains(r.Source, new[] { StoryTeacher.Teacher, StoryTeacher.Template }));
        Assert.All(rows.Where(r => r.Source == StoryTeacher.Teacher), r => Assert.True(StoryChecks.Check(r.Spec!, r.Story).AllPassed, r.Story));
        Assert.True(stats.TeacherRows >= 8, $"{stats.TeacherRows} teacher rows"); // greedy: the teacher writes what it learned
        Assert.Equal(rows.Count, stats.TeacherRows + stats.TemplateRows);
        Assert.Equal(4, stats.Calls); // ten specs, three to a call
        Assert.True(stats.InputTokens > 0 && stats.OutputTokens > 0);
        Assert.Null(stats.StoppedBecause);
        // The rejected side stays the template's, which fails exactly its kind's check.
        foreach (var (pair, template) in dataset.PrefTrain.Zip(Templates.PrefTrain))
        {
            Assert.Equal(template.Rejected, pair.Rejected);
            if (pair.Kind.TargetCheck() is { } target) Assert.Equal([target], StoryChecks.Check(pair.Spec!, pair.Rejected).Failures);
        }
        Assert.Equal(Templates.HeldOutSpecs, dataset.HeldOutSpecs);
    }

    [Fact]
    public async Task ARerunIsAnsweredFromTheCacheAndPaysNothing()
    {
        using var dir = new TempDirectory();
        using var client = Client();
        var first = await new StoryTeacher(client, Options(dir.Path)).RewriteAsync(Templates);
        var second = await new StoryTeacher(client, Options(dir.Path)).RewriteAsync(Templates);

        Assert.Equal(4, first.Stats.Calls);
        Assert.Equal(0, second.Stats.Calls);
        Assert.Equal(4, second.Stats.CacheHits);
        Assert.Equal(Stories(first.Dataset), Stories(second.Dataset));
        Assert.Equal(4, Directory.GetFiles(dir.Path, "*.json").Length);
    }

    [Fact]
    public async Task ASpentBudgetLeavesTheRestToTheTemplatesOrStops()
    {
        using var client = Client();
        var (dataset, stats) = await new StoryTeacher(client, Options() with { MaxCalls = 1 }).RewriteAsync(Templates);
        Assert.Equal(1, stats.Calls);
        Assert.Contains("--max-calls", stats.StoppedBecause);
        Assert.InRange(stats.TeacherRows, 1, 3);
        Assert.Equal(Stories(Templates).Skip(3).Select(r => r.Story), Stories(dataset).Skip(3).Select(r => r.Story));

        var tokens = await new StoryTeacher(client, Options() with { MaxTotalTokens = 1 }).RewriteAsync(Templates);
        Assert.Equal(1, tokens.Stats.Calls); // checked before each call: the first goes, the second would pass the budget
        Assert.Contains("--max-total-tokens", tokens.Stats.StoppedBecause);

        var e = await Assert.ThrowsAsync<TeacherStoppedException>(() =>
            new StoryTeacher(client, Options() with { MaxCalls = 1, Fallback = TeacherFallback.Stop }).RewriteAsync(Templates));
        Assert.Contains("--max-calls", e.Message);
    }

    [Fact]
    public async Task StoriesThatFailACheckAreAskedForAgainThenKeepTheirTemplateStory()
    {
        using var client = Client();
        // Far too hot: the model's stories fall apart, so they fail checks and are asked for again with the next seed.
        var (dataset, stats) = await new StoryTeacher(client, Options() with { Temperature = 4, AttemptsPerRow = 2, MaxOutputTokens = 60 }).RewriteAsync(Templates);
        Assert.True(stats.TemplateRows > 0);
        Assert.InRange(stats.Retries, stats.TemplateRows, 10); // every row that kept its template was asked for twice
        Assert.NotEmpty(stats.FailedChecks);
        Assert.All(Stories(dataset).Where(r => r.Source == StoryTeacher.Template),
            r => Assert.Contains(r.Story, Stories(Templates).Select(t => t.Story)));
        Assert.Null(stats.StoppedBecause); // failing a check is the teacher's fault, not the endpoint's
    }

    [Fact]
    public async Task SourcesAndTheTeachersRecordReachTheFiles()
    {
        using var dir = new TempDirectory();
        using var client = Client();
        var (dataset, stats) = await new StoryTeacher(client, Options()).RewriteAsync(Templates);
        dataset.WriteTo(dir.Path);
        dataset.WriteStats(dir.Path, t => t.Length / 4, stats);

        var back = Dataset.ReadFrom(dir.Path);
        Assert.Equal(Stories(dataset).Select(r => r.Source), Stories(back).Select(r => r.Source));
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(dir.File(Dataset.StatsFile)));
        var record = json.RootElement.GetProperty("teacher");
        Assert.Equal(4, record.GetProperty("calls").GetInt32());
        Assert.Equal(stats.TotalTokens, record.GetProperty("total_tokens").GetInt64());
        Assert.Equal(stats.TeacherRows, record.GetProperty("teacher_rows").GetInt32());
        var sources = json.RootElement.GetProperty("files").GetProperty(Dataset.SftTrainFile).GetProperty("sources");
        Assert.Equal(3, sources.EnumerateObject().Sum(p => p.Value.GetInt32()));
        // A template dataset's files and stats stay as they were: no source, no teacher.
        Templates.WriteTo(dir.Path);
        Assert.DoesNotContain("\"source\"", File.ReadAllText(dir.File(Dataset.SftTrainFile)));
    }

    [Theory]
    [InlineData("A story.", 1, new[] { "A story." })]
    [InlineData("```json\n[\"One.\", \"Two.\"]\n```", 2, new[] { "One.", "Two." })]
    [InlineData("[\"One.\"]", 1, new[] { "One." })]
    [InlineData("[\"One.\"]", 2, null)]
    [InlineData("[\"One.\", \"\"]", 2, null)]
    [InlineData("Sure! Here are your stories: ...", 2, null)]
    [InlineData("  ", 1, null)]
    public void AnAnswerIsTheStoriesAskedForOrNothing(string text, int count, string[]? expected) =>
        Assert.Equal(expected, StoryTeacher.Parse(text, count));

    [Fact]
    public void OptionsNameWhatIsWrong()
    {
        Assert.Contains("Model", Assert.Throws<ArgumentException>(() => new TeacherOptions().Validate()).Message);
        Assert.Contains("BatchSize", Assert.Throws<ArgumentException>(() => (Options() with { BatchSize = 0 }).Validate()).Message);
        Assert.Contains("MaxCalls", Assert.Throws<ArgumentException>(() => (Options() with { MaxCalls = -1 }).Validate()).Message);
    }
}
