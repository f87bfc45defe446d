using System.Diagnostics;
using System.Text.Json;
using HorrorAlign.ML.Data;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Synthesis;
using HorrorAlign.ML.Tests.Data;
using HorrorAlign.ML.Tests.Specs;
using HorrorAlign.ML.Text;
using Microsoft.ML.Tokenizers;

namespace HorrorAlign.ML.Tests.Synthesis;

public class DatasetTests
{
    // The original project's split sizes, from the pools alone (the default run adds fresh values and more stories).
    private static readonly DatasetOptions Original = new()
    {
        SftTrainSize = 256, PrefTrainSize = 256, PrefTestSize = 64, HeldOutSpecCount = 64, FreshValueShare = 0,
    };

    private static readonly Lazy<Dataset> Default = new(() => Dataset.Generate(Original));

    private static readonly string[] Files =
    [
        Dataset.SftTrainFile, Dataset.SftValidationFile, Dataset.SftTestFile,
        Dataset.PrefTrainFile, Dataset.PrefValidationFile, Dataset.PrefTestFile, Dataset.HeldOutSpecsFile,
    ];

    private static IEnumerable<(StorySpec? Spec, string Prompt)> AllRows(Dataset d) =>
        d.SftTrain.Concat(d.SftValidation).Concat(d.SftTest).Select(r => (r.Spec, r.Prompt))
            .Concat(d.PrefTrain.Concat(d.PrefValidation).Concat(d.PrefTest).Select(r => (r.Spec, r.Prompt)));

    [Fact]
    public void Defaults_HaveTheOriginalsSplitSizes()
    {
        var d = Default.Value;
        Assert.Equal([256, 64, 64, 256, 64, 64, 64],
            new[] { d.SftTrain.Count, d.SftValidation.Count, d.SftTest.Count, d.PrefTrain.Count, d.PrefValidation.Count, d.PrefTest.Count, d.HeldOutSpecs.Count });
        Assert.Equal("sft-train-0001", d.SftTrain[0].Id);
        Assert.Equal("pref-test-0064", d.PrefTest[^1].Id);
    }

    [Fact]
    public void Generation_IsFast()
    {
        Dataset.Generate(Original with { Seed = 1 }); // warm up JIT
        var sw = Stopwatch.StartNew();
        Dataset.Generate(Original with { Seed = 2 });
        // Typically ~0.1 s; the bound leaves room for a loaded shared machine.
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(3), $"took {sw.Elapsed}");
    }

    [Fact]
    public void SameSeed_GivesIdenticalFilesByteForByte_DifferentSeed_Differs()
    {
        using var a = new TempDirectory();
        using var b = new TempDirectory();
        using var c = new TempDirectory();
        Dataset.Generate(Original with { Seed = 7 }).WriteTo(a.Path);
        Dataset.Generate(Original with { Seed = 7 }).WriteTo(b.Path);
        Dataset.Generate(Original with { Seed = 8 }).WriteTo(c.Path);
        foreach (string file in Files)
        {
            Assert.Equal(File.ReadAllBytes(a.File(file)), File.ReadAllBytes(b.File(file)));
            Assert.NotEqual(File.ReadAllBytes(a.File(file)), File.ReadAllBytes(c.File(file)));
        }
        Assert.Equal(Files.Order(StringComparer.Ordinal), Directory.GetFiles(a.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Prompts_ArePairwiseDisjointAcrossAllSixSets_AndFromHeldOutSpecs()
    {
        var d = Default.Value;
        var prompts = AllRows(d).Select(r => r.Prompt).ToList();
        Assert.Equal(prompts.Count, prompts.Distinct(StringComparer.Ordinal).Count());
        Assert.Empty(d.HeldOutSpecs.Select(s => s.ToPrompt()).Intersect(prompts, StringComparer.Ordinal));
    }

    [Fact]
    public void HeldOutValues_NeverAppearInTrainValidationOrTestSpecs()
    {
        var options = Original;
        var d = Default.Value;
        var split = ValuePools.Default.Split(options.HeldOutFraction, options.Seed);
        var heldOut = new HashSet<string>(split.HeldOut.Values, StringComparer.Ordinal);
        foreach (var (spec, prompt) in AllRows(d))
        {
            Assert.NotNull(spec);
            Assert.Equal(prompt, spec.ToPrompt());
            Assert.True(split.Training.Covers(spec));
            Assert.DoesNotContain(StorySpec.Fields.Select(f => f.Get(spec)), heldOut.Contains);
        }
        Assert.All(d.HeldOutSpecs, s => Assert.True(split.HeldOut.Covers(s)));
        // No held-out name leaks into any story text either (not even as a wrong character).
        var heldOutNames = new HashSet<string>(split.HeldOut.Names.Select(n => n.ToLowerInvariant()), StringComparer.Ordinal);
        var texts = d.SftTrain.Select(r => r.Response).Concat(d.PrefTrain.SelectMany(r => new[] { r.Chosen, r.Rejected }));
        Assert.All(texts, t => Assert.DoesNotContain(StoryText.Words(t), heldOutNames.Contains));
    }

    [Fact]
    public void EveryRow_MeetsItsContract_UnderTheEvaluationChecks()
    {
        var d = Default.Value;
        foreach (var row in d.SftTrain.Concat(d.SftValidation).Concat(d.SftTest))
            Assert.True(StoryChecks.Check(row.Spec!, row.Response).AllPassed, row.Id);
        foreach (var row in d.PrefTrain.Concat(d.PrefValidation).Concat(d.PrefTest))
        {
            Assert.True(StoryChecks.Check(row.Spec!, row.Chosen).AllPassed, row.Id);
            var failures = StoryChecks.Check(row.Spec!, row.Rejected).Failures;
            if (row.Kind.TargetCheck() is { } target) Assert.Equal([target], failures);
            else Assert.NotEmpty(failures);
        }
    }

    [Fact]
    public void PairKinds_FollowTheMixInEverySplit()
    {
        var d = Default.Value;
        foreach (var split in new[] { d.PrefTrain, d.PrefValidation, d.PrefTest })
        {
            var expected = PairKindMix.Default.Allocate(split.Count).GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());
            Assert.All(PairKindExtensions.TemplateKinds, k => Assert.Equal(expected[k], split.Count(r => r.Kind == k)));
        }
        Assert.InRange(d.PrefTrain.Count(r => r.Kind == PairKind.Contrastive) / 256.0, 1 / 8.0 - 0.01, 1 / 8.0 + 0.01);
        // Kinds are shuffled, not in blocks.
        Assert.NotEqual(d.PrefTrain.Select(r => r.Kind), d.PrefTrain.Select(r => r.Kind).Order());

        var onlyTwist = Dataset.Generate(new DatasetOptions { PairKinds = PairKindMix.Only(PairKind.MissingTwist), SftTrainSize = 0, PrefTrainSize = 20 });
        Assert.All(onlyTwist.PrefTrain.Concat(onlyTwist.PrefTest), r => Assert.Equal(PairKind.MissingTwist, r.Kind));
        var hard = Dataset.Generate(new DatasetOptions { PairKinds = PairKindMix.HardOnly, PrefTrainSize = 60 });
        Assert.DoesNotContain(hard.PrefTrain, r => r.Kind == PairKind.Contrastive);
    }

    [Fact]
    public void PairKindMix_AllocatesExactly_AndValidatesWeights()
    {
        Assert.Equal(64, PairKindMix.Default.Allocate(64).Count);
        Assert.Equal(8, PairKindMix.Default.Allocate(64).Count(k => k == PairKind.Contrastive));
        var skewed = new PairKindMix(new Dictionary<PairKind, double> { [PairKind.Contrastive] = 3, [PairKind.GraphicGore] = 1 });
        Assert.Equal(75, skewed.Allocate(100).Count(k => k == PairKind.Contrastive));
        Assert.Equal(0.25, skewed.Share(PairKind.GraphicGore));
        Assert.Throws<ArgumentException>(() => new PairKindMix(new Dictionary<PairKind, double> { [PairKind.Contrastive] = -1 }));
        Assert.Throws<ArgumentException>(() => new PairKindMix(new Dictionary<PairKind, double>()));
        // A mix weighs the template kinds: mined pairs are not written from templates.
        Assert.Equal(PairKindExtensions.TemplateKinds, PairKindMix.Default.Allocate(8));
        Assert.Equal(0, PairKindMix.Default.Weight(PairKind.OnPolicy));
        Assert.Contains("on_policy", Assert.Throws<ArgumentException>(() => PairKindMix.Only(PairKind.OnPolicy)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new StoryWriter().TryWritePair(StorySpecTests.Poster, PairKind.OnPolicy, new Random(1), out _, out _));
    }

    [Fact]
    public void Sizes_AreConfigurable_AndOptionsAreValidated()
    {
        var d = Dataset.Generate(new DatasetOptions { SftTrainSize = 10, SftValidationSize = 3, SftTestSize = 0, PrefTrainSize = 5, PrefValidationSize = 2, PrefTestSize = 1, HeldOutSpecCount = 4 });
        Assert.Equal([10, 3, 0, 5, 2, 1, 4], new[] { d.SftTrain.Count, d.SftValidation.Count, d.SftTest.Count, d.PrefTrain.Count, d.PrefValidation.Count, d.PrefTest.Count, d.HeldOutSpecs.Count });
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Dataset.Generate(new DatasetOptions { PrefTestSize = -1 }));
        Assert.Equal(nameof(DatasetOptions.PrefTestSize), e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Dataset.Generate(new DatasetOptions { HeldOutFraction = 1 }));
        var noHoldOut = Dataset.Generate(new DatasetOptions { HeldOutFraction = 0, HeldOutSpecCount = 0, SftTrainSize = 5 });
        Assert.Empty(noHoldOut.HeldOutSpecs);
    }

    [Fact]
    public void WriteTo_ThenReadFrom_RoundTrips()
    {
        using var dir = new TempDirectory();
        var d = Dataset.Generate(new DatasetOptions { Seed = 3, SftTrainSize = 40, PrefTrainSize = 40 });
        d.WriteTo(dir.Path);
        var back = Dataset.ReadFrom(dir.Path);
        Assert.Equal(d.SftTrain, back.SftTrain);
        Assert.Equal(d.SftValidation, back.SftValidation);
        Assert.Equal(d.SftTest, back.SftTest);
        Assert.Equal(d.PrefTrain, back.PrefTrain);
        Assert.Equal(d.PrefValidation, back.PrefValidation);
        Assert.Equal(d.PrefTest, back.PrefTest);
        Assert.Equal(d.HeldOutSpecs, back.HeldOutSpecs);

        string firstSft = File.ReadLines(dir.File(Dataset.SftTrainFile)).First();
        using (var doc = JsonDocument.Parse(firstSft))
            Assert.Equal(["id", "prompt", "response", "spec"], doc.RootElement.EnumerateObject().Select(p => p.Name));
        string firstPref = File.ReadLines(dir.File(Dataset.PrefTrainFile)).First();
        using (var doc = JsonDocument.Parse(firstPref))
        {
            Assert.Equal(["id", "prompt", "chosen", "rejected", "kind", "spec"], doc.RootElement.EnumerateObject().Select(p => p.Name));
            Assert.Equal(d.PrefTrain[0].Kind.ToName(), doc.RootElement.GetProperty("kind").GetString());
        }
    }

    [Fact]
    public void Constructor_RejectsAPromptUsedTwice_NamingBothPlaces()
    {
        var d = Default.Value;
        var leaked = d.SftValidation.Append(d.SftTrain[3] with { Id = "leak" }).ToList();
        var e = Assert.Throws<InvalidDataException>(() => new Dataset(d.SftTrain, leaked, d.SftTest, d.PrefTrain, d.PrefValidation, d.PrefTest));
        Assert.Contains("sft_val.jsonl row 65 (id 'leak')", e.Message, StringComparison.Ordinal);
        Assert.Contains("sft_train.jsonl row 4", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadFrom_ReportsTheMissingFile()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<FileNotFoundException>(() => Dataset.ReadFrom(dir.Path));
        Assert.Contains(Dataset.SftTrainFile, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Stats_CountRowsKindsAndTokenLengths()
    {
        using var dir = new TempDirectory();
        var d = Default.Value;
        var tokenizer = TiktokenTokenizer.CreateForModel("gpt2");
        string path = d.WriteStats(dir.Path, s => tokenizer.CountTokens(s));
        Assert.Equal(dir.File(Dataset.StatsFile), path);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var files = doc.RootElement.GetProperty("files");
        Assert.Equal(256, files.GetProperty(Dataset.SftTrainFile).GetProperty("rows").GetInt32());
        var sftTokens = files.GetProperty(Dataset.SftTrainFile).GetProperty("tokens");
        // The poster's prompt is 124 tokens; every generated prompt has the same frame.
        Assert.InRange(sftTokens.GetProperty("prompt").GetProperty("mean").GetDouble(), 110, 135);
        Assert.InRange(sftTokens.GetProperty("response").GetProperty("min").GetInt32(), 90, 175);
        Assert.InRange(sftTokens.GetProperty("response").GetProperty("max").GetInt32(), 90, 175);
        var kinds = doc.RootElement.GetProperty("pair_kinds");
        Assert.Equal(384, kinds.EnumerateObject().Sum(p => p.Value.GetInt32()));
        Assert.Equal(d.PrefTest.Count(r => r.Kind == PairKind.HappyEnding),
            files.GetProperty(Dataset.PrefTestFile).GetProperty("pair_kinds").GetProperty("happy_ending").GetInt32());
        Assert.Equal(64, doc.RootElement.GetProperty("held_out_specs").GetInt32());

        // Any counter works, and the result is deterministic.
        var words = d.ComputeStats(s => s.Split(' ').Length);
        Assert.Equal(words.ToJson(), d.ComputeStats(s => s.Split(' ').Length).ToJson());
        Assert.Equal(6, words.Files.Count);
    }

    [Fact]
    public void Texts_CoverEveryPromptAndStory()
    {
        var d = Default.Value;
        var texts = d.Texts().ToList();
        Assert.Equal(384 * 2 + 384 * 3 + 64, texts.Count);
        Assert.Contains(d.PrefTest[0].Rejected, texts);
    }
}
