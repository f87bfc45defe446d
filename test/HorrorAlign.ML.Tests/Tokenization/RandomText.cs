using System.Text;

namespace HorrorAlign.ML.Tests.Tokenization;

/// <summary>
/// Seeded generator of awkward but valid Unicode text: template-like words mixed with random code points from the
/// BMP (surrogates excluded), astral planes, emoji, combining marks, control-token look-alikes and odd whitespace.
/// </summary>
internal sealed class RandomText(int seed)
{
    private static readonly string[] Pieces =
    [
        "the", " the", "Mina", " Kai", " brass", " key", " door", " whispered", ".", ",", " ", "  ", "\n", "\n\n", "\t",
        "\r\n", "Story:\n", "Title: ", "don't", " it's", " 2 a.m.", "<|endoftext|>", "<|", "|>", "café", " naïve",
        "👻", "🩸", "👨‍👩‍👧", "🇯🇵", "—", "…", "“quiet”", "’", "e\u0301", "क्ष", "日本語", "\u200B", "\uFEFF", "0123",
    ];

    public Random Rng { get; } = new(seed);

    /// <summary>A string of up to <paramref name="maxPieces"/> pieces (words or random code points).</summary>
    public string Next(int maxPieces)
    {
        var text = new StringBuilder();
        int count = Rng.Next(maxPieces + 1);
        for (int i = 0; i < count; i++)
        {
            int kind = Rng.Next(10);
            if (kind < 6) text.Append(Pieces[Rng.Next(Pieces.Length)]);
            else text.Append(char.ConvertFromUtf32(NextCodePoint(kind)));
        }
        return text.ToString();
    }

    private int NextCodePoint(int kind) => kind switch
    {
        6 => Rng.Next(0x20, 0x7F),                  // printable ASCII
        7 => Rng.Next(0x300, 0x370),                // combining marks
        8 => Rng.Next(0x1F300, 0x1FB00),            // emoji blocks
        _ => Rng.Next(2) == 0 ? NextBmp() : Rng.Next(0x10000, 0x110000), // anything else, astral included
    };

    private int NextBmp()
    {
        while (true)
        {
            int cp = Rng.Next(0, 0x10000);
            if (cp is < 0xD800 or > 0xDFFF) return cp;
        }
    }
}
