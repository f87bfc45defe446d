using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Pipeline;
using HorrorAlign.ML.Tests.Training;
using HorrorAlign.ML.Tokenization;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Tests.App;

/// <summary>The PyTorch interop of the app, in process: playing an original checkpoint, converting both ways, training
/// from a base, and the export for PyTorch. Serial: training seeds torch's global generator.</summary>
[Collection(SerialTorchCollection.Name)]
public sealed class InteropCommandTests(TinyRun run) : IClassFixture<TinyRun>
{
    private string Dir(string name) => Directory.CreateDirectory(Path.Combine(run.Root, name)).FullName;

    [Fact]
    public void GenerateCheckpointPlaysAnOriginalFormatCheckpoint()
    {
        // The original's transformer_dpo.pt: its architecture, full GPT-2 vocabulary, a bare state dict, no config.json.
        manual_seed(11);
        string dir = Dir("original");
        using (var model = new StoryModel(new GptModel(new GptConfig { DModel = 16, NHeads = 8, NLayers = 1, ContextLength = 64 }), TokenVocabulary.Full))
            PyTorchCheckpoint.Save(model, Path.Combine(dir, "transformer_dpo.pt"));
        File.Delete(Path.Combine(dir, "config.json"));

        var result = CliRun.Invoke(["generate", "--checkpoint", Path.Combine(dir, "transformer_dpo.pt"), "--prompt", "Story:\\n",
            "--max_new_tokens", "12", "--top_p", "0.95"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.NotEmpty(result.Out.Trim());

        var wrong = CliRun.Invoke(["generate", "--checkpoint", Path.Combine(dir, "transformer_dpo.pt"), "--heads", "3", "--prompt", "x"]);
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("divide d_model 16", wrong.Error);
    }

    [Fact]
    public void ConvertGoesToPyTorchAndBackWithIdenticalLogits()
    {
        Assert.True(run.ExitCode == 0, run.Output);
        string dir = Dir("convert");
        string zip = run.File(AlignmentPipeline.ModelFile), pt = Path.Combine(dir, "model.pt"), st = Path.Combine(dir, "model.safetensors"),
            back = Path.Combine(dir, "back.zip");
        foreach (var (from, to) in new[] { (zip, pt), (pt, st), (st, back) })
        {
            var result = CliRun.Invoke(["convert", "--model", from, "--out", to]);
            Assert.True(result.ExitCode == 0, result.ToString());
        }
        Assert.True(File.Exists(Path.Combine(dir, "config.json")));
        using var original = ModelArchive.Load(zip);
        using var returned = ModelArchive.Load(back);
        Assert.Equal(original.Config, returned.Config);
        const string probe = "Title: The Ferry\nStory:\n";
        Assert.Equal(TrainingFixtures.Logits(original, probe), TrainingFixtures.Logits(returned, probe));

        var bad = CliRun.Invoke(["convert", "--model", zip, "--out", Path.Combine(dir, "model.onnx")]);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--out must end in .zip, .safetensors, .pt, .pth or .bin", bad.Error);
    }

    [Fact]
    public void TrainFromABaseRunsEndToEnd()
    {
        Assert.True(run.ExitCode == 0, run.Output);
        string dir = Dir("from-base");
        string basePt = Path.Combine(dir, "base.pt");
        Assert.Equal(0, CliRun.Invoke(["convert", "--model", run.File(AlignmentPipeline.ModelFile), "--out", basePt]).ExitCode);
        var result = CliRun.Invoke(["train", "--config", "tiny", "--base", basePt, "--out", Path.Combine(dir, "run"), "--quiet"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(basePt, File.ReadAllText(Path.Combine(dir, "run", AlignmentPipeline.RunFile)));

        var missing = CliRun.Invoke(["train", "--config", "tiny", "--base", Path.Combine(dir, "nothing.pt"), "--out", Path.Combine(dir, "run2")]);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("--base: no such file", missing.Error);
    }

    [Fact]
    public void ExportForPyTorchWritesWeightsDataAndSchedules()
    {
        string dir = Path.Combine(Dir("export"), "for-torch");
        var result = CliRun.Invoke(["train", "--config", "tiny", "--export-for-pytorch", dir]);
        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var file in new[] { "model.safetensors", "config.json", "sft_train.jsonl", "sft_val.jsonl", "dpo_train.jsonl", "dpo_val.jsonl", "train_options.json" })
            Assert.True(File.Exists(Path.Combine(dir, file)), file);
        // --export-for-pytorch refuses inputs among these: the list must hold every file the export wrote.
        Assert.All(Directory.GetFiles(dir, "*", SearchOption.AllDirectories), f => Assert.Contains(f, PyTorchExport.Writes(dir).Files));

        // The data is in the model's ids: every id fits its vocabulary, and the first row decodes to its prompt and story.
        using var model = ModelArchive.Load(Path.Combine(dir, "model.safetensors"));
        var first = System.Text.Json.JsonDocument.Parse(File.ReadLines(Path.Combine(dir, "sft_train.jsonl")).First()).RootElement;
        int[] ids = [.. first.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32())];
        int lossStart = first.GetProperty("loss_start").GetInt32();
        Assert.All(ids, id => Assert.InRange(id, 0, model.Config.VocabSize - 1));
        Assert.InRange(lossStart, 1, ids.Length - 1);
        Assert.Equal(model.Vocabulary.EosId, ids[^1]);
    }
}
