using System.Text;
using HorrorAlign.ML.Data;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Pipeline;
using HorrorAlign.ML.Tests.App;
using HorrorAlign.ML.Tests.Training;
using HorrorAlign.ML.Tokenization;
using HorrorAlign.ML.Training;

namespace HorrorAlign.ML.Tests.Pipeline;

/// <summary>Pretraining on a corpus the test makes (template stories, one per line): it learns, its result is a base,
/// and bad corpora are named. Serial: training seeds torch's global generator.</summary>
[Collection(SerialTorchCollection.Name)]
public sealed class PretrainPipelineTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ha-pretrain-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly PretrainOptions Tiny = new()
    {
        Model = new() { DModel = 32, NHeads = 2, NLayers = 1, MlpRatio = 2, Dropout = 0, ContextLength = 384, TieEmbeddings = true },
        BlockSize = 64, BatchSize = 8, MaxEpochs = 20, MaxSteps = 30, WarmupSteps = 2, EvalInterval = 10, CheckpointInterval = 10, Threads = 1,
        ValidationShare = 0.2,
    };

    private string Corpus()
    {
        string path = Path.Combine(_dir, "stories.txt");
        var lines = Enumerable.Range(0, 120).Select(i => TrainingFixtures.Story($"Name{i % 9}", i % 2 == 0 ? "a brass key" : "an old lamp"));
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void PretrainingLearnsAndItsModelIsABase()
    {
        string outDir = Path.Combine(_dir, "base");
        using var result = new Disposer(PretrainPipeline.Run(Corpus(), Tiny, outDir));
        var evals = result.Value.History.Where(m => m.IsEvaluation).Select(m => m.Get(MetricNames.EvalLoss)!.Value).ToArray();
        Assert.True(evals.Length >= 3);
        Assert.True(evals[^1] < evals[0] * 0.7, $"validation loss {evals[0]:0.###} → {evals[^1]:0.###}");
        Assert.True(File.Exists(Path.Combine(outDir, PretrainPipeline.ModelFile)));
        Assert.False(Directory.Exists(Path.Combine(outDir, PretrainPipeline.CheckpointFolder)));
        // pretrain --out refuses inputs among these: the list must hold every file the run wrote.
        Assert.All(Directory.GetFiles(outDir, "*", SearchOption.AllDirectories), f => Assert.Contains(f, PretrainPipeline.Writes(outDir).Files));

        using var loaded = ModelArchive.Load(Path.Combine(outDir, PretrainPipeline.ModelFile));
        Assert.True(loaded.Vocabulary.HasFieldTokens); // ready for SFT with field tokens, without growing
        var options = RunOptions.Tiny with { BaseModel = Path.Combine(outDir, PretrainPipeline.ModelFile) };
        using var run = AlignmentPipeline.Run(options, Path.Combine(_dir, "run"));
        Assert.Equal(loaded.Config, run.Model);
    }

    [Fact]
    public void TheTokenFileHoldsEveryDocumentThenEndOfText()
    {
        string path = Path.Combine(_dir, "docs.jsonl");
        File.WriteAllText(path, "{\"text\":\"The door.\"}\n\n{\"text\":\"Ölicht ✓\"}\n");
        using var tokens = TokenFile.Build(TextCorpus.Open(path), Path.Combine(_dir, "tokens.bin"));
        Assert.Equal(2, tokens.Documents);
        var gpt2 = Gpt2Tokenizer.Shared;
        Assert.Equal("The door.<|endoftext|>Ölicht ✓<|endoftext|>", Encoding.UTF8.GetString(gpt2.DecodeBytes(tokens.Read(0, (int)tokens.Count))));
    }

    [Fact]
    public void BadCorporaAreNamed()
    {
        string jsonl = Path.Combine(_dir, "bad.jsonl");
        File.WriteAllText(jsonl, "{\"text\":\"ok\"}\n{\"story\":\"no text\"}\n");
        var e = Assert.Throws<JsonlFormatException>(() => TextCorpus.Open(jsonl).Documents().ToList());
        Assert.Contains("bad.jsonl", e.Message);
        Assert.Contains("2", e.Message);
        Assert.Contains("text", e.Message);
        Assert.Throws<FileNotFoundException>(() => TextCorpus.Open(Path.Combine(_dir, "missing")));
        Assert.Throws<FileNotFoundException>(() => TextCorpus.Open(Directory.CreateDirectory(Path.Combine(_dir, "empty")).FullName));
        File.WriteAllText(Path.Combine(_dir, "x.csv"), "a,b");
        Assert.Throws<ArgumentException>(() => TextCorpus.Open(Path.Combine(_dir, "x.csv")));

        // A .txt corpus is read as strictly as JSONL: UTF-8 and the line cap, named by file and line.
        string txt = Path.Combine(_dir, "bad.txt");
        File.WriteAllBytes(txt, [.. "One story.\n"u8, .. "Zo"u8, 0xFF, .. "\n"u8]);
        e = Assert.Throws<JsonlFormatException>(() => TextCorpus.Open(txt).Documents().ToList());
        Assert.Contains("bad.txt:2", e.Message);
        Assert.Contains("not valid UTF-8", e.Message);
        string endless = Path.Combine(_dir, "endless.txt");
        File.WriteAllBytes(endless, new byte[Jsonl.MaxLineBytes + 10]);
        e = Assert.Throws<JsonlFormatException>(() => TextCorpus.Open(endless).Documents().ToList());
        Assert.Contains("endless.txt:1", e.Message);
        Assert.Contains("longer than the limit", e.Message);
    }

    [Fact]
    public void TheCommandNeedsACorpusOrAFolderToResume()
    {
        var result = CliRun.Invoke(["pretrain"]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--text", result.Error);
        var tooWide = CliRun.Invoke(["pretrain", "--text", Corpus(), "--block-size", "999", "--out", Path.Combine(_dir, "w")]);
        Assert.Equal(2, tooWide.ExitCode);
        Assert.Contains("--block-size", tooWide.Error);
    }

    [Fact]
    public void ARunThatFailsBeforeTrainingLeavesNothingThatBlocksARerun()
    {
        string outDir = Path.Combine(_dir, "rerun");
        string tooShort = Path.Combine(_dir, "short.txt");
        File.WriteAllText(tooShort, "The door.\n"); // far fewer tokens than one block
        var failed = CliRun.Invoke(["pretrain", "--text", tooShort, "--out", outDir, "--block-size", "64"]);
        Assert.Equal(1, failed.ExitCode);
        Assert.False(File.Exists(Path.Combine(outDir, PretrainPipeline.OptionsFile)));

        using var result = new Disposer(PretrainPipeline.Run(Corpus(), Tiny with { MaxSteps = 2 }, outDir));
        Assert.True(File.Exists(Path.Combine(outDir, PretrainPipeline.ModelFile)));
    }

    [Fact]
    public void ATimeLimitStopsTrainingWithItsReason()
    {
        using var result = new Disposer(PretrainPipeline.Run(Corpus(), Tiny with { TimeLimit = TimeSpan.FromMilliseconds(1) }, Path.Combine(_dir, "t")));
        Assert.Equal(TrainingStopReason.TimeLimitReached, result.Value.StopReason);
        Assert.Equal(1, result.Value.Steps);
    }

    private sealed class Disposer(TrainingResult value) : IDisposable
    {
        public TrainingResult Value { get; } = value;
        public void Dispose() => Value.Model.Dispose();
    }
}
