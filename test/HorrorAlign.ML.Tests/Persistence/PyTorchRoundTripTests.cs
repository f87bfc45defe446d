using System.Diagnostics;
using System.Text.Json;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Pipeline;
using HorrorAlign.ML.Tests.Training;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Tests.Persistence;

/// <summary>
/// .NET and PyTorch on the same weights, through the repository's python/ package and Debian's PyTorch
/// (<c>/usr/bin/python3</c>): the forward of an exported model agrees, a model exported for PyTorch, trained by a
/// 2-process gloo DDP run, comes back to .NET with the validation loss PyTorch measured, and a view PyTorch saves that
/// declares terabytes over one stored float is refused before anything is allocated. Skipped where PyTorch is
/// absent, unless HORRORALIGN_REQUIRE_TORCH=1 (CI sets it, after installing python3-torch).
/// </summary>
[Collection(SerialTorchCollection.Name)]
public sealed class PyTorchRoundTripTests : IDisposable
{
    private const string Python = "/usr/bin/python3";
    private readonly string _dir = Directory.CreateTempSubdirectory("ha-torch-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly Lazy<bool> s_torch = new(() =>
    {
        if (!File.Exists(Python)) return false;
        var (code, _) = Run(Python, ["-c", "import torch"], null, TimeSpan.FromSeconds(60));
        return code == 0;
    });

    private static void RequireTorch()
    {
        if (Environment.GetEnvironmentVariable("HORRORALIGN_REQUIRE_TORCH") == "1")
            Assert.True(s_torch.Value, $"HORRORALIGN_REQUIRE_TORCH=1 but {Python} cannot import torch (apt-get install python3-torch)");
        Skip.IfNot(s_torch.Value, $"{Python} cannot import torch (Debian: apt-get install python3-torch)");
    }

    /// <summary>The repository's python/ folder (the tests run from the test project's output folder).</summary>
    private static string PythonFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "python");
            if (File.Exists(Path.Combine(candidate, "parity.py"))) return candidate;
        }
        throw new DirectoryNotFoundException("python/parity.py not found above " + AppContext.BaseDirectory);
    }

    private static (int Code, string Output) Run(string file, string[] args, string? pythonPath, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        if (pythonPath is not null) start.Environment["PYTHONPATH"] = pythonPath;
        start.Environment["OMP_NUM_THREADS"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"timed out after {timeout.TotalSeconds} s\n{stdout.Result}\n{stderr.Result}");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    [SkippableFact]
    public void AnExpandedTensorSavedByPyTorch_IsRejectedBeforeItIsAllocated()
    {
        RequireTorch();
        // torch.save keeps a view as its storage plus shape and strides: one float seen as [1048576, 1048576] through
        // strides (0, 0) is a 4 TB tensor to a reader that allocates shapes, in a file of under 1 kB.
        string path = Path.Combine(_dir, "expanded.pt");
        var (code, output) = Run(Python,
            ["-c", $"import torch; torch.save({{'token_embedding.weight': torch.zeros(1).expand(1 << 20, 1 << 20)}}, '{path}')"],
            null, TimeSpan.FromSeconds(120));
        Assert.True(code == 0, output);
        Assert.InRange(new FileInfo(path).Length, 1, 2_000);

        long workingSet = Environment.WorkingSet;
        var e = Assert.Throws<InvalidDataException>(() => PyTorchCheckpoint.Load(path));
        Assert.InRange(Environment.WorkingSet - workingSet, long.MinValue, 200L << 20);
        Assert.Contains("expanded.pt", e.Message);
        Assert.Contains("tensor 'token_embedding.weight' has shape [1048576, 1048576] (strides [0, 0], offset 0)", e.Message);
        Assert.Contains("needs 1,099,511,627,776 elements, but its storage declares 1", e.Message);
    }

    [SkippableFact]
    public void PyTorchComputesTheSameForwardAsDotNetOnAnExportedModel()
    {
        RequireTorch();
        // The default model's parts: tied embeddings, fused attention, a compact vocabulary with field tokens.
        manual_seed(21);
        var vocabulary = TrainingFixtures.Vocabulary.WithFieldTokens();
        var config = new GptConfig { VocabSize = vocabulary.Size, DModel = 32, NHeads = 4, NLayers = 2, ContextLength = 64, Dropout = 0, TieEmbeddings = true, FusedAttention = true };
        using var model = new StoryModel(new GptModel(config), vocabulary);
        model.Model.eval();
        string weights = Path.Combine(_dir, "model.safetensors");
        PyTorchCheckpoint.Save(model, weights);

        int[][] rows = [vocabulary.Encode("Protagonist: Mara\nStory:\nMara found"), [vocabulary.EosId, 3, vocabulary.Size - 1, 5]];
        File.WriteAllText(Path.Combine(_dir, "ids.json"), JsonSerializer.Serialize(new { ids = rows }));
        var expected = rows.Select(r => Logits(model.Model, r)).ToArray();
        File.WriteAllText(Path.Combine(_dir, "dotnet.json"), JsonSerializer.Serialize(new { logits = expected }));

        var (code, output) = Run(Python, [Path.Combine(PythonFolder(), "parity.py"), "--model", weights, "--ids", Path.Combine(_dir, "ids.json"),
            "--expect", Path.Combine(_dir, "dotnet.json"), "--tolerance", "1e-4"], null, TimeSpan.FromMinutes(2));
        Assert.True(code == 0, output);
    }

    [SkippableFact]
    public void AModelTrainedByTwoProcessDdpInPyTorchComesBackWithItsQuality()
    {
        RequireTorch();
        string export = Path.Combine(_dir, "export"), trained = Path.Combine(_dir, "sft.safetensors");
        PyTorchExport.Write(RunOptions.Tiny, export);

        // Debian's torchrun needs --redirects/--tee on Python 3.11 (python/README.md says why).
        var (code, output) = Run(Python, ["-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2", "--redirects", "1", "--tee", "1",
            "--log_dir", Path.Combine(_dir, "logs"), "-m", "horroralign_torch.train_sft", "--data", export, "--out", trained,
            "--max-steps", "6", "--backend", "gloo", "--device", "cpu"], PythonFolder(), TimeSpan.FromMinutes(4));
        Assert.True(code == 0, output);
        double torchLoss = output.Split('\n').Select(l => l[(l.IndexOf('{') is var i && i >= 0 ? i : 0)..])
            .Where(l => l.StartsWith('{') && l.Contains("\"done\"")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("eval_loss").GetDouble()).Single();

        using var start = ModelArchive.Load(Path.Combine(export, PyTorchExport.ModelFile));
        using var back = ModelArchive.Load(trained);
        Assert.Equal(start.Config, back.Config);
        Assert.Equal(start.Vocabulary.Gpt2Ids, back.Vocabulary.Gpt2Ids);
        var validation = Dataset(export).SftValidation;
        double before = TrainingFixtures.SftLoss(start, validation, RunOptions.Tiny.Sft.MaxTokens);
        double after = TrainingFixtures.SftLoss(back, validation, RunOptions.Tiny.Sft.MaxTokens);
        Assert.True(after < before, $"validation loss {before:0.###} before PyTorch, {after:0.###} after");
        Assert.Equal(torchLoss, after, 1e-3); // .NET measures what PyTorch measured: the same model, the same loss
    }

    private static HorrorAlign.ML.Synthesis.Dataset Dataset(string export) =>
        HorrorAlign.ML.Synthesis.Dataset.ReadFrom(Path.Combine(export, AlignmentPipeline.DataFolder));

    private static float[][] Logits(GptModel model, int[] ids)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var logits = model.forward(tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Length]))[0];
        return [.. Enumerable.Range(0, ids.Length).Select(t => logits[t].data<float>().ToArray())];
    }
}
