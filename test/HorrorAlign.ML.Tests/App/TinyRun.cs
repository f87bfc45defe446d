using System.Diagnostics;

namespace HorrorAlign.ML.Tests.App;

/// <summary>One uninterrupted <c>horroralign train --config tiny</c> run, shared by the app tests (and the reference the
/// resumed run and the library's own run are compared with).</summary>
public sealed class TinyRun : IDisposable
{
    public TinyRun()
    {
        Root = Directory.CreateTempSubdirectory("horroralign-app-").FullName;
        Folder = Path.Combine(Root, "run");
        var clock = Stopwatch.StartNew();
        var result = CliRun.Invoke(["train", "--config", "tiny", "--out", Folder, "--quiet"]);
        Seconds = clock.Elapsed.TotalSeconds;
        ExitCode = result.ExitCode;
        Output = result.ToString();
    }

    /// <summary>Temporary root (other runs of a test class go next to <see cref="Folder"/>).</summary>
    public string Root { get; }

    public string Folder { get; }

    public int ExitCode { get; }

    public double Seconds { get; }

    public string Output { get; }

    public string File(string name) => Path.Combine(Folder, name);

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
