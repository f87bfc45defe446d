using System.Buffers.Binary;
using HorrorAlign.ML.Data;
using HorrorAlign.ML.IO;

namespace HorrorAlign.ML.Tokenization;

/// <summary>
/// A tokenized corpus on disk, as nanoGPT keeps its <c>train.bin</c>: every document's GPT-2 ids followed by
/// end-of-text, as little-endian uint16 (GPT-2 ids are below 65,536). Written once, then read a window at a time, so
/// the corpus is never in memory whole.
/// </summary>
internal sealed class TokenFile : IDisposable
{
    private readonly FileStream _stream;

    private TokenFile(string path, FileStream stream, long count, bool[] present, long documents)
    {
        Path = path;
        _stream = stream;
        Count = count;
        Present = present;
        Documents = documents;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Number of tokens, end-of-text markers included.</summary>
    public long Count { get; }

    /// <summary>Number of documents (end-of-text markers).</summary>
    public long Documents { get; }

    /// <summary>[GPT-2 id] true when the id occurs in the file.</summary>
    public bool[] Present { get; }

    /// <summary>Tokenizes <paramref name="corpus"/> into <paramref name="path"/> (atomically) and opens the result.</summary>
    public static TokenFile Build(TextCorpus corpus, string path, IProgress<long>? documents = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        var gpt2 = Gpt2Tokenizer.Shared;
        AtomicFile.Write(path, stream =>
        {
            var buffered = new BufferedStream(stream, 1 << 16); // flushed, not disposed: AtomicFile owns the stream
            Span<byte> two = stackalloc byte[2];
            long done = 0;
            foreach (string document in corpus.Documents())
            {
                ct.ThrowIfCancellationRequested();
                foreach (int id in gpt2.Encode(document))
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(two, (ushort)id);
                    buffered.Write(two);
                }
                BinaryPrimitives.WriteUInt16LittleEndian(two, Gpt2Tokenizer.EosId);
                buffered.Write(two);
                if (++done % 1000 == 0) documents?.Report(done);
            }
            buffered.Flush();
            documents?.Report(done);
        });
        return Open(path);
    }

    /// <summary>Opens a file written by <see cref="Build"/> (one sequential pass counts its ids).</summary>
    /// <exception cref="InvalidDataException">Odd length, or an id outside GPT-2's (the file is not a token file).</exception>
    public static TokenFile Open(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            if (stream.Length % 2 != 0) throw new InvalidDataException($"The token file '{path}' has an odd length: it is not a token file.");
            var present = new bool[Gpt2Tokenizer.VocabSize];
            long documents = 0;
            var buffer = new byte[1 << 16];
            int read;
            while ((read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false)) > 0)
            {
                for (int i = 0; i + 1 < read; i += 2)
                {
                    int id = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(i));
                    if (id >= Gpt2Tokenizer.VocabSize) throw new InvalidDataException($"The token file '{path}' holds id {id}, outside GPT-2's vocabulary.");
                    present[id] = true;
                    if (id == Gpt2Tokenizer.EosId) documents++;
                }
            }
            return new TokenFile(path, stream, stream.Length / 2, present, documents);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>The GPT-2 ids at positions start .. start + length.</summary>
    public int[] Read(long start, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        if (start + length > Count) throw new ArgumentOutOfRangeException(nameof(length), $"tokens {start}..{start + length} lie beyond the {Count} of '{Path}'.");
        var bytes = new byte[length * 2];
        _stream.Position = start * 2;
        _stream.ReadExactly(bytes);
        var ids = new int[length];
        for (int i = 0; i < length; i++) ids[i] = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(2 * i));
        return ids;
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();
}
