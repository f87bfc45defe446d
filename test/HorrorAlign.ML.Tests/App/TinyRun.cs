using System.Diagnostics;
using HorrorAlign.ML.Samples.Cli;
using HorrorAlign.ML.Samples.Commands;

namespace HorrorAlign.ML.Tests.App;

/// <summary>One uninterrupted <c>train --config tiny</c> run, shared by the app tests (and the reference the resumed
/// run is compared with).</summary>
public sealed class TinyRun : IDisposable
{
    public TinyRun()
    {
        Root = Directory.CreateTempSubdirectory("horroralign-app-").FullName;
        Folder = Path.Combine(Root, "run");
        var clock = Stopwatch.StartNew();
        var console = new AppConsole();
        ExitCode = TrainCommand.Run(new CliArgs(["train", "--config", "tiny", "--out", Folder, "--quiet"]), default, console.Console);
        Seconds = clock.Elapsed.TotalSeconds;
        Output = console.Text;
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
