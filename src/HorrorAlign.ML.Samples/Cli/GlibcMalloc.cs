using System.Runtime.InteropServices;

namespace HorrorAlign.ML.Samples.Cli;

/// <summary>
/// Keeps glibc's allocator from holding on to freed tensor memory (Linux only; a variable the user set wins). libtorch
/// frees every step's tensors, but glibc serves blocks below its mmap threshold from per-thread arenas and raises that
/// threshold as large blocks are freed, so fragments pile up across the threads that decode side by side: the default
/// run's peak RSS was 1.95 GB with batched decoding. Two arenas and a fixed 256 KB threshold brought it to 0.89 GB
/// (0.5 MB: 1.06 GB); the price is SFT about 40 % slower from the page faults of fresh mappings (docs/experiments.md).
/// </summary>
internal static class GlibcMalloc
{
    private const int ArenaMax = -8;        // M_ARENA_MAX
    private const int MmapThreshold = -3;   // M_MMAP_THRESHOLD (setting it also stops glibc raising it)

    /// <summary>Applies the settings unless MALLOC_ARENA_MAX / MALLOC_MMAP_THRESHOLD_ are set; call before torch loads.</summary>
    public static void KeepFootprintSmall()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            if (Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is null) _ = MallOpt(ArenaMax, 2);
            if (Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is null) _ = MallOpt(MmapThreshold, 256 * 1024);
        }
        catch (EntryPointNotFoundException)
        {
            // not glibc (musl has no mallopt): nothing to tune
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int MallOpt(int parameter, int value);
}
