using System.IO.Compression;
using HorrorAlign.ML.IO;

namespace HorrorAlign.ML.Persistence;

/// <summary>
/// Documented caps on the zips this library reads (ML.NET model zips, <c>torch.save</c> files), checked from the central
/// directory (<see cref="ZipArchiveEntry.Length"/>) before any entry is read, so that a small zip cannot make a reader
/// inflate or allocate far more than its own size.
/// </summary>
internal static class ZipLimits
{
    /// <summary>Entries: an ML.NET pipeline holds tens, a torch.save file one per tensor (~1,100 at 128 layers).</summary>
    public const int MaxEntries = 10_000;
    /// <summary>Uncompressed size of one entry: 4 GiB (an ML.NET payload is one string, a torch storage one tensor).</summary>
    public const long MaxEntryBytes = 4L << 30;
    /// <summary>Total uncompressed size over file size: torch.save stores (1×), base64 weights deflate to ~0.75×; 64× is slack.</summary>
    public const int MaxExpansion = 64;
    /// <summary>Small zips may still expand to <see cref="MaxExpansion"/> × 1 MiB: a tiny model's zip is mostly overhead.</summary>
    private const long MinExpansionBase = 1L << 20;

    /// <summary>Checks the zip in <paramref name="stream"/> (seekable; its position is restored) against the caps;
    /// <paramref name="kind"/> says what the zip should have been when it is no zip at all.</summary>
    /// <exception cref="InvalidDataException">Not a readable zip, or beyond a cap; the message names
    /// <paramref name="what"/>, the entry and the cap.</exception>
    public static void Check(Stream stream, string what, string kind = "zip")
    {
        long start = stream.Position;
        long fileBytes = stream.Length - start;
        List<(string Name, long Length)> entries;
        try
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            entries = zip.Entries.Select(e => (e.FullName, e.Length)).ToList();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"The {what} is not a readable {kind}; it may be truncated or corrupt ({e.Message})", e);
        }
        finally
        {
            stream.Position = start;
        }

        if (entries.Count > MaxEntries)
            throw new InvalidDataException($"The {what} has {entries.Count:N0} zip entries, more than the {MaxEntries:N0} allowed.");
        long total = 0;
        foreach (var (name, length) in entries)
        {
            if (length > MaxEntryBytes)
                throw new InvalidDataException(
                    $"The {what}: zip entry '{name}' declares {ByteSize.Format(length)} uncompressed, more than the {ByteSize.Format(MaxEntryBytes)} allowed.");
            total += length;
        }
        long cap = MaxExpansion * Math.Max(fileBytes, MinExpansionBase);
        if (total > cap)
            throw new InvalidDataException(
                $"The {what}: its zip entries declare {ByteSize.Format(total)} uncompressed, more than the {ByteSize.Format(cap)} " +
                $"allowed for a {ByteSize.Format(fileBytes)} zip ({MaxExpansion} × its size, at least {ByteSize.Format(MaxExpansion * MinExpansionBase)}).");
    }

    /// <summary><see cref="Check(Stream, string, string)"/> on a file.</summary>
    public static void Check(string path, string what)
    {
        using var stream = File.OpenRead(path);
        Check(stream, what);
    }
}
