using HorrorAlign.ML.IO;

namespace HorrorAlign.ML.Samples.Cli;

/// <summary>
/// Checks a command's output file before the work begins, so that an hour of generation never ends in an error: the
/// output must not be one of the inputs (a usage error, exit 2: it would be replaced), must be a regular file or absent,
/// and its folder must take a new file (exit 1).
/// </summary>
internal static class OutputTarget
{
    /// <summary>Checks <paramref name="outPath"/> (given as <paramref name="outFlag"/>) against the given inputs.</summary>
    /// <exception cref="CliException">The output is one of the inputs (compared as files: links and spellings resolved).</exception>
    public static void Check(string outFlag, string outPath, params (string Flag, string? Path)[] inputs)
    {
        ArgumentNullException.ThrowIfNull(outPath);
        foreach (var (flag, path) in inputs)
            if (path is not null && FileStatus.Same(outPath, path))
                throw new CliException($"{outFlag} {outPath} is the same file as {flag} {path}: writing it would replace the input; choose another {outFlag}");
        AtomicFile.CheckWritable(outPath);
    }
}
