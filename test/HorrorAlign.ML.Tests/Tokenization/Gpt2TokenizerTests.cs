using System.Text;
using System.Text.Json;
using HorrorAlign.ML.Tokenization;
using Microsoft.ML.Tokenizers;

namespace HorrorAlign.ML.Tests.Tokenization;

public class Gpt2TokenizerTests
{
    private static readonly Gpt2Tokenizer Gpt2 = Gpt2Tokenizer.Shared;

    private sealed record GoldenCase(string Text, int[] ExpectedIds);

    private static (int EosId, int VocabSize, GoldenCase[] Cases) LoadGolden()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "data", "golden", "gpt2_tokens.json");
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
        JsonElement root = doc.RootElement;
        GoldenCase[] cases = root.GetProperty("cases").EnumerateArray()
            .Select(c => new GoldenCase(
                c.GetProperty("text").GetString()!,
                c.GetProperty("expected_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray()))
            .ToArray();
        return (root.GetProperty("eos_id").GetInt32(), root.GetProperty("vocab_size").GetInt32(), cases);
    }

    [Fact]
    public void GoldenIdsMatchTiktoken()
    {
        var (eos, vocab, cases) = LoadGolden();
        Assert.Equal(Gpt2Tokenizer.EosId, eos);
        Assert.Equal(Gpt2Tokenizer.VocabSize, vocab);
        Assert.Equal(6, cases.Length);
        foreach (GoldenCase c in cases)
        {
            Assert.Equal(c.ExpectedIds, Gpt2.Encode(c.Text));
            Assert.Equal(c.Text, Gpt2.Decode(c.ExpectedIds));
        }
        // The poster's full prompt is 124 tokens and ends with the "\n" after "Story:".
        GoldenCase prompt = cases.Single(c => c.Text.StartsWith("You are a creative writing assistant.", StringComparison.Ordinal));
        int[] ids = Gpt2.Encode(prompt.Text);
        Assert.Equal(124, ids.Length);
        Assert.Equal("\n", Gpt2.Decode(ids.AsSpan(^1)));
    }

    [Theory]
    [InlineData("<|endoftext|>")]
    [InlineData("a <|endoftext|> b")]
    [InlineData("<|endoftext|><|endoftext|>")]
    [InlineData("x<|endoftext|>y\n")]
    [InlineData("Story:\n<|endoftext|>")]
    public void LiteralEndOfTextIsEncodedAsPlainText(string text)
    {
        int[] ids = Gpt2.Encode(text);
        Assert.DoesNotContain(Gpt2Tokenizer.EosId, ids);
        Assert.Equal(text, Gpt2.Decode(ids));
    }

    [Fact]
    public void EncodingIsTiktokensEncodeOrdinary()
    {
        // The stock tokenizer injects the control token; ours must not (this is why we do not use it directly).
        TiktokenTokenizer stock = TiktokenTokenizer.CreateForModel("gpt2");
        Assert.Contains(Gpt2Tokenizer.EosId, stock.EncodeToIds("a <|endoftext|> b"));

        // encode_ordinary splits the literal like any other punctuation, so the ids are those of its pieces.
        int[] expected = new[] { "a", " <|", "endoftext", "|>", " b" }.SelectMany(p => stock.EncodeToIds(p)).ToArray();
        Assert.Equal(expected, Gpt2.Encode("a <|endoftext|> b"));
    }

    [Fact]
    public void MatchesStockTokenizerOnTextWithoutControlTokens()
    {
        TiktokenTokenizer stock = TiktokenTokenizer.CreateForModel("gpt2");
        var random = new RandomText(11);
        for (int i = 0; i < 300; i++)
        {
            string text = random.Next(40).Replace("<|endoftext|>", "<|end|>", StringComparison.Ordinal);
            Assert.Equal(stock.EncodeToIds(text), Gpt2.Encode(text));
        }
    }

    [Fact]
    public void TokenBytesConcatenateToTheUtf8OfTheText()
    {
        var random = new RandomText(12);
        for (int i = 0; i < 300; i++)
        {
            string text = random.Next(40);
            int[] ids = Gpt2.Encode(text);
            Assert.Equal(Encoding.UTF8.GetBytes(text), Gpt2.DecodeBytes(ids));
            Assert.Equal(text, Gpt2.Decode(ids));
        }
    }

    [Fact]
    public void EverySingleByteHasItsOwnToken()
    {
        var ids = new HashSet<int>();
        for (int b = 0; b < 256; b++)
        {
            int id = Gpt2.ByteTokenId((byte)b);
            Assert.Equal(new[] { (byte)b }, Gpt2.TokenBytes(id).ToArray());
            Assert.True(ids.Add(id));
        }
    }

    [Fact]
    public void EndOfTextDecodesToItsTextAndBadIdsThrow()
    {
        Assert.Equal(Gpt2Tokenizer.EndOfText, Gpt2.Decode([Gpt2Tokenizer.EosId]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gpt2.Decode([Gpt2Tokenizer.VocabSize]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gpt2.Decode([-1]));
        Assert.Empty(Gpt2.Encode(""));
    }

    [Fact]
    public void SharedInstanceIsSafeAcrossThreads()
    {
        var random = new RandomText(13);
        string[] texts = Enumerable.Range(0, 64).Select(_ => random.Next(60)).ToArray();
        int[][] expected = texts.Select(Gpt2.Encode).ToArray();
        var results = new int[texts.Length][];
        Parallel.For(0, texts.Length * 4, i => results[i % texts.Length] = Gpt2.Encode(texts[i % texts.Length]));
        for (int i = 0; i < texts.Length; i++) Assert.Equal(expected[i], results[i]);
    }
}
