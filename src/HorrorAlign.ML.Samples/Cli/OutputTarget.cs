using HorrorAlign.ML.IO;

namespace HorrorAlign.ML.Samples.Cli;

/// <summary>
/// Checks a command's output file before the work begins, so that an hour of generation never ends in an error: the
/// output must not be one of the inputs (a usage error, exit 2: it would be replaced), must be a regular file or absent,
/// and its folder must take a new file (exit 1). An output folder is checked against the inputs the same way, by
/// everything the run writes into it.
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

    /// <summary>Checks the folder <paramref name="outDir"/> (given as <paramref name="outFlag"/>), into which a run makes
    /// <paramref name="writes"/>, against the given inputs (files or folders).</summary>
    /// <exception cref="CliException">The run would write an input, write into an input folder, or delete a folder that holds an input.</exception>
    public static void CheckFolder(string outFlag, string outDir, FolderWrites writes, params (string Flag, string? Path)[] inputs)
    {
        ArgumentNullException.ThrowIfNull(writes);
        foreach (var (flag, path) in inputs)
            if (path is not null && writes.Reach(path) is { } reach)
                throw new CliException($"{outFlag} {outDir} {reach} {flag} {path}: an input must not be among the outputs; choose another {outFlag}");
    }
}
