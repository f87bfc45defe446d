using System.Security.Cryptography;
using HorrorAlign.ML.Persistence;

namespace HorrorAlign.ML.MLNet;

/// <summary>
/// The text form in which a trained <see cref="StoryModel"/> travels inside an ML.NET model zip:
/// <c>"HORRORALIGN-MODEL-v1;&lt;sha256 hex&gt;;" + base64(StoryModel bytes)</c>. The text lives as the single value of a
/// built-in ValueMapping transformer, which ML.NET saves and loads itself (see docs in <see cref="StoryModelZip"/>).
/// The leading <em>header</em> (tag + hash) is what rows carry around to name the model; the hash is the key of the
/// process-wide <see cref="StoryModelCache"/>.
/// </summary>
internal static class ModelPayload
{
    /// <summary>Format tag; a new layout gets a new suffix (v2, …), never a changed v1.</summary>
    public const string Tag = "HORRORALIGN-MODEL-v1";
    const string Family = "HORRORALIGN-MODEL-";
    const int HashHexLength = 64;

    /// <summary>Length of <c>Tag;hash</c>.</summary>
    public static int HeaderLength => Tag.Length + 1 + HashHexLength;

    /// <summary>Encodes model bytes; returns the payload and its hash.</summary>
    public static (string Payload, string Hash) Encode(ReadOnlySpan<byte> modelBytes)
    {
        string hash = Convert.ToHexStringLower(SHA256.HashData(modelBytes));
        return (Header(hash) + ";" + Convert.ToBase64String(modelBytes), hash);
    }

    /// <summary>Serialises <paramref name="model"/> with weights stored at <paramref name="precision"/> and encodes it.</summary>
    public static (string Payload, string Hash, int Bytes) Encode(StoryModel model, WeightPrecision precision)
    {
        byte[] bytes = model.ToBytes(precision);
        var (payload, hash) = Encode(bytes);
        return (payload, hash, bytes.Length);
    }

    /// <summary>The header that names the model with hash <paramref name="hash"/>.</summary>
    public static string Header(string hash) => Tag + ";" + hash;

    /// <summary>
    /// Reads the hash from a payload or from a bare header, checking the tag. Reads only the first
    /// <see cref="HeaderLength"/> characters, so it is cheap for a multi-megabyte payload.
    /// </summary>
    public static string ReadHash(ReadOnlySpan<char> payloadOrHeader)
    {
        if (!payloadOrHeader.StartsWith(Family, StringComparison.Ordinal))
            throw new InvalidDataException(
                $"The value is not a HorrorAlign model reference (it does not start with '{Tag};'; it starts with " +
                $"'{Preview(payloadOrHeader)}'). Was this model saved by HorrorAlign.ML?");
        if (!payloadOrHeader.StartsWith(Tag + ";", StringComparison.Ordinal))
        {
            int end = payloadOrHeader.IndexOf(';');
            string found = (end < 0 ? payloadOrHeader : payloadOrHeader[..end]).ToString();
            throw new InvalidDataException(
                $"The HorrorAlign model uses payload format '{found}', but this version of HorrorAlign.ML reads '{Tag}'. " +
                "Update HorrorAlign.ML to load it.");
        }
        if (payloadOrHeader.Length < HeaderLength)
            throw new InvalidDataException("The HorrorAlign model reference is truncated (its SHA-256 is incomplete).");
        var hash = payloadOrHeader.Slice(Tag.Length + 1, HashHexLength);
        foreach (char c in hash)
            if (!char.IsAsciiHexDigitLower(c))
                throw new InvalidDataException("The HorrorAlign model reference is corrupt (its SHA-256 is not lower-case hex).");
        if (payloadOrHeader.Length > HeaderLength && payloadOrHeader[HeaderLength] != ';')
            throw new InvalidDataException("The HorrorAlign model reference is corrupt (no ';' after the SHA-256).");
        return hash.ToString();
    }

    /// <summary>
    /// Checks a full payload without building the model: tag, base64, and the SHA-256 of the bytes against the header.
    /// Every failure is an <see cref="InvalidDataException"/> saying which check failed.
    /// </summary>
    public static void Verify(ReadOnlySpan<char> payload) => VerifiedBytes(payload);

    /// <summary>Verifies a full payload (<see cref="Verify"/>) and loads its model with <see cref="StoryModel.Load(Stream)"/>.</summary>
    public static StoryModel Decode(ReadOnlySpan<char> payload)
    {
        var bytes = VerifiedBytes(payload);
        try
        {
            using var stream = new MemoryStream(bytes.Array!, bytes.Offset, bytes.Count, writable: false);
            return StoryModel.Load(stream);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"The HorrorAlign model payload passed its checksum but is not a valid model: {e.Message}", e);
        }
    }

    static ArraySegment<byte> VerifiedBytes(ReadOnlySpan<char> payload)
    {
        string expected = ReadHash(payload);
        if (payload.Length <= HeaderLength)
            throw new InvalidDataException(
                "The value is only a HorrorAlign model reference, not a model payload: the weights are missing.");
        var base64 = payload[(HeaderLength + 1)..];
        byte[] bytes = new byte[base64.Length / 4 * 3];
        if (base64.Length % 4 != 0 || !Convert.TryFromBase64Chars(base64, bytes, out int written))
            throw new InvalidDataException("The HorrorAlign model payload is truncated or corrupt (its base64 text is invalid).");
        string actual = Convert.ToHexStringLower(SHA256.HashData(bytes.AsSpan(0, written)));
        if (actual != expected)
            throw new InvalidDataException(
                $"The HorrorAlign model payload is corrupt: its weights hash to {actual[..12]}…, but its header says {expected[..12]}….");
        return new ArraySegment<byte>(bytes, 0, written);
    }

    static string Preview(ReadOnlySpan<char> text) => text[..Math.Min(text.Length, 24)].ToString();
}
