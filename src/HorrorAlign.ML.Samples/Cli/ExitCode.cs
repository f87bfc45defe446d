namespace HorrorAlign.ML.Samples.Cli;

/// <summary>The process exit codes of every command.</summary>
public static class ExitCode
{
    /// <summary>The command did its work.</summary>
    public const int Success = 0;

    /// <summary>A runtime failure: a file that cannot be read or holds bad contents, a model that fails to load.</summary>
    public const int Failure = 1;

    /// <summary>A usage error: an unknown flag, a missing or bad value, flags that do not go together.</summary>
    public const int Usage = 2;

    /// <summary>Stopped by Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}
