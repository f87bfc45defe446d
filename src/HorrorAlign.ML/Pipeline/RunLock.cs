using System.Diagnostics;

namespace HorrorAlign.ML.Pipeline;

/// <summary>
/// A run folder held by one run at a time: <c>.lock</c> opened exclusively for the run's life (the operating system's
/// file lock, so a run that crashes or is killed releases it; a lock file left behind is stale and taken over).
/// <c>.lock.owner</c> beside it names the holder's process and start time for the message another run gets (the lock
/// file itself cannot be read while it is held).
/// </summary>
internal sealed class RunLock : IDisposable
{
    /// <summary>The lock file's name inside the run folder.</summary>
    public const string FileName = ".lock";

    /// <summary>The owner file's name beside it.</summary>
    public const string OwnerFileName = FileName + ".owner";

    private readonly FileStream _file;
    private readonly string _path;

    private RunLock(FileStream file, string path)
    {
        _file = file;
        _path = path;
    }

    private static string OwnerFile(string lockPath) => Path.Combine(Path.GetDirectoryName(lockPath)!, OwnerFileName);

    /// <summary>Takes the lock of <paramref name="runFolder"/> (created if needed).</summary>
    /// <exception cref="IOException">Another run holds it; the message names its process.</exception>
    public static RunLock Acquire(string runFolder)
    {
        Directory.CreateDirectory(runFolder);
        string path = Path.Combine(runFolder, FileName);
        FileStream file;
        try
        {
            // FileShare.None is an exclusive flock on Unix and a share-mode lock on Windows: held until the handle closes.
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new IOException($"{runFolder} is in use by another run ({Owner(path)}); wait for it, or choose another folder", e);
        }
        File.WriteAllText(OwnerFile(path), $"pid {Environment.ProcessId}, started {DateTimeOffset.UtcNow:O}\n");
        return new RunLock(file, path);
    }

    /// <summary>What the owner file says about the lock's holder, as far as it can be read.</summary>
    private static string Owner(string path)
    {
        try
        {
            string text = File.ReadAllText(OwnerFile(path)).Trim();
            return text.Length > 0 ? text : "process unknown";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "process unknown";
        }
    }

    /// <summary>Releases the lock and removes its file.</summary>
    public void Dispose()
    {
        try
        {
            // Deleted while still held, so no other run can slip in between.
            File.Delete(OwnerFile(_path));
            File.Delete(_path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A lock file left behind is stale once the handle closes: the next run takes it over.
        }
        _file.Dispose();
    }
}
