using System.Text;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Tests.Specs;

namespace HorrorAlign.ML.Tests.Data;

/// <summary>The 1 MiB line cap of JSONL files and single-object JSON files: an over-long line fails at the cap, naming
/// file and line, without being read into memory.</summary>
public sealed class JsonlLineCapTests
{
    [Fact]
    public void OverlongLine_FailsAtTheCapWithoutBufferingIt()
    {
        using var dir = new TempDirectory();
        string path = dir.File("big.jsonl");
        using (var file = File.Create(path))
        {
            file.Write(Encoding.UTF8.GetBytes(StorySpecTests.Poster.ToJson() + "\n{\"title\":\""));
            var chunk = new byte[1 << 20];
            chunk.AsSpan().Fill((byte)'a');
            for (int i = 0; i < 16; i++) file.Write(chunk); // a 16 MiB line
            file.Write("\"}\n"u8);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<JsonlFormatException>(() => StorySpecFile.Read(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal((path, 2), (e.FileName, e.Line));
        Assert.Contains("longer than the limit of 1,048,576 bytes", e.Message, StringComparison.Ordinal);
        Assert.True(allocated < 4 * Jsonl.MaxLineBytes, $"allocated {allocated:N0} bytes for a 16 MiB line");
    }

    [Fact]
    public void LineJustUnderTheCap_IsRead()
    {
        var row = "{\"text\":\"" + new string('a', Jsonl.MaxLineBytes - 12) + "\"}";
        Assert.True(Encoding.UTF8.GetByteCount(row) <= Jsonl.MaxLineBytes);
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(row + "\r\n"));
        Assert.Single(Jsonl.ReadRecords(stream, "x.jsonl"));
    }

    [Fact]
    public void EndlessSpecFile_FailsAtTheCap()
    {
        if (!File.Exists("/dev/zero")) return; // Linux and macOS only
        var e = Assert.Throws<JsonlFormatException>(() => StorySpecFile.ReadSingle("/dev/zero"));
        Assert.StartsWith("/dev/zero:1: file is longer than the limit", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EndlessJsonlFile_FailsAtTheCap()
    {
        if (!File.Exists("/dev/zero")) return;
        var e = Assert.Throws<JsonlFormatException>(() => StorySpecFile.Read("/dev/zero"));
        Assert.Equal(1, e.Line);
    }

    [Fact]
    public void ByteOrderMark_AndCrLf_AreTolerated()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(StorySpecTests.Poster.ToJson() + "\r\n" + StorySpecTests.Poster.ToJson())];
        using var stream = new MemoryStream(bytes);
        Assert.Equal(2, StorySpecFile.Read(stream, "x.jsonl").Count);
    }
}
