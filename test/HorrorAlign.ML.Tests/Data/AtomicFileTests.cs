using System.Diagnostics;
using HorrorAlign.ML.IO;

namespace HorrorAlign.ML.Tests.Data;

/// <summary>AtomicFile writes regular files only: it never replaces a symlink, FIFO, device node or folder.</summary>
public sealed class AtomicFileTests
{
    [Fact]
    public void ReplacesARegularFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("a.txt");
        File.WriteAllText(path, "old");

        AtomicFile.WriteAllText(path, "new");

        Assert.Equal("new", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(dir.Path)); // no temporary file left
    }

    [Fact]
    public void RefusesASymlinkAndLeavesItsTarget()
    {
        using var dir = new TempDirectory();
        string target = dir.File("target.txt"), link = dir.File("link.txt");
        File.WriteAllText(target, "kept");
        File.CreateSymbolicLink(link, target);

        var e = Assert.Throws<IOException>(() => AtomicFile.WriteAllText(link, "new"));

        Assert.Contains(link, e.Message, StringComparison.Ordinal);
        Assert.Equal(target, new FileInfo(link).LinkTarget);
        Assert.Equal("kept", File.ReadAllText(target));
    }

    [Fact]
    public void RefusesAFifo()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var dir = new TempDirectory();
        string fifo = dir.File("pipe");
        using (var mkfifo = Process.Start("mkfifo", [fifo])) mkfifo.WaitForExit();

        var e = Assert.Throws<IOException>(() => AtomicFile.WriteAllText(fifo, "new"));

        Assert.Contains(fifo, e.Message, StringComparison.Ordinal);
        Assert.Equal(FileStatus.Kind.Other, FileStatus.Of(fifo).Type);
    }

    [Fact]
    public void RefusesADeviceNodeAndItStaysOne()
    {
        if (!OperatingSystem.IsLinux()) return;

        Assert.Throws<IOException>(() => AtomicFile.WriteAllText("/dev/null", "new"));
        Assert.Throws<IOException>(() => AtomicFile.CheckWritable("/dev/null"));

        Assert.Equal(FileStatus.Kind.Other, FileStatus.Of("/dev/null").Type);
    }

    [Fact]
    public void RefusesAFolder()
    {
        using var dir = new TempDirectory();

        Assert.Throws<IOException>(() => AtomicFile.WriteAllText(dir.Path, "new"));
        Assert.True(Directory.Exists(dir.Path));
    }

    [Fact]
    public void CheckWritableLeavesNothingBehind()
    {
        using var dir = new TempDirectory();

        AtomicFile.CheckWritable(dir.File("a.txt"));
        AtomicFile.CheckWritable(dir.File("sub/deeper/a.txt")); // missing folders: probes the nearest one that exists

        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void CheckWritableRefusesAFolderThatIsAFile()
    {
        using var dir = new TempDirectory();
        string file = dir.File("plain");
        File.WriteAllText(file, "x");

        var e = Assert.Throws<IOException>(() => AtomicFile.CheckWritable(Path.Combine(file, "out.jsonl")));

        Assert.Contains(file, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SameFileSeesThroughLinksAndSpellings()
    {
        using var dir = new TempDirectory();
        string file = dir.File("in.jsonl"), link = dir.File("link.jsonl"), other = dir.File("other.jsonl");
        File.WriteAllText(file, "x");
        File.WriteAllText(other, "x");
        File.CreateSymbolicLink(link, file);

        Assert.True(FileStatus.Same(file, link));
        Assert.True(FileStatus.Same(file, Path.Combine(dir.Path, ".", "in.jsonl")));
        Assert.False(FileStatus.Same(file, other));
        Assert.False(FileStatus.Same(file, dir.File("missing.jsonl")));
    }
}
