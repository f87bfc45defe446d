using System.Diagnostics;
using HorrorAlign.ML.Generation;
using Microsoft.ML;

namespace HorrorAlign.ML.Tests.MLNet;

/// <summary>
/// The child-process side of <see cref="ModelLifetimeTests"/>: races generation against
/// <see cref="StoryModelZip.ReleaseStoryModels"/>. It runs in a child because a native crash (use after free) would
/// kill the whole test run; the parent only reads the exit code and the last line, "key=value ...".
/// </summary>
internal static class ReleaseRaceChild
{
    const int Workers = 4;
    const int ReleaseEveryMs = 3;

    /// <summary>Workers call <see cref="TextGenerator.Generate"/> on <c>GetStoryModel()</c> while the main thread
    /// releases: every call must give the reference story or fail with <see cref="ObjectDisposedException"/>.</summary>
    public static int GenerateWhileReleasing(string zip, double seconds)
    {
        var ml = new MLContext(seed: 1);
        var loaded = ml.Model.Load(zip, out _);
        var options = new SamplingOptions { MaxNewTokens = 24, Seed = 5 };
        string[] prompts = [.. TrainedPipeline.PredictionSpecs.Select(s => s.ToPrompt())];
        string[] reference = [.. prompts.Select(p => TextGenerator.Generate(loaded.GetStoryModel(), p, options))];
        int ok = 0, disposed = 0, wrong = 0;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var stop = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, Workers).Select(w => new Thread(() =>
        {
            for (int i = w; stop.Elapsed.TotalSeconds < seconds; i++)
            {
                int k = i % prompts.Length;
                try
                {
                    if (TextGenerator.Generate(loaded.GetStoryModel(), prompts[k], options) == reference[k]) Interlocked.Increment(ref ok);
                    else Interlocked.Increment(ref wrong);
                }
                catch (ObjectDisposedException) { Interlocked.Increment(ref disposed); }
                catch (Exception e) { failures.Enqueue(e); }
            }
        })).ToArray();
        int releases = Race(workers, stop, seconds, () => loaded.ReleaseStoryModels());
        foreach (var e in failures.Take(3)) Console.Error.WriteLine(e);
        Console.WriteLine($"ok={ok} disposed={disposed} wrong={wrong} failed={failures.Count} releases={releases}");
        return 0;
    }

    /// <summary>One <c>PredictionEngine</c> per worker predicting through a plainly loaded zip while the main thread
    /// releases its models: every prediction must equal the single-threaded reference, and memory must stay flat.</summary>
    public static int PredictWhileReleasing(string zip, double seconds)
    {
        var ml = new MLContext(seed: 1);
        var loaded = ml.Model.Load(zip, out _);
        var specs = TrainedPipeline.PredictionSpecs.Select(StorySpecInput.FromSpec).ToArray();
        string[] reference;
        using (var engine = ml.Model.CreatePredictionEngine<StorySpecInput, StoryPrediction>(loaded))
            reference = [.. specs.Select(s => engine.Predict(s).Story)];
        long modelBytes = loaded.GetStoryModel().ToBytes(HorrorAlign.ML.Persistence.WeightPrecision.Float32).Length;
        var engines = Enumerable.Range(0, Workers).Select(_ => ml.Model.CreatePredictionEngine<StorySpecInput, StoryPrediction>(loaded)).ToArray();
        int ok = 0, wrong = 0;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var stop = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, Workers).Select(w => new Thread(() =>
        {
            for (int i = w; stop.Elapsed.TotalSeconds < seconds; i++)
            {
                int k = i % specs.Length;
                try
                {
                    if (engines[w].Predict(specs[k]).Story == reference[k]) Interlocked.Increment(ref ok);
                    else Interlocked.Increment(ref wrong);
                }
                catch (Exception e) { failures.Enqueue(e); }
            }
        })).ToArray();
        // Memory is measured from a warm state (every worker predicting once) to the end, after a full collection.
        long before = 0;
        int releases = Race(workers, stop, seconds, () => loaded.ReleaseStoryModels(), warmedUp: () =>
        {
            before = WorkingSet();
        });
        long after = WorkingSet();
        foreach (var engine in engines) engine.Dispose();
        foreach (var e in failures.Take(3)) Console.Error.WriteLine(e);
        Console.WriteLine($"ok={ok} wrong={wrong} failed={failures.Count} releases={releases} modelBytes={modelBytes} " +
            $"growthBytes={after - before}");
        return 0;
    }

    /// <summary>Starts the workers, calls <paramref name="release"/> every few ms until time is up, joins them; returns
    /// how many releases ran.</summary>
    static int Race(Thread[] workers, Stopwatch clock, double seconds, Action release, Action? warmedUp = null)
    {
        foreach (var t in workers) t.Start();
        Thread.Sleep(200); // let every worker be mid-generation before the first release
        warmedUp?.Invoke();
        int releases = 0;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            release();
            releases++;
            Thread.Sleep(ReleaseEveryMs);
        }
        foreach (var t in workers) t.Join();
        release();
        return releases;
    }

    static long WorkingSet()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var self = Process.GetCurrentProcess();
        return self.WorkingSet64;
    }
}
