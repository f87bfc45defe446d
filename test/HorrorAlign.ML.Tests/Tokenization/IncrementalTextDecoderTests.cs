using HorrorAlign.ML.Tokenization;

namespace HorrorAlign.ML.Tests.Tokenization;

public class IncrementalTextDecoderTests
{
    [Fact]
    public void StreamedTextIsAlwaysAPrefixAndEndsAsTheFullDecode()
    {
        TokenVocabulary compact = TokenVocabulary.BuildCompact(TokenVocabularyTests.Corpus);
        var random = new RandomText(31);
        foreach (TokenVocabulary vocabulary in new[] { compact, TokenVocabulary.Full })
        {
            for (int i = 0; i < 200; i++)
            {
                string text = random.Next(30);
                int[] ids = [.. vocabulary.Encode(text), vocabulary.EosId];
                var decoder = new IncrementalTextDecoder(vocabulary);
                var pieces = "";
                foreach (int id in ids)
                {
                    pieces += decoder.Append(id);
                    Assert.StartsWith(decoder.Text, text, StringComparison.Ordinal);
                    Assert.Equal(pieces.Length, decoder.Length);
                }
                pieces += decoder.Flush();
                Assert.Equal(text, pieces);
                Assert.Equal(text, decoder.Text);
            }
        }
    }

    [Fact]
    public void FlushMatchesDecodeWhenIdsStopMidCharacter()
    {
        TokenVocabulary compact = TokenVocabulary.BuildCompact(["plain words only"]);
        int[] ids = compact.Encode("ab👻");
        int[] cut = ids[..^1]; // the ghost is spelled byte by byte; drop its last byte
        var decoder = new IncrementalTextDecoder(compact);
        foreach (int id in cut) decoder.Append(id);
        Assert.Equal("ab", decoder.Text);
        decoder.Flush();
        Assert.Equal(compact.Decode(cut), decoder.Text);
        Assert.EndsWith("\uFFFD", decoder.Text, StringComparison.Ordinal);
    }
}
