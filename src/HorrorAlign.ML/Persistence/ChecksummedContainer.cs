using System.Buffers.Binary;
using System.Security.Cryptography;

namespace HorrorAlign.ML.Persistence;

/// <summary>
/// The envelope shared by every binary file of the library (models, training checkpoints):
/// <code>
/// magic (8 bytes) | format version (uint32 LE) | header length (uint32 LE) | payload length (uint64 LE)
/// | header (UTF-8 JSON) | payload (raw bytes) | SHA-256 of everything before it (32 bytes)
/// </code>
/// WHY this shape: the fixed prefix says how many bytes must follow, so a short read is reported as TRUNCATED rather
/// than as a vague parse error; the trailing hash catches bit rot and hand edits before any byte is interpreted; and
/// the reader consumes exactly the container, so it may sit inside a larger stream.
/// </summary>
internal static class ChecksummedContainer
{
    private const int PrefixLength = 8 + 4 + 4 + 8;
    private const int HashLength = 32;
    private const int MaxHeaderLength = 256 << 20;
    private const int InitialChunk = 1 << 20;

    /// <summary>What a reader got back: the version it found, the header bytes and the payload bytes.</summary>
    internal readonly record struct Contents(int Version, byte[] Header, byte[] Payload);

    /// <summary>Writes one container. <paramref name="writePayload"/> must hand exactly <paramref name="payloadLength"/>
    /// bytes to the sink it receives.</summary>
    public static void Write(Stream stream, ReadOnlySpan<byte> magic, int version, byte[] header, long payloadLength,
        Action<PayloadSink> writePayload)
    {
        if (magic.Length != 8) throw new ArgumentException("The magic must be 8 bytes.", nameof(magic));
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var sink = new PayloadSink(stream, hash);

        Span<byte> prefix = stackalloc byte[PrefixLength];
        magic.CopyTo(prefix);
        BinaryPrimitives.WriteUInt32LittleEndian(prefix[8..], (uint)version);
        BinaryPrimitives.WriteUInt32LittleEndian(prefix[12..], (uint)header.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(prefix[16..], (ulong)payloadLength);
        sink.Write(prefix);
        sink.Write(header);

        long before = sink.Written;
        writePayload(sink);
        if (sink.Written - before != payloadLength)
            throw new InvalidOperationException($"Payload writer produced {sink.Written - before} bytes, expected {payloadLength}.");

        Span<byte> digest = stackalloc byte[HashLength];
        hash.GetHashAndReset(digest);
        stream.Write(digest);
    }

    /// <summary>
    /// Reads one container written with <paramref name="magic"/>, accepting versions 1..<paramref name="maxVersion"/>.
    /// Throws <see cref="InvalidDataException"/> that says whether the input is foreign, from a newer version,
    /// truncated or corrupt; <paramref name="what"/> names the input in messages (e.g. "model file 'x.hamodel'").
    /// </summary>
    public static Contents Read(Stream stream, ReadOnlySpan<byte> magic, int maxVersion, string what)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> prefix = stackalloc byte[PrefixLength];
        int got = ReadFully(stream, prefix);
        if (got < 8 || !prefix[..8].SequenceEqual(magic))
        {
            if (got < 8 && prefix[..got].SequenceEqual(magic[..got]))
                throw new InvalidDataException($"The {what} is truncated: {got} bytes, fewer than the 8-byte signature.");
            throw new InvalidDataException(
                $"The {what} is not in this format (expected signature '{Printable(magic)}', found '{Printable(prefix[..Math.Min(got, 8)])}').");
        }
        if (got < PrefixLength)
            throw new InvalidDataException($"The {what} is truncated: {got} bytes, fewer than the {PrefixLength}-byte fixed header.");

        uint version = BinaryPrimitives.ReadUInt32LittleEndian(prefix[8..]);
        if (version == 0)
            throw new InvalidDataException($"The {what} is corrupt: format version 0 does not exist.");
        if (version > (uint)maxVersion)
            throw new InvalidDataException(
                $"The {what} has format version {version}, newer than the newest this library reads ({maxVersion}); upgrade HorrorAlign.ML to load it.");

        uint headerLength = BinaryPrimitives.ReadUInt32LittleEndian(prefix[12..]);
        ulong payloadLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix[16..]);
        if (headerLength > MaxHeaderLength || payloadLength > (ulong)Array.MaxLength)
            throw new InvalidDataException(
                $"The {what} is corrupt: implausible section lengths (header {headerLength} bytes, payload {payloadLength} bytes).");

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(prefix);
        long expectedTotal = PrefixLength + headerLength + (long)payloadLength + HashLength;
        var header = ReadSection(stream, (int)headerLength, hash, what, PrefixLength, expectedTotal);
        var payload = ReadSection(stream, (int)payloadLength, hash, what, PrefixLength + headerLength, expectedTotal);

        Span<byte> stored = stackalloc byte[HashLength];
        int hashGot = ReadFully(stream, stored);
        if (hashGot < HashLength)
            throw new InvalidDataException(
                $"The {what} is truncated: {expectedTotal - HashLength + hashGot} of {expectedTotal} bytes.");
        Span<byte> actual = stackalloc byte[HashLength];
        hash.GetHashAndReset(actual);
        if (!CryptographicOperations.FixedTimeEquals(actual, stored))
            throw new InvalidDataException(
                $"The {what} is corrupt: its SHA-256 checksum does not match its content (damaged or edited after it was written).");
        return new Contents((int)version, header, payload);
    }

    /// <summary>
    /// Reads a section of the declared length, allocating in proportion to the bytes the input really holds: a 7 kB
    /// file that declares a 2 GB payload is reported truncated without 2 GB ever being allocated.
    /// </summary>
    private static byte[] ReadSection(Stream stream, int length, IncrementalHash hash, string what, long offset, long expectedTotal)
    {
        if (stream.CanSeek && stream.Length - stream.Position < length)
            throw new InvalidDataException($"The {what} is truncated: {offset + stream.Length - stream.Position} of {expectedTotal} bytes.");
        // An unseekable stream cannot say how much follows: grow the buffer as bytes arrive (at most twice what was read).
        var bytes = GC.AllocateUninitializedArray<byte>(stream.CanSeek ? length : Math.Min(length, InitialChunk));
        int got = 0;
        while (got < length)
        {
            if (got == bytes.Length)
            {
                var grown = GC.AllocateUninitializedArray<byte>((int)Math.Min(length, 2L * bytes.Length));
                bytes.AsSpan(0, got).CopyTo(grown);
                bytes = grown;
            }
            int n = stream.Read(bytes, got, bytes.Length - got);
            if (n == 0) break;
            got += n;
        }
        if (got < length)
            throw new InvalidDataException($"The {what} is truncated: {offset + got} of {expectedTotal} bytes.");
        hash.AppendData(bytes);
        return bytes;
    }

    private static int ReadFully(Stream stream, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = stream.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) chars[i] = bytes[i] is >= 0x20 and < 0x7F ? (char)bytes[i] : '.';
        return new string(chars);
    }

    /// <summary>Writes payload bytes to the stream and into the running checksum.</summary>
    internal sealed class PayloadSink
    {
        private readonly Stream _stream;
        private readonly IncrementalHash _hash;

        internal PayloadSink(Stream stream, IncrementalHash hash) { _stream = stream; _hash = hash; }

        /// <summary>Bytes written so far (prefix and header included).</summary>
        public long Written { get; private set; }

        /// <summary>Appends bytes.</summary>
        public void Write(ReadOnlySpan<byte> bytes)
        {
            _stream.Write(bytes);
            _hash.AppendData(bytes);
            Written += bytes.Length;
        }
    }
}
