using System.Diagnostics;

namespace HorrorAlign.ML.Tests.Data;

/// <summary>The loop shared by the fuzzers of files on disk, and the oversized file they all try.</summary>
internal static class FileFuzz
{
    /// <summary>
    /// Writes <paramref name="cases"/> seeded mutations of <paramref name="seeds"/> (<see cref="JsonMutations.Either"/>)
    /// to <paramref name="file"/>, one at a time, and runs <paramref name="readCase"/> with the case number on each. A
    /// case fails when an exception other than a test assertion escapes it (the file's text is shown) or when it
    /// allocates more than <paramref name="allocationCap"/> bytes; the run fails past <paramref name="seconds"/>.
    /// </summary>
    public static void Run(string file, IReadOnlyList<byte[]> seeds, int randomSeed, int cases, Action<int> readCase,
        long allocationCap = 16L << 20, double seconds = 20)
    {
        var random = new Random(randomSeed);
        var clock = Stopwatch.StartNew();
        for (int n = 0; n < cases; n++)
        {
            File.WriteAllBytes(file, JsonMutations.Either(seeds[random.Next(seeds.Count)], random));
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                readCase(n);
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException) // a case's own assertions are not an escape
            {
                Assert.Fail($"case {n}: {e.GetType().Name} escaped: {e.Message}\n{File.ReadAllText(file)}\n{e.StackTrace}");
            }
            Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - allocated, 0, allocationCap);
        }
        Assert.InRange(clock.Elapsed.TotalSeconds, 0, seconds);
    }

    /// <summary>Writes <paramref name="prefix"/> and then 64 MiB of 'a': JSON whose one string runs far past any cap.</summary>
    public static void WriteHuge(string file, ReadOnlySpan<byte> prefix)
    {
        using var stream = File.Create(file);
        stream.Write(prefix);
        var chunk = new byte[1 << 20];
        chunk.AsSpan().Fill((byte)'a');
        for (int i = 0; i < 64; i++) stream.Write(chunk);
    }
}
