using System.Security.Cryptography;
using System.Text;
using HorrorAlign.ML.Data;
using HorrorAlign.ML.Synthesis;

namespace HorrorAlign.ML.Tests.Data;

public class WordListsTests
{
    private const string Prefix = "HorrorAlign.ML.Words.";

    private static readonly string[] ResourceNames =
        [.. typeof(WordLists).Assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    [Fact]
    public void Parse_ReadsOneValuePerLine_AndDropsACarriageReturn()
    {
        Assert.Equal(["a brass key", "the ferry"], WordLists.Parse("a brass key\nthe ferry\n", "t"));
        Assert.Equal(["a brass key", "the ferry"], WordLists.Parse("a brass key\r\nthe ferry\r\n", "t"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("key")]
    [InlineData("key\n\nlantern\n")]
    [InlineData("key\n lantern\n")]
    [InlineData("key\nlantern \n")]
    [InlineData("key\n\n")]
    public void Parse_RejectsEmptyUntrimmedOrUnterminatedLists(string text)
    {
        var e = Assert.Throws<InvalidDataException>(() => WordLists.Parse(text, "Test.List"));
        Assert.Contains("'Test.List'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NamesAMissingList()
    {
        var e = Assert.Throws<InvalidOperationException>(() => WordLists.Load("NoSuch.List"));
        Assert.Contains("Data/Words/NoSuch.List.txt", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryEmbeddedList_Loads_WithoutDuplicates()
    {
        Assert.True(ResourceNames.Length >= 80, $"only {ResourceNames.Length} word lists are embedded");
        foreach (string resource in ResourceNames)
        {
            string name = resource[Prefix.Length..^".txt".Length];
            string[] values = WordLists.Load(name);
            Assert.NotEmpty(values);
            Assert.True(values.Distinct(StringComparer.Ordinal).Count() == values.Length, $"{name} holds a value twice");
        }
    }

    // The word lists moved from C# arrays to Data/Words/*.txt with the same values in the same order; these hashes were
    // taken before the move and pin what the lists generate. A deliberate change to a list changes them: update them
    // then, and say in the commit that generated data changed.
    [Fact]
    public void GeneratedValues_AreUnchanged()
    {
        var rng = new Random(123);
        var fresh = Enumerable.Range(0, 2000).Select(_ => FreshValues.Spec(rng).ToJson());
        Assert.Equal("52ee1d0450dc3568c02169112a1e51707a89affe671881112a81145c3e2ea4f1", Sha256Lines(fresh));
        Assert.Equal("6904b4da09fc059af948ff473520910efdf3c2bfc6550784643b552d4c88085e", Sha256Lines(ValuePools.Default.Values));
        Assert.Equal("c5280266b0dfd217eb46593863841957b1c34e47e0ed6593858fbccc2ab50f9e", Sha256Lines(ProbeValues.Pools.Values));
    }

    private static string Sha256Lines(IEnumerable<string> lines) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n"))))).ToLowerInvariant();
}
