using System.Text;
using System.Text.Json.Nodes;
using HorrorAlign.ML.Pipeline;
using HorrorAlign.ML.Tests.Data;

namespace HorrorAlign.ML.Tests.Pipeline;

/// <summary>
/// Issue 16: seeded mutation fuzzing of a run folder's <c>run.json</c> as <c>train --resume</c> reads it
/// (<see cref="AlignmentPipeline.ReadOptions"/>). Only <see cref="InvalidDataException"/> naming the file may escape,
/// options that are read are valid and round-trip, and no case takes more memory than a few times the file's cap.
/// </summary>
public sealed class RunOptionsFuzzTests
{
    private const int Cases = 2000;

    private static readonly byte[][] Seeds =
    [
        Encoding.UTF8.GetBytes(RunOptions.Tiny.ToJson()),
        Encoding.UTF8.GetBytes(RunOptions.Default.WithSeed(7).ToJson()),
        Encoding.UTF8.GetBytes((RunOptions.Tiny with { DataDirectory = "data", Benchmark = BenchmarkSet.Dev, EvalSpecs = 9 }).ToJson()),
    ];

    [Fact]
    public void MutatedRunFiles_OnlyThrowInvalidDataException_NamingTheFile()
    {
        using var dir = new TempDirectory();
        string file = Path.Combine(dir.Path, AlignmentPipeline.RunFile);
        int read = 0, rejected = 0;
        FileFuzz.Run(file, Seeds, randomSeed: 20261218, Cases, n =>
        {
            try
            {
                var options = AlignmentPipeline.ReadOptions(dir.Path);
                Assert.Equal(options.ToJson(), RunOptions.FromJson(options.ToJson(), file).ToJson());
                read++;
            }
            catch (InvalidDataException e)
            {
                Assert.True(e.Message.StartsWith(file, StringComparison.Ordinal), $"case {n}: {e.Message}");
                rejected++;
            }
        });
        Assert.True(read >= 100 && rejected >= Cases / 2, $"{read} read, {rejected} rejected: the mutations should reach both outcomes");
    }

    [Fact]
    public void AHugeRunFile_IsRefusedAtTheCapWithoutBeingReadWhole()
    {
        using var dir = new TempDirectory();
        string file = Path.Combine(dir.Path, AlignmentPipeline.RunFile);
        FileFuzz.WriteHuge(file, "{\"preset\": \""u8); // 64 MiB of one string
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => AlignmentPipeline.ReadOptions(dir.Path));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - allocated, 0, 8L << 20);
        Assert.StartsWith(file, e.Message, StringComparison.Ordinal);
        Assert.Contains("limit", e.Message);
    }

    [Theory]
    [InlineData("sft", "model")]
    [InlineData("evaluation", "sampling")]
    [InlineData("on_policy", "sampling")]
    [InlineData(null, "preset")]
    public void ANullSection_IsNamed_NotANullReferenceException(string? section, string field)
    {
        // Found by the fuzzer: "model": null came through as a null GptConfig, and Validate failed with a
        // NullReferenceException (or, where Resolved() overwrites the section, was silently accepted).
        var json = JsonNode.Parse(RunOptions.Tiny.ToJson())!;
        (section is null ? json : json[section]!)[field] = null;
        var e = ReadBack(json.ToJsonString());
        Assert.Contains(section is null ? $"($.{field})" : $"($.{section}.{field})", e.Message);
    }

    [Fact]
    public void AnInfiniteNumber_IsNamed_NotAcceptedAndUnwritable()
    {
        // Found by the fuzzer: 1e999 read as infinity passed (evaluation.beta is overwritten by DPO's before it is
        // checked) and then the options could not be written back to JSON (an ArgumentException).
        var json = JsonNode.Parse(RunOptions.Tiny.ToJson())!;
        json["evaluation"]!["beta"] = "@inf@";
        string text = json.ToJsonString().Replace("\"@inf@\"", "1e999", StringComparison.Ordinal);
        Assert.Contains("($.evaluation.beta)", ReadBack(text).Message);
    }

    /// <summary>The InvalidDataException that reading <paramref name="json"/> as a run folder's run.json gives.</summary>
    private static InvalidDataException ReadBack(string json)
    {
        using var dir = new TempDirectory();
        string file = Path.Combine(dir.Path, AlignmentPipeline.RunFile);
        File.WriteAllText(file, json);
        var e = Assert.Throws<InvalidDataException>(() => AlignmentPipeline.ReadOptions(dir.Path));
        Assert.StartsWith(file, e.Message, StringComparison.Ordinal);
        return e;
    }
}
