using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using HorrorAlign.ML.MLNet;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Tests.Training;
using Microsoft.ML;

namespace HorrorAlign.ML.Tests.MLNet;

/// <summary>
/// Issue 16, a model zip with a junk story-model payload: every way of damaging a real <c>model.zip</c> that was tried
/// (the payload text, the payload's zip entry, ML.NET's own entries, a step swapped for another) fails
/// <see cref="StoryModelZip.Load(MLContext, string, out DataViewSchema)"/> and <see cref="ModelArchive.Load(string)"/>
/// with an <see cref="InvalidDataException"/> naming the file, and never writes a story through the plain ML.NET path
/// (Load → CreatePredictionEngine → Predict). Where HorrorAlign code reads the damage on that path (the payload text),
/// it says what <c>StoryModelZip.Load</c> says; damage that ML.NET's own loader or binder meets first is ML.NET's
/// exception there, since ML.NET 5 gives a component no hook into either.
/// </summary>
[Collection(SerialTorchCollection.Name)]
public sealed class DamagedModelZipTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ha-damaged-").FullName;
    private readonly byte[] _modelBytes;
    private readonly string _zip;
    private int _count;

    public DamagedModelZipTests()
    {
        // A context long enough for a spec prompt, so the intact zip writes a story through the plain path.
        TorchSharp.torch.manual_seed(16);
        using var model = new StoryModel(new GptModel(TrainingFixtures.TinyConfig() with { ContextLength = 1024 }), TrainingFixtures.Vocabulary);
        _modelBytes = model.ToBytes(WeightPrecision.Float32);
        _zip = Path.Combine(_dir, "model.zip");
        ModelArchive.Save(model, _zip, new HorrorAlign.ML.Generation.SamplingOptions { MaxNewTokens = 4 });
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // ---- the intact zip, and the reported message ------------------------------------------------------------------

    [Fact]
    public void TheIntactZipWritesAStoryThroughBothPaths()
    {
        var ml = new MLContext(seed: 1);
        var loaded = StoryModelZip.Load(ml, _zip, out _);
        loaded.ReleaseStoryModels();
        Assert.False(string.IsNullOrEmpty(PredictRaw(_zip)));
    }

    [Fact]
    public void KeyStepSwappedForAnotherStep_IsTheReportedMessage_AndLoadNamesTheFile()
    {
        // The report's "Could not find input column '__HorrorAlign_Key'": the generator's first step (which writes the
        // key its payload mapping looks the model up by) replaced by another valid step of the same zip. Every entry
        // still loads, so StoryModelZip.Load used to say nothing and the plain path failed only when binding.
        string keyStep = EntryContaining(Encoding.Unicode.GetBytes(ModelKeyMapping.ContractName), under: GeneratorDir);
        string copyStep = EntryContaining("COPYCOLT"u8.ToArray(), under: GeneratorDir);
        string path = Edit("key-step-swapped.zip", zip => Put(zip, keyStep, Read(zip, copyStep)));

        string message = LibraryMessage(path);
        Assert.Contains("its steps do not fit together", message);
        Assert.Contains($"'{InternalColumns.Key}'", message);
        Assert.Contains($"'{InternalColumns.Key}'", RawFailure(path).Message);
    }

    // ---- the payload text (what HorrorAlign reads on both paths) ---------------------------------------------------

    public static TheoryData<string> PayloadTextCases => new(PayloadTexts(new byte[4096], new Random(0)).Keys);

    [Theory]
    [MemberData(nameof(PayloadTextCases))]
    public void JunkPayloadText_GivesTheSameMessageOnBothPaths(string variant)
    {
        string payload = PayloadTexts(_modelBytes, new Random(16))[variant];
        string path = PayloadZip(variant.Replace(' ', '-').Replace(',', '-') + ".zip", payload);

        string message = LibraryMessage(path);
        var raw = RawFailure(path);
        Assert.IsType<InvalidDataException>(raw);
        Assert.Equal(message, $"'{path}': {raw.Message}");
    }

    /// <summary>Junk payloads: random, truncated or empty model bytes with the payload's SHA-256 fixed to match (so the
    /// model reader meets them) or left stale, and text that is no payload at all.</summary>
    private static Dictionary<string, string> PayloadTexts(byte[] model, Random rng)
    {
        byte[] random = new byte[model.Length];
        rng.NextBytes(random);
        string staleHeader = ModelPayload.Header(Convert.ToHexStringLower(SHA256.HashData(model)));
        string Fixed(byte[] bytes) => ModelPayload.Encode(bytes).Payload;
        string Stale(byte[] bytes) => staleHeader + ";" + Convert.ToBase64String(bytes);
        return new()
        {
            ["random bytes, hash fixed"] = Fixed(random),
            ["random bytes, hash stale"] = Stale(random),
            ["truncated, hash fixed"] = Fixed(model[..(model.Length / 2)]),
            ["truncated, hash stale"] = Stale(model[..(model.Length / 2)]),
            ["empty, hash fixed"] = Fixed([]),
            ["empty, hash stale"] = Stale([]),
            ["weights flipped, file checksum stale"] = Fixed(Flip(model, model.Length - 1000)),
            ["header json flipped, resealed"] = Fixed(Reseal(Flip(model, 40))),
            ["header only"] = staleHeader,
            ["bad base64"] = staleHeader + ";!!!!",
            ["junk text"] = "junk",
            ["empty text"] = "",
            ["newer format"] = "HORRORALIGN-MODEL-v2;" + new string('0', 64),
        };
    }

    // ---- the payload's zip entry -----------------------------------------------------------------------------------

    [Fact]
    public void JunkPayloadEntry_NamesTheFile_AndNeverWritesAStory()
    {
        string entry = PayloadEntry();
        byte[] original;
        using (var zip = ZipFile.OpenRead(_zip)) original = Read(zip, entry);
        var rng = new Random(161);
        byte[] random = new byte[original.Length];
        rng.NextBytes(random);
        var variants = new Dictionary<string, string>
        {
            ["random bytes (crc fixed)"] = Edit("random.zip", zip => Put(zip, entry, random)),
            ["random bytes (crc stale)"] = PatchCompressed("random-in-place.zip", entry, rng),
            ["truncated"] = Edit("truncated.zip", zip => Put(zip, entry, original[..(original.Length / 2)])),
            ["tail cut"] = Edit("tail.zip", zip => Put(zip, entry, original[..^8])),
            ["empty"] = Edit("empty.zip", zip => Put(zip, entry, [])),
            ["zeros"] = Edit("zeros.zip", zip => Put(zip, entry, new byte[original.Length])),
            ["deleted"] = Edit("deleted.zip", zip => zip.GetEntry(entry)!.Delete()),
        };
        foreach (var (variant, path) in variants)
        {
            LibraryMessage(path, variant);
            RawFailure(path, variant);
        }
    }

    [Fact]
    public void PayloadMappingOfAnotherShape_NamesTheFile()
    {
        // The payload entry replaced by a well-formed mapping of another shape (what a hand-edited zip holds): a value
        // that is not text used to escape StoryModelZip.Load as ML.NET's InvalidOperationException.
        var ml = new MLContext(seed: 0);
        var text = ml.Data.LoadFromEnumerable([new TextKey { Key = "state" }]);
        var number = ml.Data.LoadFromEnumerable([new NumberKey { Key = 1 }]);
        var variants = new (string Name, IDataView Data, ITransformer Map, string Expected)[]
        {
            ("float-value.zip", text, ml.Transforms.Conversion.MapValue("V", [KeyValuePair.Create("state", 1.5f)], "Key").Fit(text), "do not fit together"),
            ("vector-value.zip", text, ml.Transforms.Conversion.MapValue("V", [KeyValuePair.Create("state", new[] { "a", "b" })], "Key").Fit(text), "do not fit together"),
            ("float-key.zip", number, ml.Transforms.Conversion.MapValue("V", [KeyValuePair.Create(1f, "junk")], "Key").Fit(number), "cannot be read"),
            ("other-key.zip", text, ml.Transforms.Conversion.MapValue("V", [KeyValuePair.Create("other", "junk")], "Key").Fit(text), "not a HorrorAlign model reference"),
        };
        string entry = PayloadEntry();
        foreach (var (name, data, map, expected) in variants)
        {
            string donor = Path.Combine(_dir, "donor-" + name);
            ml.Model.Save(map, data.Schema, donor);
            byte[] mapping;
            using (var zip = ZipFile.OpenRead(donor)) mapping = Read(zip, zip.Entries.Single(e => e.Name == "DefaultMap.idv").FullName);
            string path = Edit(name, zip => Put(zip, entry, mapping));

            Assert.Contains(expected, LibraryMessage(path, name));
            var raw = RawFailure(path, name);
            if (name == "other-key.zip") Assert.EndsWith(raw.Message, LibraryMessage(path)); // read by HorrorAlign: same words
        }
    }

    // ---- ML.NET's own entries --------------------------------------------------------------------------------------

    [Fact]
    public void JunkOrMissingMLNetEntries_NameTheFile_AndNeverWriteAStory()
    {
        string[] entries;
        using (var zip = ZipFile.OpenRead(_zip)) entries = zip.Entries.Select(e => e.FullName).Where(n => n != "TrainingInfo/Version.txt").ToArray();
        var rng = new Random(162);
        foreach (string entry in entries)
        {
            byte[] original;
            using (var zip = ZipFile.OpenRead(_zip)) original = Read(zip, entry);
            byte[] random = new byte[original.Length];
            rng.NextBytes(random);
            foreach (var (variant, edit) in new (string, Action<ZipArchive>)[]
            {
                ("random", zip => Put(zip, entry, random)),
                ("truncated", zip => Put(zip, entry, original[..(original.Length / 2)])),
                ("deleted", zip => zip.GetEntry(entry)!.Delete()),
            })
            {
                string label = $"{entry} {variant}";
                if (entry == "Schema" && variant == "deleted")
                {
                    // No saved input schema is a valid zip (ML.NET binds to the caller's row type instead).
                    StoryModelZip.Load(new MLContext(), Edit("schema-deleted.zip", edit), out _).ReleaseStoryModels();
                    continue;
                }
                string path = Edit($"entry-{_count}.zip", edit);
                LibraryMessage(path, label);
                RawFailure(path, label);
            }
        }
    }

    [Fact]
    public void StepsSwappedWithinTheGenerator_NameTheFile_AndNeverWriteAStory()
    {
        // Each step of the generator (the component that carries the payload) replaced by every other step's entry: the
        // damage that loads entry by entry and shows only when the steps are bound together.
        string[] steps;
        using (var zip = ZipFile.OpenRead(_zip))
            steps = zip.Entries.Select(e => e.FullName).Where(n => n.EndsWith("Model.key", StringComparison.Ordinal)).ToArray();
        int caught = 0;
        foreach (string target in steps.Where(s => s.StartsWith(GeneratorDir, StringComparison.Ordinal)))
            foreach (string source in steps.Where(s => s != target))
            {
                byte[] bytes;
                using (var zip = ZipFile.OpenRead(_zip)) bytes = Read(zip, source);
                string path = Edit($"swap-{_count}.zip", zip => Put(zip, target, bytes));
                string label = $"{target} := {source}";
                if (TryLoad(path) is { } message)
                {
                    Assert.True(message.Contains(path, StringComparison.Ordinal), $"{label}: {message}");
                    RawFailure(path, label);
                    caught++;
                }
                else
                {
                    // Steps that still fit together: an identical step (the same transform, the same columns) is no damage,
                    // and one that leaves the story column unwritten is a pipeline without a generator, which
                    // StoryPrediction reports rather than reading as an empty story.
                    var e = Record.Exception(() => PredictRaw(path));
                    if (e is not null) Assert.Contains("holds no HorrorAlign story model", Assert.IsType<InvalidDataException>(e).Message);
                }
            }
        Assert.True(caught >= 100, $"only {caught} swaps were damage");
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    private const string GeneratorDir = "TransformerChain/Transform_001/";

    private sealed class TextKey { public string Key { get; set; } = ""; }

    private sealed class NumberKey { public float Key { get; set; } }

    /// <summary>The message of StoryModelZip.Load's InvalidDataException, which must name the file and equal what
    /// ModelArchive.Load (the CLI's loader) says.</summary>
    private static string LibraryMessage(string path, string? label = null)
    {
        string message = TryLoad(path) ?? throw new Xunit.Sdk.XunitException($"{label ?? path}: StoryModelZip.Load accepted it");
        Assert.True(message.Contains($"'{path}'", StringComparison.Ordinal), $"{label}: {message}");
        var archive = Assert.Throws<InvalidDataException>(() => ModelArchive.Load(path));
        Assert.Equal(message, archive.Message);
        return message;
    }

    /// <summary>StoryModelZip.Load's InvalidDataException message, or null when it loads; any other exception fails.</summary>
    private static string? TryLoad(string path)
    {
        try
        {
            StoryModelZip.Load(new MLContext(seed: 1), path, out _).ReleaseStoryModels();
            return null;
        }
        catch (InvalidDataException e)
        {
            return e.Message;
        }
    }

    /// <summary>What the plain ML.NET path throws; it must throw, not write a story.</summary>
    private static Exception RawFailure(string path, string? label = null)
    {
        string? story = null;
        var e = Record.Exception(() => story = PredictRaw(path));
        return e ?? throw new Xunit.Sdk.XunitException($"{label ?? path}: the plain ML.NET path wrote '{story}'");
    }

    private static string PredictRaw(string path)
    {
        var ml = new MLContext(seed: 1);
        var loaded = ml.Model.Load(path, out _);
        try
        {
            using var engine = ml.Model.CreatePredictionEngine<StorySpecInput, StoryPrediction>(loaded);
            return engine.Predict(StorySpecInput.FromSpec(MLNetFixtures.Spec(0))).Story;
        }
        finally
        {
            loaded.ReleaseStoryModels();
        }
    }

    /// <summary>A zip like ModelArchive.Save's (spec featurizer, then a generator) whose generator carries <paramref name="payload"/>.</summary>
    private string PayloadZip(string name, string payload)
    {
        var ml = new MLContext(seed: 0);
        var specs = ml.Data.LoadFromEnumerable(Array.Empty<StorySpecInput>());
        var featurizer = ml.StoryGeneration().FeaturizeSpec().Fit(specs);
        var generator = InnerPipelines.GenerationStage(ml, payload, GenerationSettings.Format(new() { MaxNewTokens = 4 }),
            StoryColumnNames.Prompt, StoryColumnNames.Model, StoryColumnNames.Story).Fit(featurizer.Transform(specs));
        string path = Path.Combine(_dir, name);
        ml.Model.Save(new Microsoft.ML.Data.TransformerChain<ITransformer>(featurizer, generator), specs.Schema, path);
        return path;
    }

    /// <summary>The payload's entry: the largest ValueMapping data in the zip.</summary>
    private string PayloadEntry()
    {
        using var zip = ZipFile.OpenRead(_zip);
        return zip.Entries.Where(e => e.Name == "DefaultMap.idv").MaxBy(e => e.Length)!.FullName;
    }

    /// <summary>The first step under <paramref name="under"/> whose entry holds <paramref name="marker"/>.</summary>
    private string EntryContaining(byte[] marker, string under)
    {
        using var zip = ZipFile.OpenRead(_zip);
        return zip.Entries.OrderBy(e => e.FullName, StringComparer.Ordinal).First(e => e.FullName.StartsWith(under, StringComparison.Ordinal) && e.Name == "Model.key"
            && Read(zip, e.FullName).AsSpan().IndexOf(marker) >= 0).FullName;
    }

    /// <summary>A copy of the zip edited through ZipArchive, which writes right CRCs and sizes for what it is given.</summary>
    private string Edit(string name, Action<ZipArchive> edit)
    {
        _count++;
        string path = Path.Combine(_dir, name);
        File.Copy(_zip, path, overwrite: true);
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        edit(zip);
        return path;
    }

    /// <summary>A copy with bytes of <paramref name="entry"/>'s compressed data flipped in place: the CRC is left stale.</summary>
    private string PatchCompressed(string name, string entry, Random rng)
    {
        byte[] bytes = File.ReadAllBytes(_zip);
        int local = bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(entry)); // the local header's name comes first
        int data = local + entry.Length;
        for (int i = 0; i < 64; i++) bytes[data + 2000 + rng.Next(50_000)] ^= (byte)rng.Next(1, 256);
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] Read(ZipArchive zip, string entry)
    {
        using var stream = zip.GetEntry(entry)!.Open();
        var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static void Put(ZipArchive zip, string entry, byte[] bytes)
    {
        zip.GetEntry(entry)?.Delete();
        using var stream = zip.CreateEntry(entry).Open();
        stream.Write(bytes);
    }

    private static byte[] Flip(byte[] bytes, int at)
    {
        var copy = (byte[])bytes.Clone();
        for (int i = at; i < at + 8; i++) copy[i] ^= 0x5A;
        return copy;
    }

    /// <summary>A model file with its SHA-256 trailer recomputed (see ChecksummedContainer).</summary>
    private static byte[] Reseal(byte[] file)
    {
        SHA256.HashData(file.AsSpan(0, file.Length - 32), file.AsSpan(file.Length - 32));
        return file;
    }
}
