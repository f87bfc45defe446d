using HorrorAlign.ML.Tests.MLNet;

/// <summary>
/// Entry point of the child processes started by <see cref="ChildProcess"/> (a .NET startup hook: a type named
/// StartupHook, in no namespace, with a static Initialize). It does nothing unless the child-mode variable is set.
/// </summary>
internal static class StartupHook
{
    public static void Initialize()
    {
        if (Environment.GetEnvironmentVariable(ChildProcess.ModeVariable) is not { Length: > 0 } mode) return;
        int code;
        try
        {
            code = ChildProgram.Run(mode, Environment.GetCommandLineArgs().Skip(1).ToArray());
        }
        catch (Exception e)
        {
            Console.Error.WriteLine(e);
            code = 1;
        }
        Environment.Exit(code);
    }
}
