using System.Runtime.InteropServices;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Pipeline;

namespace HorrorAlign.ML.Samples.Cli;

/// <summary>
/// Keeps glibc's allocator from holding on to freed tensor memory, without slowing training (Linux only; a variable the
/// user set wins). libtorch frees every step's tensors, but glibc serves blocks below its mmap threshold from
/// per-thread arenas, so while loops decode side by side, fragments pile up: the default run's peak RSS was 1.95 GB.
/// Two arenas and a 256 KB threshold keep decoding small, but they cost training about 40 % (every activation a fresh
/// mapping, every page a fault). An SFT or pretraining step allocates the same sizes again and again on one thread, so
/// those stages get a high threshold (the heap reuses its blocks); every other stage, DPO included (it passed 1 GB with
/// the high one), the low one; every stage starts with the heap trimmed (docs/experiments.md).
/// </summary>
internal static class GlibcMalloc
{
    private const int ArenaMax = -8;        // M_ARENA_MAX
    private const int MmapThreshold = -3;   // M_MMAP_THRESHOLD (setting it also stops glibc raising it)
    private const int DecodingThreshold = 256 * 1024;
    private const int TrainingThreshold = 32 * 1024 * 1024; // glibc's own ceiling for its adaptive threshold

    private static bool s_tuned; // false off glibc, or when the user chose a threshold

    /// <summary>Applies the settings unless MALLOC_ARENA_MAX / MALLOC_MMAP_THRESHOLD_ are set; call before torch loads.</summary>
    public static void KeepFootprintSmall()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            if (Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is null) _ = MallOpt(ArenaMax, 2);
            if (Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is null) s_tuned = MallOpt(MmapThreshold, DecodingThreshold) == 1;
        }
        catch (EntryPointNotFoundException)
        {
            // not glibc (musl has no mallopt): nothing to tune
        }
    }

    /// <summary>For a pipeline stage that starts now: gives the last stage's freed memory back, then sets the threshold,
    /// high for SFT or pretraining (<paramref name="training"/>) and low for anything else.</summary>
    public static void EnterStage(bool training)
    {
        if (!s_tuned) return;
        _ = MallocTrim(0);
        _ = MallOpt(MmapThreshold, training ? TrainingThreshold : DecodingThreshold);
    }

    /// <summary>A pipeline's progress that enters each stage as it starts (<paramref name="trainingStage"/> gets the
    /// high threshold) and then reports it.</summary>
    public static IProgress<PipelineProgress> Staged(Action<PipelineProgress> report, string trainingStage) =>
        new InlineProgress<PipelineProgress>(e =>
        {
            if (e.Kind == PipelineProgressKind.Started) EnterStage(training: e.Stage == trainingStage);
            report(e);
        });

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int MallOpt(int parameter, int value);

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
}
