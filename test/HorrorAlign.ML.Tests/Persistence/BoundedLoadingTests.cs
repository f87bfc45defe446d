using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Tests.App;
using HorrorAlign.ML.Tests.Training;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Tests.Persistence;

/// <summary>
/// Issue 16, bounded loading: small hostile files (a huge config with no tensors, an absurd context, safetensors offsets
/// past the end, a zip entry declaring gigabytes) fail fast with an <see cref="InvalidDataException"/> naming the file
/// and the field, and cost memory in proportion to their size, in the library and in the CLI.
/// </summary>
[Collection(SerialTorchCollection.Name)]
public sealed class BoundedLoadingTests : IDisposable
{
    private const long MaxGrowthBytes = 200L << 20;
    private readonly string _dir = Directory.CreateTempSubdirectory("ha-bounded-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // ---- builders -------------------------------------------------------------------------------------------------

    private static byte[] TinyModelBytes()
    {
        using var model = TrainingFixtures.FreshModel(seed: 16);
        return model.ToBytes();
    }

    /// <summary>The header JSON and payload of a model file (see ChecksummedContainer for the layout).</summary>
    private static (JsonNode Header, byte[] Payload) Split(byte[] file)
    {
        int headerLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(12));
        long payloadLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(16));
        var header = JsonNode.Parse(file.AsSpan(24, headerLength))!;
        return (header, file.AsSpan(24 + headerLength, (int)payloadLength).ToArray());
    }

    /// <summary>A well-formed model file (right lengths, valid checksum) around any header and payload.</summary>
    internal static byte[] Container(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload)
    {
        var file = new byte[24 + header.Length + payload.Length + 32];
        "HAMODEL1"u8.CopyTo(file);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(8), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(12), (uint)header.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(16), (ulong)payload.Length);
        header.CopyTo(file.AsSpan(24));
        payload.CopyTo(file.AsSpan(24 + header.Length));
        SHA256.HashData(file.AsSpan(0, file.Length - 32), file.AsSpan(file.Length - 32));
        return file;
    }

    /// <summary>A tiny model's file whose config is edited and whose tensor table is emptied: a valid checksum, ~7 kB.</summary>
    private static byte[] ConfigBomb(Action<JsonNode> editConfig)
    {
        var (header, payload) = Split(TinyModelBytes());
        editConfig(header["config"]!);
        header["tensors"] = new JsonArray();
        return Container(Encoding.UTF8.GetBytes(header.ToJsonString()), payload.AsSpan(0, Math.Min(payload.Length, 7000)));
    }

    private static byte[] HugeModelBomb() => ConfigBomb(c => { c["dModel"] = 4096; c["nHeads"] = 32; c["nLayers"] = 48; });

    private static byte[] HugeContextBomb() => ConfigBomb(c => c["contextLength"] = 2_000_000_000);

    private string WriteFile(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A safetensors file with 16 data bytes and one tensor, by default one whose shape and data_offsets lie
    /// far past them.</summary>
    private static byte[] SafetensorsBomb(string entry = """{"dtype":"F32","shape":[1000000,1000],"data_offsets":[0,4000000000]}""")
    {
        byte[] header = Encoding.UTF8.GetBytes($$"""{"token_embedding.weight":{{entry}}}""");
        var file = new byte[8 + header.Length + 16];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file, 8);
        return file;
    }

    /// <summary>A zip with one small entry whose central directory declares ~4.3 GB uncompressed.</summary>
    private static byte[] ZipBomb(string entryName)
    {
        var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var s = zip.CreateEntry(entryName).Open();
            s.Write(new byte[1000]);
        }
        byte[] bytes = ms.ToArray();
        int central = bytes.AsSpan().IndexOf("PK\u0001\u0002"u8);
        Assert.True(central > 0);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(central + 24), 0xFFFF_FFF0);
        return bytes;
    }

    /// <summary>Runs <paramref name="load"/>, which must throw <see cref="InvalidDataException"/> quickly and without
    /// growing the process by <see cref="MaxGrowthBytes"/>; returns the message.</summary>
    private static string AssertRejectedCheaply(Action load)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long managed = GC.GetTotalMemory(forceFullCollection: true);
        long workingSet = Environment.WorkingSet;
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<InvalidDataException>(load);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0, 5);
        Assert.InRange(GC.GetTotalMemory(forceFullCollection: false) - managed, long.MinValue, MaxGrowthBytes);
        Assert.InRange(Environment.WorkingSet - workingSet, long.MinValue, MaxGrowthBytes);
        return e.Message;
    }

    /// <summary>Like Assert.Contains, but a failure shows the whole message.</summary>
    private static void Has(string text, string expected) => Assert.True(text.Contains(expected, StringComparison.Ordinal), $"'{expected}' not in: {text}");

    // ---- model files ----------------------------------------------------------------------------------------------

    [Fact]
    public void HugeConfigWithNoTensors_IsRejectedBeforeAllocating_NamingTheFileAndTheSizes()
    {
        string path = WriteFile("bomb.hamodel", HugeModelBomb());
        Assert.InRange(new FileInfo(path).Length, 1, 10_000);
        string message = AssertRejectedCheaply(() => StoryModel.Load(path));
        Has(message, "bomb.hamodel");
        Has(message, "d_model 4096 × 48 layers");
        Has(message, "GB of weights but the file holds");
        Has(message, " kB");

        message = AssertRejectedCheaply(() => StoryModel.Load(new MemoryStream(File.ReadAllBytes(path))));
        Has(message, "d_model 4096");

        // The same bytes as the text payload of an ML.NET zip: what mlContext.Model.Load + predict decodes.
        string payload = HorrorAlign.ML.MLNet.ModelPayload.Encode(File.ReadAllBytes(path)).Payload;
        message = AssertRejectedCheaply(() => HorrorAlign.ML.MLNet.ModelPayload.Decode(payload));
        Has(message, "d_model 4096");
    }

    [Fact]
    public void AbsurdContextLength_IsRejectedByField()
    {
        string path = WriteFile("context.hamodel", HugeContextBomb());
        string message = AssertRejectedCheaply(() => StoryModel.Load(path));
        Has(message, "context.hamodel");
        Has(message, "GptConfig.ContextLength");
        Has(message, "2,000,000,000");
    }

    [Fact]
    public void DeclaredPayloadLargerThanTheFile_IsTruncatedWithoutAllocatingIt()
    {
        byte[] file = TinyModelBytes();
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(16), (ulong)Array.MaxLength); // claims ~2 GB of weights
        string message = AssertRejectedCheaply(() => StoryModel.Load(new MemoryStream(file)));
        Has(message, "truncated");
        // An unseekable stream cannot say its length up front: the reader grows with what arrives.
        message = AssertRejectedCheaply(() => StoryModel.Load(new UnseekableStream(file)));
        Has(message, "truncated");
    }

    [Fact]
    public void TensorTableThatDisagreesWithTheConfig_IsNamedBeforeAnyTensorIsMade()
    {
        var (header, payload) = Split(TinyModelBytes());
        // The same tensor listed twice under the table's names, each pointing at the whole payload: memory would grow
        // with every copy, so the table must be exactly the config's state dict.
        var tensors = header["tensors"]!.AsArray();
        var extra = tensors[0]!.DeepClone();
        extra["name"] = "blocks.7.attn.qkv.weight";
        tensors.Add(extra);
        string message = AssertRejectedCheaply(() => StoryModel.Load(new MemoryStream(Container(Encoding.UTF8.GetBytes(header.ToJsonString()), payload))));
        Has(message, "'blocks.7.attn.qkv.weight'");
    }

    // ---- checkpoints ----------------------------------------------------------------------------------------------

    [Fact]
    public void SafetensorsOffsetsPastTheEnd_AreRejected()
    {
        string path = WriteFile("bomb.safetensors", SafetensorsBomb());
        string message = AssertRejectedCheaply(() => PyTorchCheckpoint.Load(path));
        Has(message, "bomb.safetensors");
        Has(message, "'token_embedding.weight'");

        // A shape that agrees with its byte range, which lies past the data.
        path = WriteFile("offsets.safetensors", SafetensorsBomb("""{"dtype":"F32","shape":[2,4],"data_offsets":[0,32]}"""));
        message = AssertRejectedCheaply(() => PyTorchCheckpoint.Load(path));
        Has(message, "offsets.safetensors");
        Has(message, "data_offsets [0, 32] lie outside the 16-byte data section");
    }

    [Fact]
    public void SafetensorsAbsurdHeaderLength_IsNotACheckpoint()
    {
        var file = SafetensorsBomb();
        BinaryPrimitives.WriteUInt64LittleEndian(file, 1UL << 60);
        string path = WriteFile("header.safetensors", file);
        Assert.False(PyTorchCheckpoint.IsCheckpoint(path));
        string message = AssertRejectedCheaply(() => PyTorchCheckpoint.Load(path));
        Has(message, "header.safetensors");
    }

    [Fact]
    public void CheckpointWhoseInferredConfigIsAbsurd_IsRejectedBeforeBuilding()
    {
        // Small tensors whose names say 5,000 blocks: the layer count is read off the names.
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>
        {
            ["token_embedding.weight"] = zeros(4, 8), ["pos_embedding.weight"] = zeros(4, 8),
            ["blocks.0.ff.net.0.weight"] = zeros(32, 8), ["blocks.4999.ff.net.0.weight"] = zeros(32, 8),
        };
        string path = Path.Combine(_dir, "layers.safetensors");
        using (var s = File.Create(path)) SafeTensors.Write(s, tensors, new Dictionary<string, string>());
        string message = AssertRejectedCheaply(() => PyTorchCheckpoint.Load(path, new PyTorchCheckpointOptions { Heads = 2 }));
        Has(message, "layers.safetensors");
        Has(message, "128-layer limit");

        // A consistent config whose tensors are missing is named by tensor, still before a model is built.
        tensors.Remove("blocks.4999.ff.net.0.weight");
        using (var s = File.Create(path)) SafeTensors.Write(s, tensors, new Dictionary<string, string>());
        message = AssertRejectedCheaply(() => PyTorchCheckpoint.Load(path, new PyTorchCheckpointOptions { Heads = 2 }));
        Has(message, "has no tensor");
    }

    [Fact]
    public void TorchSaveZipWithAHugeDeclaredEntry_IsRejected()
    {
        string path = WriteFile("bomb.pt", ZipBomb("archive/data.pkl"));
        string message = AssertRejectedCheaply(() => PyTorchCheckpoint.Load(path));
        Has(message, "bomb.pt");
        Has(message, "declare 4.3 GB uncompressed");
    }

    // ---- torch.save pickles ---------------------------------------------------------------------------------------

    private static DeclaredTensor Floats(string name, BigInteger elements, long[] shape, long[] stride, int dataBytes, long offset = 0) =>
        new(name, "FloatStorage", elements, shape, stride, offset, dataBytes);

    /// <summary>A torch.save file whose one tensor declares [1048576, 1048576] floats over 16 bytes of data.</summary>
    private static byte[] TorchSaveBomb() => TorchSaveBuilder.Zip(Floats("blocks.0.attn.qkv.weight", 4, [1 << 20, 1 << 20], [1 << 20, 1], 16));

    [Fact]
    public void TorchSaveTensorsThatFitTheirData_Load()
    {
        // The builder writes what torch.save writes: declarations that are true load (PyBridge reads whole storages, so
        // views of one are not among them).
        string path = WriteFile("small.pt", TorchSaveBuilder.Zip(Floats("w", 6, [2, 3], [3, 1], 24), Floats("v", 3, [3], [1], 12)));
        var tensors = PyTorchPickle.Read(path);
        try
        {
            Assert.Equal([2L, 3L], tensors["w"].shape);
            Assert.Equal([3L], tensors["v"].shape);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    [Fact]
    public void TorchSaveTensorsLargerThanTheirData_AreRejectedBeforeAllocating_NamingTheFileAndTheTensor()
    {
        foreach (var (file, tensor, expected) in new (string, DeclaredTensor, string)[]
        {
            ("shape.pt", Floats("blocks.0.attn.qkv.weight", 4, [1 << 20, 1 << 20], [1 << 20, 1], 16), "has shape [1048576, 1048576]"),
            ("expanded.pt", Floats("token_embedding.weight", 1, [1 << 20, 1 << 20], [0, 0], 4), "needs 1,099,511,627,776 elements, but its storage declares 1"),
            ("storage.pt", Floats("pos_embedding.weight", BigInteger.One << 40, [4], [1], 16), "declares a storage of 1,099,511,627,776 FloatStorage elements (4.4 TB)"),
            ("overflow.pt", new("w", "DoubleStorage", BigInteger.One << 62, [1], [1], 0, 8), "declares a storage of 4,611,686,018,427,387,904 DoubleStorage elements"),
            ("strides.pt", Floats("w", 4, [4], [1000], 16), "needs 3,001 elements"),
            ("offset.pt", Floats("w", 4, [4], [1], 16, offset: long.MaxValue), "offset 9223372036854775807"),
            ("negative.pt", Floats("w", -1, [4], [1], 16), "declares a storage of -1 elements"),
        })
        {
            string path = WriteFile(file, TorchSaveBuilder.Zip(tensor));
            foreach (var load in new Action[] { () => PyTorchPickle.Read(path), () => ModelArchive.Load(path).Dispose() })
            {
                string message = AssertRejectedCheaply(load);
                Has(message, file);
                Has(message, $"tensor '{tensor.Name}'");
                Has(message, expected);
            }
        }
    }

    // ---- ML.NET zips and the CLI ----------------------------------------------------------------------------------

    [Fact]
    public void ModelZipWithAHugeDeclaredEntry_IsRejected()
    {
        string path = WriteFile("bomb.zip", ZipBomb("TransformerChain/Model.key"));
        string message = AssertRejectedCheaply(() => ModelArchive.Load(path));
        Has(message, "bomb.zip");
        Has(message, "uncompressed");
    }

    [Fact]
    public void ModelArchiveLoadsRejectTheModelFileBombs()
    {
        foreach (var (name, bytes, expected) in new[]
        {
            ("bomb.hamodel", HugeModelBomb(), "d_model 4096"),
            ("context.hamodel", HugeContextBomb(), "GptConfig.ContextLength"),
        })
        {
            string path = WriteFile(name, bytes);
            string message = AssertRejectedCheaply(() => ModelArchive.Load(path));
            Has(message, name);
            Has(message, expected);
        }
    }

    [Fact]
    public void GenerateWithABombModel_ExitsOneWithTheMessage()
    {
        foreach (var (name, bytes, expected) in new[]
        {
            ("bomb.zip", HugeModelBomb(), "d_model 4096"), // a model file named .zip: told by content
            ("context.hamodel", HugeContextBomb(), "GptConfig.ContextLength"),
            ("bomb.safetensors", SafetensorsBomb(), "'token_embedding.weight'"),
            ("entry.zip", ZipBomb("TransformerChain/Model.key"), "uncompressed"),
            ("bomb.pt", TorchSaveBomb(), "tensor 'blocks.0.attn.qkv.weight' has shape [1048576, 1048576]"),
        })
        {
            string path = WriteFile(name, bytes);
            long workingSet = Environment.WorkingSet;
            var run = CliRun.Invoke(["generate", "--model", path, "--prompt", "x"]);
            Assert.True(run.ExitCode == 1, run.ToString());
            Has(run.Error, name);
            Has(run.Error, expected);
            Assert.InRange(Environment.WorkingSet - workingSet, long.MinValue, MaxGrowthBytes);
        }
    }

    // ---- fuzzing --------------------------------------------------------------------------------------------------

    [Fact]
    public void MutatedModelFiles_OnlyEverThrowInvalidDataException()
    {
        // Half the cases mutate the file as it is (the checksum or the envelope must catch them); half mutate the header
        // JSON or the payload and re-seal them with right lengths and a valid checksum, so the parser itself is fuzzed.
        // Every fourth case goes through the ML.NET text payload (ModelPayload) instead of the stream.
        byte[] valid = TinyModelBytes();
        int headerLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(valid.AsSpan(12));
        byte[] header = valid[24..(24 + headerLength)];
        byte[] payload = Split(valid).Payload;
        var rng = new Random(20261216);
        var clock = Stopwatch.StartNew();
        int loaded = 0, rejected = 0;
        for (int i = 0; i < 2000; i++)
        {
            byte[] input = (i % 2) switch
            {
                0 => Mutate(valid, rng),
                _ => rng.Next(4) == 0 ? Container(header, Mutate(payload, rng)) : Container(Mutate(header, rng), payload),
            };
            try
            {
                using var model = i % 4 == 3
                    ? HorrorAlign.ML.MLNet.ModelPayload.Decode(HorrorAlign.ML.MLNet.ModelPayload.Encode(input).Payload)
                    : StoryModel.Load(new MemoryStream(input));
                loaded++;
            }
            catch (InvalidDataException)
            {
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"case {i}: {e.GetType().Name} escaped: {e.Message}\n{e.StackTrace}");
            }
        }
        Assert.InRange(clock.Elapsed.TotalSeconds, 0, 20);
        // Both outcomes occur: the mutations reach the parser and the tensor copy, not only the checksum.
        Assert.True(rejected >= 1000 && loaded >= 50, $"{loaded} loaded, {rejected} rejected");
    }

    [Fact]
    public void MutatedModelZips_OnlyEverThrowInvalidDataException()
    {
        // The zip loader (ZipLimits, ML.NET's own reader, the payload inside): whole-file mutations of a real model.zip.
        string path = Path.Combine(Path.GetTempPath(), $"horroralign-zipfuzz-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        try
        {
            string zip = Path.Combine(path, "model.zip");
            using (var model = TrainingFixtures.FreshModel(seed: 17)) HorrorAlign.ML.ModelArchive.Save(model, zip);
            byte[] valid = File.ReadAllBytes(zip);
            var rng = new Random(20261217);
            var clock = Stopwatch.StartNew();
            int loaded = 0, rejected = 0, cases = 0;
            string mutated = Path.Combine(path, "mutated.zip");
            for (; cases < 300 && clock.Elapsed.TotalSeconds < 20; cases++)
            {
                File.WriteAllBytes(mutated, Mutate(valid, rng));
                try
                {
                    using var model = HorrorAlign.ML.ModelArchive.Load(mutated);
                    loaded++;
                }
                catch (InvalidDataException)
                {
                    rejected++;
                }
                catch (Exception e)
                {
                    Assert.Fail($"case {cases}: {e.GetType().Name} escaped: {e.Message}\n{e.StackTrace}");
                }
            }
            Assert.True(cases >= 100, $"only {cases} cases in 20 s");
            Assert.True(rejected >= cases / 2, $"{loaded} loaded, {rejected} rejected");
        }
        finally
        {
            Directory.Delete(path, recursive: true);
        }
    }

    [Fact]
    public void MutatedTorchSavePickles_OnlyEverThrowInvalidDataException()
    {
        // The data.pkl of a file PyTorch wrote (the golden decoder, 22 tensors), mutated and put back in its zip: the
        // pickle reader, the tensor check and PyBridge's unpickler behind it. Sizes and shapes are pickled as integers,
        // so a flipped bit declares a tensor of another size.
        byte[] zip = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "data", "pytorch", "golden_decoder.pt"));
        byte[] pickle = TorchSaveBuilder.PickleOf(zip);
        string path = Path.Combine(_dir, "mutated.pt");
        var rng = new Random(20261221);
        var clock = Stopwatch.StartNew();
        GC.Collect();
        long workingSet = Environment.WorkingSet;
        int loaded = 0, rejected = 0, cases = 0;
        for (; cases < 600 && clock.Elapsed.TotalSeconds < 20; cases++)
        {
            File.WriteAllBytes(path, TorchSaveBuilder.WithPickle(zip, Mutate(pickle, rng)));
            try
            {
                foreach (var t in PyTorchPickle.Read(path).Values) t.Dispose();
                loaded++;
            }
            catch (InvalidDataException e)
            {
                Assert.Contains("mutated.pt", e.Message);
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"case {cases}: {e.GetType().Name} escaped: {e.Message}\n{e.StackTrace}");
            }
        }
        Assert.True(cases >= 200, $"only {cases} cases in 20 s");
        Assert.True(rejected >= cases / 3 && loaded >= 10, $"{loaded} loaded, {rejected} rejected");
        Assert.InRange(Environment.WorkingSet - workingSet, long.MinValue, MaxGrowthBytes);
    }

    /// <summary>One seeded mutation: bit flips, a truncation, inserted bytes, or a number made longer (digits inserted
    /// after a digit, which is how sizes and offsets in the JSON header turn absurd).</summary>
    private static byte[] Mutate(byte[] bytes, Random rng)
    {
        ReadOnlySpan<byte> punctuation = "{}[],:\"-0"u8;
        var list = new List<byte>(bytes);
        switch (rng.Next(5))
        {
            case 0:
                for (int k = rng.Next(1, 4); k > 0 && list.Count > 0; k--) list[rng.Next(list.Count)] ^= (byte)(1 << rng.Next(8));
                break;
            case 1:
                list = list.Take(rng.Next(list.Count)).ToList();
                break;
            case 2:
                list.InsertRange(rng.Next(list.Count + 1), Enumerable.Range(0, rng.Next(1, 9)).Select(_ => (byte)rng.Next(256)));
                break;
            case 3:
                if (list.Count > 0) list[rng.Next(list.Count)] = punctuation[rng.Next(punctuation.Length)];
                break;
            default:
                var digits = Enumerable.Range(0, list.Count).Where(j => list[j] is >= (byte)'0' and <= (byte)'9').ToList();
                if (digits.Count > 0)
                    list.InsertRange(digits[rng.Next(digits.Count)] + 1, Encoding.ASCII.GetBytes(rng.Next(2) == 0 ? "000000" : "9999999999"));
                break;
        }
        return list.ToArray();
    }

    /// <summary>A read-only stream over bytes that cannot seek or tell its length.</summary>
    private sealed class UnseekableStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream _inner = new(bytes, writable: false);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
