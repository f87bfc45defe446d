namespace HorrorAlign.ML.IO;

/// <summary>
/// What a run writes into its output folder: the files, the folders it writes them into, and the folders it deletes when
/// it ends. A caller compares its inputs with it before the work, so that no run replaces or mixes into what it reads.
/// </summary>
/// <param name="Files">Every file the run may write.</param>
/// <param name="Folders">The folders it writes files into.</param>
/// <param name="Deleted">The folders it deletes when it ends (checkpoints), with whatever they hold.</param>
internal sealed record FolderWrites(IReadOnlyList<string> Files, IReadOnlyList<string> Folders, IReadOnlyList<string> Deleted)
{
    /// <summary>These writes and <paramref name="files"/> (what a caller writes on top of a pipeline).</summary>
    public FolderWrites With(params string[] files) => this with { Files = [.. Files, .. files] };

    /// <summary>
    /// How the run would reach the input <paramref name="input"/> (a file or folder, compared as files: links and
    /// spellings resolved), said as the start of a sentence that the input ends; null when it would not.
    /// </summary>
    public string? Reach(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (Files.FirstOrDefault(f => FileStatus.Same(f, input)) is { } file) return $"writes {file}, the same file as";
        if (Folders.FirstOrDefault(f => FileStatus.Same(f, input)) is { } folder) return $"writes into {folder}, the same folder as";
        // Walk up from where the input really is: a deleted folder anywhere above it takes it along.
        string real = new FileInfo(input).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(input);
        for (string? above = Path.GetDirectoryName(real); above is not null; above = Path.GetDirectoryName(above))
            if (Deleted.FirstOrDefault(d => FileStatus.Same(d, above)) is { } deleted) return $"deletes {deleted} when it ends, the folder that holds";
        return null;
    }
}
