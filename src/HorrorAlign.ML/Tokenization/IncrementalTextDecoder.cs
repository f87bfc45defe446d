using System.Text;

namespace HorrorAlign.ML.Tokenization;

/// <summary>
/// Turns generated ids into text one id at a time. A byte-level token can end in the middle of a UTF-8 character
/// (emoji are often split over two or three tokens, and the compact fallback spells unseen text byte by byte), so
/// decoding each id on its own would emit U+FFFD; this decoder holds incomplete bytes back until the character is
/// complete. The text it has produced always equals a prefix of <see cref="TokenVocabulary.Decode"/> of the same ids.
/// Not thread-safe: one instance per generation.
/// </summary>
internal sealed class IncrementalTextDecoder
{
    private readonly TokenVocabulary _vocabulary;
    private readonly Decoder _utf8 = Encoding.UTF8.GetDecoder();
    private readonly StringBuilder _text = new();
    private char[] _chars = new char[16];

    /// <summary>Creates a decoder for ids of <paramref name="vocabulary"/>.</summary>
    public IncrementalTextDecoder(TokenVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        _vocabulary = vocabulary;
    }

    /// <summary>All text completed so far.</summary>
    public string Text => _text.ToString();

    /// <summary>Length in chars of <see cref="Text"/> (cheap, for stop-string scans over the new tail only).</summary>
    public int Length => _text.Length;

    /// <summary>Adds one id and returns the text it completed (often empty mid-character; always empty for EOS).</summary>
    public string Append(int id) => Convert(_vocabulary.TokenBytes(id), flush: false);

    /// <summary>Ends the sequence: any dangling partial character becomes U+FFFD, as in <see cref="TokenVocabulary.Decode"/>.</summary>
    public string Flush() => Convert(ReadOnlySpan<byte>.Empty, flush: true);

    private string Convert(ReadOnlySpan<byte> bytes, bool flush)
    {
        int needed = _utf8.GetCharCount(bytes, flush: false) + 4; // + room for a flushed replacement char
        if (_chars.Length < needed) _chars = new char[Math.Max(needed, _chars.Length * 2)];
        int count = _utf8.GetChars(bytes, _chars, flush);
        var piece = new string(_chars, 0, count);
        _text.Append(piece);
        return piece;
    }
}
