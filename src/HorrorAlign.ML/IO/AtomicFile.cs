namespace HorrorAlign.ML.IO;

/// <summary>
/// Writes files so that a reader (or a crash) never sees a half-written file: the content goes to a temporary file in
/// the same folder, is flushed to disk, then renamed over the target in one step. The target must be a regular file or
/// absent: a rename would replace a FIFO, device node, directory or symlink with a plain file (as root even /dev/full).
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/> atomically.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(write);
        string full = RequireReplaceable(path);
        string? dir = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        string tmp = TempName(full);
        try
        {
            using (var fs = CreateTemp(full, tmp))
            {
                write(fs);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>
    /// Fails now, before any work, where <see cref="Write"/> would fail later: the target is not a regular file, or its
    /// folder (or the nearest folder that exists above it) cannot take a new file. Leaves nothing behind.
    /// </summary>
    /// <exception cref="IOException">The target exists and is not a regular file, or a part of its folder is a file.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder is not writable.</exception>
    public static void CheckWritable(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string full = RequireReplaceable(path);
        string? dir = Path.GetDirectoryName(full);
        while (dir is not null && FileStatus.Of(dir, followLinks: true).Type == FileStatus.Kind.Missing) dir = Path.GetDirectoryName(dir);
        if (dir is null) return;
        if (FileStatus.Of(dir, followLinks: true).Type != FileStatus.Kind.Directory)
            throw new IOException($"cannot write {full}: {dir} is not a folder");
        string probe = TempName(Path.Combine(dir, Path.GetFileName(full)));
        using (CreateTemp(full, probe)) { }
        File.Delete(probe);
    }

    /// <summary>The full path of <paramref name="path"/>, which must be absent or a regular file.</summary>
    private static string RequireReplaceable(string path)
    {
        string full = Path.GetFullPath(path);
        // A symlink is refused too, even to a regular file: the rename would replace the link, not write its target.
        var type = FileStatus.Of(full).Type;
        if (type is not (FileStatus.Kind.Missing or FileStatus.Kind.Regular))
            throw new IOException($"refusing to write {full}: it is {Describe(type)}, not a regular file");
        return full;
    }

    private static string Describe(FileStatus.Kind type) => type switch
    {
        FileStatus.Kind.Directory => "a folder",
        FileStatus.Kind.SymbolicLink => "a symbolic link",
        _ => "a FIFO, socket or device",
    };

    private static string TempName(string full) =>
        Path.Combine(Path.GetDirectoryName(full) ?? ".", "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N") + ".tmp");

    /// <summary>Creates the temporary file; a folder that refuses it is reported under the target's name.</summary>
    private static FileStream CreateTemp(string full, string tmp)
    {
        try
        {
            return new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new UnauthorizedAccessException($"cannot write {full}: its folder {Path.GetDirectoryName(tmp)} is not writable", e);
        }
    }

    /// <summary>Writes UTF-8 text (no byte-order mark) atomically.</summary>
    public static void WriteAllText(string path, string text) =>
        Write(path, s => { var bytes = new System.Text.UTF8Encoding(false).GetBytes(text); s.Write(bytes, 0, bytes.Length); });
}
