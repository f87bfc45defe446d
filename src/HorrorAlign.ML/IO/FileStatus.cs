using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace HorrorAlign.ML.IO;

/// <summary>What a path names: its kind and, on Linux, its identity (device and inode), read without following a last
/// symlink unless asked. .NET reports FIFOs and device nodes as ordinary files, so Linux asks the kernel (statx, whose
/// layout is the same on every architecture); elsewhere the kind comes from the file attributes and there is no identity.</summary>
internal readonly record struct FileStatus(FileStatus.Kind Type, ulong Device, ulong Inode)
{
    /// <summary>The kinds of entry a path can name.</summary>
    internal enum Kind { Missing, Regular, Directory, SymbolicLink, Other }

    /// <summary>Whether <see cref="Device"/> and <see cref="Inode"/> identify the entry (Linux only).</summary>
    public bool HasIdentity => Inode != 0;

    /// <summary>The status of <paramref name="path"/>; <paramref name="followLinks"/> reads what a symlink points to.</summary>
    public static FileStatus Of(string path, bool followLinks = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (OperatingSystem.IsLinux() && TryStatx(path, followLinks, out var status)) return status;
        var info = new FileInfo(path);
        if (!info.Exists && !Directory.Exists(path)) return new(info.LinkTarget is null ? Kind.Missing : Kind.SymbolicLink, 0, 0);
        if (info.LinkTarget is not null && !followLinks) return new(Kind.SymbolicLink, 0, 0);
        return new(info.Attributes.HasFlag(FileAttributes.Directory) ? Kind.Directory
            : info.Attributes.HasFlag(FileAttributes.Device) ? Kind.Other : Kind.Regular, 0, 0);
    }

    /// <summary>Whether two existing paths name one file (a link and its target, two spellings of one path).</summary>
    public static bool Same(string a, string b)
    {
        var x = Of(a, followLinks: true);
        var y = Of(b, followLinks: true);
        if (x.Type == Kind.Missing || y.Type == Kind.Missing) return false;
        if (x.HasIdentity && y.HasIdentity) return x.Device == y.Device && x.Inode == y.Inode;
        static string Resolved(string p) => new FileInfo(p).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(p);
        return string.Equals(Resolved(a), Resolved(b), OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase);
    }

    private const int AtFdCwd = -100, AtSymlinkNoFollow = 0x100, StatxType = 0x1, StatxIno = 0x100;
    private const int ENOENT = 2, ENOTDIR = 20;

    private static bool TryStatx(string path, bool followLinks, out FileStatus status)
    {
        status = default;
        var buffer = new byte[256]; // sizeof(struct statx)
        int rc;
        try
        {
            rc = Statx(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, StatxType | StatxIno, buffer);
        }
        catch (EntryPointNotFoundException)
        {
            return false; // a libc older than glibc 2.28: fall back to the attributes
        }
        if (rc != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is not (ENOENT or ENOTDIR)) return false;
            status = new(Kind.Missing, 0, 0);
            return true;
        }
        int mode = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(28)) & 0xF000; // stx_mode's S_IFMT bits
        ulong inode = BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(32));
        ulong device = ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(136)) << 32) | BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(140));
        var type = mode switch { 0x8000 => Kind.Regular, 0x4000 => Kind.Directory, 0xA000 => Kind.SymbolicLink, _ => Kind.Other };
        status = new(type, device, inode);
        return true;
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int dirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mask, byte[] buffer);
}
