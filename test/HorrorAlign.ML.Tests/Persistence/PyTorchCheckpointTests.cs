using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Tests.Modeling;
using HorrorAlign.ML.Tests.Training;
using HorrorAlign.ML.Tokenization;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Tests.Persistence;

[Collection(SerialTorchCollection.Name)]
public sealed class PyTorchCheckpointTests : IDisposable
{
    private const string Probe = "Protagonist: Mara\nObject: a brass key\nStory:\nMara found";
    private readonly string _dir = Directory.CreateTempSubdirectory("ha-pt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "data", "pytorch", name);

    [Theory]
    [InlineData("golden_decoder.pt")]
    [InlineData("golden_decoder_wrapped.pt")]
    [InlineData("golden_decoder.safetensors")]
    public void FilesWrittenByPyTorchGiveTheGoldenLogits(string file)
    {
        // data/pytorch/make_fixtures.py wrote these from the golden decoder with PyTorch 1.13; it has 2 heads, which
        // no shape tells, so the caller says so.
        var golden = GoldenJson.Load("decoder_forward.json");
        using var contents = PyTorchCheckpoint.Read(Fixture(file), new PyTorchCheckpointOptions { Heads = 2 });
        Assert.Equal(new GptConfig
        {
            VocabSize = 13, DModel = 8, NHeads = 2, NLayers = 2, MlpRatio = 4, ContextLength = 8, TieEmbeddings = false, FusedAttention = true,
        }, contents.Config);
        Assert.Null(contents.Vocabulary); // 13 rows: not GPT-2, and no description beside it

        using var model = new GptModel(contents.Config);
        ModelWeights.CopyInto(model, contents.Tensors, file);
        model.eval();
        using var scope = NewDisposeScope();
        var logits = model.forward(GoldenJson.ToTensor(golden.GetProperty("tokens"), ScalarType.Int64));
        var expected = GoldenJson.ToTensor(golden.GetProperty("expected_logits"));
        Assert.True(logits.allclose(expected, rtol: 0, atol: golden.GetProperty("tolerance").GetDouble()));
    }

    [Fact]
    public void AGoldenCheckpointWithoutItsVocabularySaysWhatIsMissing()
    {
        var e = Assert.Throws<InvalidDataException>(() => PyTorchCheckpoint.Load(Fixture("golden_decoder.pt"), new() { Heads = 2 }));
        Assert.Contains("13 token rows", e.Message);
        Assert.Contains("config.json", e.Message);
    }

    [Fact]
    public void LoadingNeverRunsCodeFromTheFile()
    {
        const string marker = "/tmp/horroralign-pickle-ran";
        File.Delete(marker);
        var e = Assert.Throws<InvalidDataException>(() => PyTorchCheckpoint.Read(Fixture("code_on_load.pt"), new() { Heads = 2 }));
        Assert.Contains("code_on_load.pt", e.Message);
        Assert.Contains("could not be read", e.Message);
        Assert.False(File.Exists(marker), "unpickling ran the command the file asked for");
    }

    [Theory]
    [InlineData("model.safetensors")]
    [InlineData("model.pt")]
    public void ExportThenImportGivesIdenticalLogitsShapeAndVocabulary(string name)
    {
        manual_seed(7);
        var vocabulary = TrainingFixtures.Vocabulary.WithFieldTokens();
        var config = TrainingFixtures.TinyConfig() with { VocabSize = vocabulary.Size, TieEmbeddings = true, NHeads = 4 };
        using var model = new StoryModel(new GptModel(config), vocabulary);
        model.Model.eval();
        string path = Path.Combine(_dir, name);

        PyTorchCheckpoint.Save(model, path);
        Assert.Equal(name.EndsWith(".pt"), File.Exists(Path.Combine(_dir, "config.json")));
        using var loaded = ModelArchive.Load(path);

        Assert.Equal(model.Config, loaded.Config); // heads too: the description travels with the weights
        Assert.Equal(vocabulary.Gpt2Ids, loaded.Vocabulary.Gpt2Ids);
        Assert.Equal(vocabulary.FieldTokenCount, loaded.Vocabulary.FieldTokenCount);
        Assert.Equal(TrainingFixtures.Logits(model, Probe), TrainingFixtures.Logits(loaded, Probe));
    }

    [Fact]
    public void AnOriginalCheckpointLoadsFromItsTensorsAlone()
    {
        // The original's shape (untied, full GPT-2 vocabulary, 8 heads), saved as torch.save(model.state_dict()) with no
        // description beside it: everything but the heads is read off the tensors, and the heads are the original's.
        manual_seed(8);
        var config = new GptConfig { VocabSize = TokenVocabulary.Full.Size, DModel = 16, NHeads = 8, NLayers = 2, ContextLength = 32, Dropout = 0.1 };
        using var model = new StoryModel(new GptModel(config), TokenVocabulary.Full);
        model.Model.eval();
        string path = Path.Combine(_dir, "transformer_dpo.pt");
        PyTorchCheckpoint.Save(model, path);
        File.Delete(Path.Combine(_dir, "config.json"));

        using var loaded = ModelArchive.Load(path);
        Assert.Equal(config with { FusedAttention = true }, loaded.Config);
        Assert.False(loaded.Vocabulary.IsCompact);
        // The loaded model uses fused attention (same maths, fewer calls), so float rounding may differ slightly.
        var expected = TrainingFixtures.Logits(model, "The door");
        var actual = TrainingFixtures.Logits(loaded, "The door");
        Assert.All(expected.Zip(actual), p => Assert.Equal(p.First, p.Second, 1e-5));
    }

    [Fact]
    public void ExtrasAreReadOffTheirNames()
    {
        manual_seed(9);
        var config = TrainingFixtures.TinyConfig() with { VocabSize = TokenVocabulary.Full.Size, NHeads = 8, DModel = 16, CopyHead = true, UnseenTokenEmbedding = true, TieEmbeddings = true };
        using var model = new StoryModel(new GptModel(config), TokenVocabulary.Full);
        string path = Path.Combine(_dir, "extras.pt");
        PyTorchCheckpoint.Save(model, path);
        File.Delete(Path.Combine(_dir, "config.json"));
        using var contents = PyTorchCheckpoint.Read(path);
        Assert.True(contents.Config.CopyHead);
        Assert.True(contents.Config.UnseenTokenEmbedding);
        Assert.True(contents.Config.TieEmbeddings);
        Assert.Contains("copy_head.query.weight", contents.Tensors.Keys);
        Assert.Contains("seen_tokens", contents.Tensors.Keys);
    }

    [Fact]
    public void HeadsThatDoNotFitOrContradictTheDescriptionAreRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => PyTorchCheckpoint.Read(Fixture("golden_decoder.pt"), new() { Heads = 3 }));
        Assert.Contains("divide d_model 8", e.Message);

        using var model = TrainingFixtures.FreshModel(seed: 3);
        string path = Path.Combine(_dir, "m.safetensors");
        PyTorchCheckpoint.Save(model, path);
        e = Assert.Throws<ArgumentException>(() => PyTorchCheckpoint.Load(path, new() { Heads = model.Config.NHeads * 2 }));
        Assert.Contains("contradicts", e.Message);
    }

    [Fact]
    public void ForeignAndDamagedFilesGetErrorsThatNameThem()
    {
        string text = Path.Combine(_dir, "notes.pt");
        File.WriteAllText(text, "not a checkpoint");
        Assert.False(PyTorchCheckpoint.IsCheckpoint(text));
        var e = Assert.Throws<InvalidDataException>(() => PyTorchCheckpoint.Load(text));
        Assert.Contains(text, e.Message);

        using var model = TrainingFixtures.FreshModel(seed: 3);
        string path = Path.Combine(_dir, "cut.safetensors");
        PyTorchCheckpoint.Save(model, path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        e = Assert.Throws<InvalidDataException>(() => PyTorchCheckpoint.Load(path));
        Assert.Contains(path, e.Message);

        Assert.Throws<ArgumentException>(() => PyTorchCheckpoint.Save(model, Path.Combine(_dir, "model.onnx")));
    }
}
