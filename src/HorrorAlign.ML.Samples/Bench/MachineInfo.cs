using System.Runtime.InteropServices;

namespace HorrorAlign.ML.Samples.Bench;

/// <summary>One line describing where a benchmark ran: CPU model, cores, vector extensions, OS, .NET, torch threads.</summary>
public static class MachineInfo
{
    /// <summary>Describes this machine; <paramref name="torchThreads"/> is the intra-op thread count the run used.</summary>
    public static string Describe(int torchThreads)
    {
        var (model, avx512) = ReadCpuInfo();
        // On Linux OSDescription is the distribution's pretty name; the kernel version comes from OSVersion.
        string os = OperatingSystem.IsLinux() ? $"{RuntimeInformation.OSDescription}, kernel {Environment.OSVersion.Version}" : RuntimeInformation.OSDescription;
        // libgomp's wait policy decides whether idle torch threads spin or sleep, which matters a lot on a shared machine.
        string waitPolicy = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") ?? "unset";
        return $"{model}{(avx512 ? " (AVX-512)" : "")}, {Environment.ProcessorCount} cores, {os}, " +
               $"{RuntimeInformation.FrameworkDescription}, torch threads {torchThreads}, OMP_WAIT_POLICY {waitPolicy}";
    }

    private static (string Model, bool Avx512) ReadCpuInfo()
    {
        string model = RuntimeInformation.ProcessArchitecture.ToString();
        bool avx512 = false;
        try
        {
            if (!File.Exists("/proc/cpuinfo")) return (model, avx512);
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
            {
                int colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon < 0) continue;
                string key = line[..colon].Trim();
                if (key == "model name") model = line[(colon + 1)..].Trim();
                if (key != "flags") continue;
                avx512 = line.Contains(" avx512f", StringComparison.Ordinal);
                break; // flags follow the model name: the first processor's block is enough
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return (model, avx512);
    }
}
