using System.Text.Json;
using HorrorAlign.ML.Synthesis;
using HorrorAlign.ML.Tests.Data;

namespace HorrorAlign.ML.Tests.Synthesis;

/// <summary>
/// Issue 16: seeded mutation fuzzing of the teacher's cache files (<c>data --provider openai</c> keeps every paid answer
/// as one JSON file). A file the cache cannot use is "not cached" (asked again), never an exception; an answer it does
/// return is whole (text, token counts not negative) and goes through the teacher's answer parser; no case takes more
/// memory than a few times the file's cap.
/// </summary>
public sealed class TeacherCacheFuzzTests
{
    private const int Cases = 3000;

    private const string Request = """{"endpoint":"http://127.0.0.1:8080/v1","model":"horroralign","temperature":0,"max_output_tokens":300,"seed":7,"system":"Write the story.","user":"{\"title\":\"Ferry\"}"}""";

    private static readonly TeacherAnswer[] Answers =
    [
        new("Mara found the brass key.\n\nIt was cold. Mara never slept again.", 412, 96),
        new("```json\n[\"One story.\", \"Two stories.\", \"Three — with a dash.\"]\n```", 1_204, 301),
        new("", 0, 0),
    ];

    [Fact]
    public void MutatedCacheFiles_AreAnswersOrNotCached_NeverAnException()
    {
        using var dir = new TempDirectory();
        var cache = new TeacherCache(dir.Path);
        string key = TeacherCache.Key(Request);
        string file = Path.Combine(dir.Path, key + ".json");
        var seeds = Answers.Select(answer =>
        {
            cache.Put(key, Request, answer);
            return File.ReadAllBytes(file);
        }).ToArray();
        int answered = 0, unreadable = 0;
        FileFuzz.Run(file, seeds, randomSeed: 20261219, Cases, n =>
        {
            if (cache.TryGet(key) is { } answer)
            {
                Assert.NotNull(answer.Text);
                Assert.True(answer.InputTokens >= 0 && answer.OutputTokens >= 0, $"case {n}: {answer}");
                _ = StoryTeacher.Parse(answer.Text, 1);
                _ = StoryTeacher.Parse(answer.Text, 3);
                answered++;
            }
            else unreadable++;
        });
        Assert.True(answered >= 300 && unreadable >= Cases / 3, $"{answered} answered, {unreadable} unreadable: the mutations should reach both outcomes");
    }

    [Theory]
    [InlineData("""{"text": null, "input_tokens": 1, "output_tokens": 1}""")] // was an answer with a null text: a crash in the parser
    [InlineData("""{"text": "A story.", "input_tokens": 1.5, "output_tokens": 1}""")] // was a FormatException out of TryGet
    [InlineData("""{"text": "A story.", "input_tokens": 1, "output_tokens": 1e30}""")] // the same
    [InlineData("""{"text": "A story.", "input_tokens": -5, "output_tokens": 1}""")] // was an answer that lowers the token count
    [InlineData("""{"text": "\ud800", "input_tokens": 1, "output_tokens": 1}""")]
    [InlineData("""{"text": 5, "input_tokens": 1, "output_tokens": 1}""")]
    [InlineData("""["A story.", 1, 1]""")]
    public void AnUnusableCacheFile_IsNotCached(string json)
    {
        using var dir = new TempDirectory();
        var cache = new TeacherCache(dir.Path);
        File.WriteAllText(Path.Combine(dir.Path, "k.json"), json);
        Assert.Null(cache.TryGet("k"));
        File.WriteAllText(Path.Combine(dir.Path, "k.json"), """{"text": "A story.", "input_tokens": 1, "output_tokens": 2}""");
        Assert.Equal(new TeacherAnswer("A story.", 1, 2), cache.TryGet("k"));
    }

    [Fact]
    public void AHugeCacheFile_IsNotCached_WithoutBeingReadWhole()
    {
        using var dir = new TempDirectory();
        FileFuzz.WriteHuge(Path.Combine(dir.Path, "k.json"), "{\"text\": \""u8); // 64 MiB of one story
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        Assert.Null(new TeacherCache(dir.Path).TryGet("k"));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - allocated, 0, 8L << 20);
    }
}
