using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using HorrorAlign.ML.IO;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Persistence;

/// <summary>
/// The safetensors format (8-byte little-endian header length, a JSON header naming each tensor's dtype, shape and byte
/// range, optional string <c>__metadata__</c>, then the raw data). Tensors are read with TorchSharp.PyBridge; the
/// metadata and the writer are ours, because PyBridge neither reads nor writes <c>__metadata__</c>.
/// </summary>
internal static class SafeTensors
{
    private const int MaxHeaderBytes = 100 << 20; // the reference implementation's limit

    /// <summary>True when the file starts like a safetensors file (a plausible header length, then '{').</summary>
    public static bool Looks(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> head = stackalloc byte[9];
        if (stream.ReadAtLeast(head, 9, throwOnEndOfStream: false) < 9) return false;
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(head);
        return length is > 1 and <= MaxHeaderBytes && (long)length + 8 <= stream.Length && head[8] == (byte)'{';
    }

    /// <summary>Reads every tensor (CPU, owned by the caller) and the string metadata of <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">Not a readable safetensors file (the message names it).</exception>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Read(string path)
    {
        string what = $"safetensors file '{path}'";
        using var stream = File.OpenRead(path);
        var metadata = ReadMetadata(stream, what);
        stream.Position = 0;
        try
        {
            return (Safetensors.LoadStateDict(stream, leaveOpen: true), metadata);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"The {what} could not be read: {e.Message}", e);
        }
    }

    /// <summary>
    /// Reads the header's string metadata and checks every tensor entry (known dtype, shape, data_offsets inside the
    /// data section and as long as the shape says) before PyBridge allocates anything from it.
    /// </summary>
    private static Dictionary<string, string> ReadMetadata(Stream stream, string what)
    {
        Span<byte> prefix = stackalloc byte[8];
        if (stream.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) < 8) throw new InvalidDataException($"The {what} is shorter than its 8-byte header length.");
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (length > MaxHeaderBytes || (long)length > stream.Length - 8)
            throw new InvalidDataException($"The {what} declares a {length}-byte header, more than the file holds.");
        var header = new byte[length];
        stream.ReadExactly(header);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var json = JsonDocument.Parse(header);
            if (json.RootElement.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"The {what} header is not a JSON object.");
            long dataBytes = stream.Length - 8 - (long)length, listedBytes = 0;
            foreach (var entry in json.RootElement.EnumerateObject())
            {
                if (entry.Name == "__metadata__")
                {
                    if (entry.Value.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"The {what}: __metadata__ is not a JSON object.");
                    foreach (var p in entry.Value.EnumerateObject())
                    {
                        if (p.Value.ValueKind != JsonValueKind.String)
                            throw new InvalidDataException($"The {what}: __metadata__.{p.Name} is not a string (safetensors metadata values are strings).");
                        metadata[p.Name] = p.Value.GetString()!;
                    }
                    continue;
                }
                // Every tensor is read (and allocated) separately: their ranges together must fit in the data section.
                listedBytes += CheckTensor(entry, dataBytes, what);
                if (listedBytes > dataBytes)
                    throw new InvalidDataException(
                        $"The {what}: its tensors need {ByteSize.Format(listedBytes)} (up to '{entry.Name}') but the file holds {ByteSize.Format(dataBytes)} of data.");
            }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The {what} has an unreadable header: {e.Message}", e);
        }
        return metadata;
    }

    /// <summary>Byte length of one checked tensor entry: <c>{"dtype", "shape", "data_offsets": [begin, end]}</c>.</summary>
    private static long CheckTensor(JsonProperty entry, long dataBytes, string what)
    {
        InvalidDataException Bad(string field, string problem) => new($"The {what}: tensor '{entry.Name}' {field} {problem}.");
        var value = entry.Value;
        if (value.ValueKind != JsonValueKind.Object) throw Bad("entry", "is not a JSON object");
        if (!value.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String
            || !s_elementBytes.TryGetValue(dtype.GetString()!, out int elementBytes))
            throw Bad("dtype", "is missing or unknown");
        if (!value.TryGetProperty("shape", out var shape) || shape.ValueKind != JsonValueKind.Array) throw Bad("shape", "is missing");
        long count = 1;
        foreach (var dim in shape.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out long n) || n < 0 || (n > 0 && count > dataBytes / n))
                throw Bad("shape", $"[{string.Join(",", shape.EnumerateArray())}] is impossible for {ByteSize.Format(dataBytes)} of data");
            count *= n;
        }
        if (!value.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2
            || offsets[0].ValueKind != JsonValueKind.Number || offsets[1].ValueKind != JsonValueKind.Number
            || !offsets[0].TryGetInt64(out long begin) || !offsets[1].TryGetInt64(out long end))
            throw Bad("data_offsets", "is not [begin, end]");
        if (begin < 0 || end < begin || end > dataBytes)
            throw Bad("data_offsets", $"[{begin}, {end}] lie outside the {dataBytes}-byte data section");
        if (end - begin != count * elementBytes)
            throw Bad("data_offsets", $"[{begin}, {end}] hold {end - begin} bytes, but its shape needs {count * elementBytes}");
        return end - begin;
    }

    /// <summary>Bytes per element of the safetensors dtypes.</summary>
    private static readonly Dictionary<string, int> s_elementBytes = new(StringComparer.Ordinal)
    {
        ["F64"] = 8, ["F32"] = 4, ["F16"] = 2, ["BF16"] = 2, ["I64"] = 8, ["I32"] = 4, ["I16"] = 2, ["I8"] = 1, ["U8"] = 1, ["BOOL"] = 1,
    };

    /// <summary>Writes <paramref name="tensors"/> (any device; stored as they are, in the given order) with string
    /// <paramref name="metadata"/>.</summary>
    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors files are little-endian; this machine is not.");
        using var scope = NewDisposeScope();
        var stored = tensors.Select(kv => (kv.Key, Data: kv.Value.detach().cpu().contiguous())).ToList();

        using var headerBuffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(headerBuffer))
        {
            w.WriteStartObject();
            if (metadata.Count > 0)
            {
                w.WriteStartObject("__metadata__");
                foreach (var (key, value) in metadata) w.WriteString(key, value);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, data) in stored)
            {
                long length = data.NumberOfElements * data.ElementSize;
                w.WriteStartObject(name);
                w.WriteString("dtype", DType(data.dtype));
                w.WriteStartArray("shape");
                foreach (long d in data.shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + length);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += length;
            }
            w.WriteEndObject();
        }
        // The format pads the header with spaces so that the data starts 8-byte aligned.
        int pad = (int)((8 - headerBuffer.Length % 8) % 8);
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)(headerBuffer.Length + pad));
        stream.Write(prefix);
        headerBuffer.Position = 0;
        headerBuffer.CopyTo(stream);
        for (int i = 0; i < pad; i++) stream.WriteByte((byte)' ');
        foreach (var (_, data) in stored) stream.Write(data.bytes);
    }

    private static string DType(ScalarType t) => t switch
    {
        ScalarType.Float32 => "F32",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        ScalarType.Float64 => "F64",
        ScalarType.Int64 => "I64",
        ScalarType.Int32 => "I32",
        ScalarType.Bool => "BOOL",
        ScalarType.Byte => "U8",
        _ => throw new NotSupportedException($"Tensors of type {t} cannot be written to a safetensors file."),
    };
}
