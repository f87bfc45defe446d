using System.Text;
using HorrorAlign.ML.Tokenization;

namespace HorrorAlign.ML.Tests.Tokenization;

public class TokenVocabularyTests
{
    private static readonly Gpt2Tokenizer Gpt2 = Gpt2Tokenizer.Shared;

    internal static readonly string[] Corpus =
    [
        "You are a creative writing assistant.\nWrite a short horror story that follows this story specification.\n\n" +
        "Title: The Door That Wasn't There\nSetting: an old apartment building during a winter blackout\nProtagonist: Mina\n\nStory:\n",
        "Mina learned the never answer knocks after 2 a.m. the hard way, in an old apartment building during a winter blackout.",
        "When Mina tried to leave, the hallway stretched and the a brass key grew warm in their pocket.",
    ];

    private static readonly TokenVocabulary Compact = TokenVocabulary.BuildCompact(Corpus);

    [Fact]
    public void FullVocabularyIsGpt2()
    {
        TokenVocabulary full = TokenVocabulary.Full;
        Assert.Same(full, TokenVocabulary.Full);
        Assert.False(full.IsCompact);
        Assert.Null(full.Gpt2Ids);
        Assert.Equal(50257, full.Size);
        Assert.Equal(50256, full.EosId);
        Assert.Equal(Gpt2.Encode(Corpus[0]), full.Encode(Corpus[0]));
        Assert.Equal(1234, full.ToGpt2Id(1234));
    }

    [Fact]
    public void CompactVocabularyIsSortedDeterministicAndComplete()
    {
        TokenVocabulary reordered = TokenVocabulary.BuildCompact(Corpus.Reverse().Concat(Corpus));
        Assert.True(Compact.IsCompact);
        Assert.Equal(Compact.Gpt2Ids, reordered.Gpt2Ids);

        IReadOnlyList<int> ids = Compact.Gpt2Ids!;
        Assert.Equal(ids.Count, Compact.Size);
        for (int i = 1; i < ids.Count; i++) Assert.True(ids[i - 1] < ids[i]);
        Assert.Equal(Gpt2Tokenizer.EosId, ids[Compact.EosId]);
        Assert.Equal(Compact.Size - 1, Compact.EosId);
        for (int b = 0; b < 256; b++) Assert.Contains(Gpt2.ByteTokenId((byte)b), ids);

        var expected = new SortedSet<int>(Corpus.SelectMany(Gpt2.Encode));
        expected.UnionWith(Enumerable.Range(0, 256).Select(b => Gpt2.ByteTokenId((byte)b)));
        expected.Add(Gpt2Tokenizer.EosId);
        Assert.Equal(expected, ids);
        Assert.True(Compact.Size < 400);
    }

    [Fact]
    public void InCorpusTextMapsOneToOneOntoGpt2Ids()
    {
        foreach (string text in Corpus)
        {
            int[] gpt2 = Gpt2.Encode(text);
            int[] compact = Compact.Encode(text);
            Assert.Equal(gpt2, compact.Select(id => Compact.Gpt2Ids![id]).ToArray());
            Assert.Equal(gpt2, compact.Select(Compact.ToGpt2Id).ToArray());
            Assert.Equal(text, Compact.Decode(compact));
        }
    }

    [Fact]
    public void OutOfCorpusTextFallsBackToBytesLosslessly()
    {
        const string text = "Zyzzyva! The lighthouse keeper counted 👻 ghosts";
        int[] gpt2 = Gpt2.Encode(text);
        int[] compact = Compact.Encode(text);
        Assert.True(compact.Length > gpt2.Length);
        Assert.All(compact, id => Assert.InRange(id, 0, Compact.Size - 1));
        Assert.Equal(text, Compact.Decode(compact));
        Assert.Equal(Encoding.UTF8.GetBytes(text), Compact.DecodeBytes(compact));
    }

    [Fact]
    public void AnyUnicodeRoundTripsThroughBothVocabularies()
    {
        var random = new RandomText(21);
        foreach (TokenVocabulary vocabulary in new[] { Compact, TokenVocabulary.Full })
        {
            for (int i = 0; i < 400; i++)
            {
                string text = random.Next(50);
                int[] ids = vocabulary.Encode(text);
                Assert.DoesNotContain(vocabulary.EosId, ids);
                Assert.Equal(text, vocabulary.Decode(ids));
            }
        }
    }

    [Fact]
    public void FromGpt2IdsRestoresTheSameMapInTheGivenOrder()
    {
        TokenVocabulary restored = TokenVocabulary.FromGpt2Ids(Compact.Gpt2Ids!.ToArray());
        Assert.Equal(Compact.Gpt2Ids, restored.Gpt2Ids);
        Assert.Equal(Compact.EosId, restored.EosId);
        Assert.Equal(Compact.Encode(Corpus[1]), restored.Encode(Corpus[1]));

        // Model ids follow the list as given, whatever its order.
        int[] reversed = Compact.Gpt2Ids!.Reverse().ToArray();
        TokenVocabulary flipped = TokenVocabulary.FromGpt2Ids(reversed);
        Assert.Equal(0, flipped.EosId);
        int[] ids = flipped.Encode(Corpus[2]);
        Assert.Equal(Compact.Encode(Corpus[2]).Select(id => Compact.Size - 1 - id), ids);
        Assert.Equal(Corpus[2], flipped.Decode(ids));
    }

    [Fact]
    public void FromGpt2IdsRejectsBrokenLists()
    {
        int[] good = Compact.Gpt2Ids!.ToArray();

        int[] duplicate = [.. good, good[5]];
        Assert.Contains($"gpt2Ids[{good.Length}]", Assert.Throws<ArgumentException>(() => TokenVocabulary.FromGpt2Ids(duplicate)).Message);

        int[] outOfRange = [.. good, 50257];
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenVocabulary.FromGpt2Ids(outOfRange));

        int[] noEos = good.Where(id => id != Gpt2Tokenizer.EosId).ToArray();
        Assert.Contains("end-of-text", Assert.Throws<ArgumentException>(() => TokenVocabulary.FromGpt2Ids(noEos)).Message);

        int[] noByte = good.Where(id => id != Gpt2.ByteTokenId((byte)'A')).ToArray();
        Assert.Contains("byte 0x41", Assert.Throws<ArgumentException>(() => TokenVocabulary.FromGpt2Ids(noByte)).Message);
    }

    [Fact]
    public void DecodeSkipsEndOfTextAndRejectsUnknownIds()
    {
        int[] a = Compact.Encode("Mina learned");
        int[] ids = [.. a, Compact.EosId, .. a, Compact.EosId];
        Assert.Equal("Mina learnedMina learned", Compact.Decode(ids));
        Assert.True(Compact.TokenBytes(Compact.EosId).IsEmpty);
        Assert.Equal("", TokenVocabulary.Full.Decode([TokenVocabulary.Full.EosId]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Compact.Decode([Compact.Size]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Compact.Decode([-1]));
    }

    [Fact]
    public void DecodeBytesKeepsCharactersSplitAcrossTokens()
    {
        const string text = "🩸 naïve 👨‍👩‍👧";
        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        int[] ids = Compact.Encode(text);
        for (int k = 0; k <= ids.Length; k++)
        {
            byte[] prefix = Compact.DecodeBytes(ids.AsSpan(0, k));
            Assert.Equal(utf8.AsSpan(0, prefix.Length).ToArray(), prefix);
        }
    }

    [Fact]
    public void EncodePromptFailsClearlyWhenThePromptDoesNotFit()
    {
        int length = TokenVocabulary.Full.Encode(Corpus[0]).Length;
        Assert.Equal(length, TokenVocabulary.Full.EncodePrompt(Corpus[0], length).Length);
        var error = Assert.Throws<ArgumentException>(() => TokenVocabulary.Full.EncodePrompt(Corpus[0], length - 1));
        Assert.Contains($"{length} tokens", error.Message);
        Assert.Contains($"at most {length - 1}", error.Message);
        Assert.Equal("prompt", error.ParamName);
    }
}
