using System.Runtime.InteropServices;

namespace HorrorAlign.ML.Samples.Cli;

/// <summary>
/// Makes libtorch's OpenMP threads sleep instead of spin while they wait (<c>OMP_WAIT_POLICY=PASSIVE</c>), unless the
/// user chose a policy. Measured on a 2-vCPU machine: with the default (active) policy, two torch threads on a machine
/// where anything else runs were 3–20× slower than one, because a spinning thread holds a core the other needs.
/// <para>
/// libgomp reads the variable once, when libtorch loads, from the PROCESS environment; .NET's
/// Environment.SetEnvironmentVariable only changes the managed copy on Linux, so this calls libc's setenv, and must run
/// before the first torch call.
/// </para>
/// </summary>
internal static class OpenMpWaitPolicy
{
    public const string Variable = "OMP_WAIT_POLICY";

    /// <summary>Sets PASSIVE when the variable is unset (Linux only; elsewhere nothing happens).</summary>
    public static void PreferPassive()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable(Variable) is not null) return;
        Environment.SetEnvironmentVariable(Variable, "PASSIVE"); // the managed view, for child processes and readers
        _ = SetEnv(Variable, "PASSIVE", 0);                        // the process environment libgomp reads
    }

    [DllImport("libc", EntryPoint = "setenv", CharSet = CharSet.Ansi)] // ANSI is UTF-8 on Linux; ASCII values anyway
    private static extern int SetEnv(string name, string value, int overwrite);
}
