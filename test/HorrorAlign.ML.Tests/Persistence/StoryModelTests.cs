using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Tests.Training;
using HorrorAlign.ML.Tokenization;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Tests.Persistence;

[Collection(SerialTorchCollection.Name)]
public class StoryModelTests
{
    private const string Probe = "Protagonist: Mara\nObject: a brass key\nStory:\nMara found";

    [Fact]
    public void Float32RoundTripGivesBitIdenticalLogitsConfigAndVocabulary()
    {
        using var model = TrainingFixtures.FreshModel(seed: 3);
        byte[] bytes = model.ToBytes();
        using var loaded = StoryModel.Load(new MemoryStream(bytes));

        Assert.Equal(model.Config, loaded.Config);
        Assert.True(loaded.Vocabulary.IsCompact);
        Assert.Equal(model.Vocabulary.Gpt2Ids, loaded.Vocabulary.Gpt2Ids);
        Assert.Equal(TrainingFixtures.Logits(model, Probe), TrainingFixtures.Logits(loaded, Probe));
        // Equal models give equal bytes (no timestamps): what ML.NET payload hashes rely on.
        Assert.Equal(bytes, loaded.ToBytes());
    }

    [Fact]
    public void FullVocabularyAndTiedConfigRoundTrip()
    {
        manual_seed(5);
        var config = TrainingFixtures.TinyConfig() with { VocabSize = TokenVocabulary.Full.Size, TieEmbeddings = true, ContextLength = 16 };
        using var model = new StoryModel(new HorrorAlign.ML.Modeling.GptModel(config), TokenVocabulary.Full);
        using var loaded = StoryModel.Load(new MemoryStream(model.ToBytes()));
        Assert.False(loaded.Vocabulary.IsCompact);
        Assert.True(loaded.Config.TieEmbeddings);
        Assert.Equal(TrainingFixtures.Logits(model, "The door"), TrainingFixtures.Logits(loaded, "The door"));
    }

    [Fact]
    public void FieldTokensRoundTrip_AndModelsWithoutThemReadAsBefore()
    {
        manual_seed(6);
        var vocabulary = TrainingFixtures.Vocabulary.WithFieldTokens();
        var config = TrainingFixtures.TinyConfig() with { VocabSize = vocabulary.Size };
        using var model = new StoryModel(new HorrorAlign.ML.Modeling.GptModel(config), vocabulary);
        using var loaded = StoryModel.Load(new MemoryStream(model.ToBytes()));
        Assert.True(loaded.Vocabulary.HasFieldTokens);
        Assert.Equal(vocabulary.Size, loaded.Vocabulary.Size);
        Assert.Equal(vocabulary.Gpt2Ids, loaded.Vocabulary.Gpt2Ids);

        // A model without field tokens writes no field-token entry, so its bytes are what earlier versions wrote.
        using var plain = TrainingFixtures.FreshModel(seed: 3);
        Assert.DoesNotContain("fieldTokens", Encoding.UTF8.GetString(plain.ToBytes()), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Float16StorageIsHalfTheSizeAndClose()
    {
        using var model = TrainingFixtures.FreshModel(seed: 4);
        byte[] fp32 = model.ToBytes();
        byte[] fp16 = model.ToBytes(WeightPrecision.Float16);
        byte[] bf16 = model.ToBytes(WeightPrecision.BFloat16);
        Assert.InRange(fp16.Length, fp32.Length * 0.45, fp32.Length * 0.6);
        Assert.InRange(bf16.Length, fp16.Length - 16, fp16.Length + 16); // same data, only the dtype names differ

        var expected = TrainingFixtures.Logits(model, Probe);
        foreach (var (bytes, tolerance) in new[] { (fp16, 0.02), (bf16, 0.1) })
        {
            using var loaded = StoryModel.Load(new MemoryStream(bytes));
            var actual = TrainingFixtures.Logits(loaded, Probe);
            double maxDiff = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
            Assert.InRange(maxDiff, 0, tolerance);
            Assert.Equal(model.Config, loaded.Config);
        }
    }

    [Fact]
    public void FileSaveIsAtomicAndLoadsBack()
    {
        using var dir = new TrainingFixtures.TempDir();
        string path = Path.Combine(dir.Path, "sub", "model.hamodel");
        using var model = TrainingFixtures.FreshModel(seed: 6);
        model.Save(path);
        model.Save(path); // overwrite in place
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!)); // no temporary files left behind
        using var loaded = StoryModel.Load(path);
        Assert.Equal(TrainingFixtures.Logits(model, Probe), TrainingFixtures.Logits(loaded, Probe));
    }

    [Fact]
    public void LoadReadsExactlyOneModelFromALongerStream()
    {
        using var model = TrainingFixtures.FreshModel(seed: 6);
        var ms = new MemoryStream();
        model.Save(ms);
        long end = ms.Length;
        ms.Write("TRAILER"u8);
        ms.Position = 0;
        using var loaded = StoryModel.Load(ms);
        Assert.Equal(end, ms.Position);
    }

    [Fact]
    public void TruncatedInputIsReportedAsTruncated()
    {
        using var model = TrainingFixtures.FreshModel();
        byte[] bytes = model.ToBytes();
        foreach (int length in new[] { 0, 5, 10, 30, bytes.Length / 2, bytes.Length - 1 })
        {
            var e = Assert.Throws<InvalidDataException>(() => StoryModel.Load(new MemoryStream(bytes[..length])));
            Assert.Contains("truncated", e.Message);
        }
    }

    [Fact]
    public void FlippedByteIsReportedAsChecksumMismatch()
    {
        using var model = TrainingFixtures.FreshModel();
        byte[] bytes = model.ToBytes();
        foreach (int at in new[] { 40, bytes.Length / 2, bytes.Length - 40, bytes.Length - 1 })
        {
            var copy = (byte[])bytes.Clone();
            copy[at] ^= 0x10;
            var e = Assert.Throws<InvalidDataException>(() => StoryModel.Load(new MemoryStream(copy)));
            Assert.Contains("checksum", e.Message);
        }
    }

    [Fact]
    public void ForeignInputIsReportedAsForeign()
    {
        byte[] zip = [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
        var e = Assert.Throws<InvalidDataException>(() => StoryModel.Load(new MemoryStream(zip)));
        Assert.Contains("not in this format", e.Message);
        e = Assert.Throws<InvalidDataException>(() => StoryModel.Load(new MemoryStream(Encoding.UTF8.GetBytes("{\"hello\": \"json\"}"))));
        Assert.Contains("not in this format", e.Message);
    }

    [Fact]
    public void FutureVersionIsReportedAsNewer()
    {
        using var model = TrainingFixtures.FreshModel();
        byte[] bytes = model.ToBytes();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), 2);
        Rehash(bytes); // a genuine future file, not a corrupt one
        var e = Assert.Throws<InvalidDataException>(() => StoryModel.Load(new MemoryStream(bytes)));
        Assert.Contains("version 2", e.Message);
        Assert.Contains("newer", e.Message);
    }

    [Fact]
    public void MissingExtraOrMisshapedTensorsAreNamed()
    {
        using var model = TrainingFixtures.FreshModel();
        var dict = model.Model.state_dict();

        byte[] Write(IEnumerable<KeyValuePair<string, Tensor>> tensors)
        {
            var ms = new MemoryStream();
            ModelFormat.Write(ms, model.Config, model.Vocabulary, tensors, WeightPrecision.Float32);
            return ms.ToArray();
        }

        var missing = Write(dict.Where(kv => kv.Key != "final_norm.weight"));
        var e = Assert.Throws<InvalidDataException>(() => StoryModel.Load(new MemoryStream(missing)));
        Assert.Contains("'final_norm.weight'", e.Message);

        using var extraTensor = zeros(3);
        var extra = Write(dict.Append(new("blocks.9.mystery", extraTensor)));
        e = Assert.Throws<InvalidDataException>(() => StoryModel.Load(new MemoryStream(extra)));
        Assert.Contains("'blocks.9.mystery'", e.Message);

        using var wrongShape = zeros(5, 5);
        var misshaped = Write(dict.Select(kv => kv.Key == "pos_embedding.weight" ? new KeyValuePair<string, Tensor>(kv.Key, wrongShape) : kv));
        e = Assert.Throws<InvalidDataException>(() => StoryModel.Load(new MemoryStream(misshaped)));
        Assert.Contains("'pos_embedding.weight'", e.Message);
        Assert.Contains("[5,5]", e.Message);
    }

    [Fact]
    public void CloneIsDeepAndDoesNotDisturbTheSeededRng()
    {
        using var model = TrainingFixtures.FreshModel(seed: 8);
        var before = TrainingFixtures.Logits(model, Probe);

        manual_seed(123);
        using var clone = model.Clone();
        float afterClone = rand(1).item<float>();
        manual_seed(123);
        float plain = rand(1).item<float>();
        Assert.Equal(plain, afterClone);

        Assert.Equal(before, TrainingFixtures.Logits(clone, Probe));
        using (no_grad())
        {
            foreach (var p in clone.Model.parameters()) p.add_(1.0f);
        }
        Assert.Equal(before, TrainingFixtures.Logits(model, Probe));
        Assert.NotEqual(before, TrainingFixtures.Logits(clone, Probe));
    }

    [Fact]
    public void ConstructorRejectsMismatchedVocabulary()
    {
        manual_seed(1);
        var model = new HorrorAlign.ML.Modeling.GptModel(TrainingFixtures.TinyConfig());
        try
        {
            var e = Assert.Throws<ArgumentException>(() => new StoryModel(model, TokenVocabulary.Full));
            Assert.Contains("50257", e.Message);
        }
        finally
        {
            model.Dispose();
        }
    }

    /// <summary>Recomputes the trailing SHA-256 after an intentional edit.</summary>
    private static void Rehash(byte[] bytes)
    {
        var hash = SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32));
        hash.CopyTo(bytes.AsSpan(bytes.Length - 32));
    }

    [Fact]
    public void GrowingFieldTokensKeepsEveryOldRowAndAddsDistinctNewOnes()
    {
        manual_seed(12);
        var config = TrainingFixtures.TinyConfig() with { VocabSize = TrainingFixtures.Vocabulary.Size, TieEmbeddings = true };
        using var model = new StoryModel(new HorrorAlign.ML.Modeling.GptModel(config), TrainingFixtures.Vocabulary);
        model.Model.eval();
        using var grown = model.WithFieldTokens();

        Assert.Equal(model.Vocabulary.Size + FieldTokens.Count, grown.Config.VocabSize);
        Assert.True(grown.Vocabulary.HasFieldTokens);
        // Logits over the old ids are unchanged (the body and the old rows are copies); the new rows differ from each other.
        var before = TrainingFixtures.Logits(model, Probe);
        var after = TrainingFixtures.Logits(grown, Probe);
        int v = model.Config.VocabSize, w = grown.Config.VocabSize, positions = before.Length / v;
        for (int t = 0; t < positions; t++)
        {
            Assert.Equal(before[(t * v)..((t + 1) * v)], after[(t * w)..(t * w + v)]);
            Assert.Equal(FieldTokens.Count, after[(t * w + v)..((t + 1) * w)].Distinct().Count());
        }
    }
}
