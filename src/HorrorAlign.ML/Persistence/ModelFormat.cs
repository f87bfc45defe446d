using System.Text.Json;
using System.Text.Json.Serialization;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Persistence;

/// <summary>
/// The model file format (version 1): a <see cref="ChecksummedContainer"/> with signature "HAMODEL1" whose JSON header
/// holds the <see cref="GptConfig"/>, the vocabulary (full GPT-2, or the compact model-id → GPT-2-id map) and a tensor
/// table (name, dtype, shape, offset, length into the payload), and whose payload is the raw little-endian tensor data
/// in state-dict order. The file is a pure function of the weights: no timestamps, so equal models give equal bytes.
/// </summary>
internal static class ModelFormat
{
    /// <summary>Newest version this code writes and reads.</summary>
    public const int CurrentVersion = 1;
    /// <summary>A model's tensors are floating point, 16 bits per element at the least (float16, bfloat16).</summary>
    private const int MinElementBytes = 2;
    private const string FormatName = "HorrorAlign.StoryModel";
    private static ReadOnlySpan<byte> Magic => "HAMODEL1"u8;

    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        // GptConfig's computed properties (HeadDim) are not state.
        IgnoreReadOnlyProperties = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>What a model file holds, decoded: tensors are float32 (or their stored integer type) on the CPU and
    /// owned by the caller.</summary>
    internal sealed record Contents(GptConfig Config, TokenVocabulary Vocabulary, Dictionary<string, Tensor> Tensors) : IDisposable
    {
        public void Dispose()
        {
            foreach (var t in Tensors.Values) t.Dispose();
        }
    }

    /// <summary>Writes a model given its named tensors (a state dict).</summary>
    public static void Write(Stream stream, GptConfig config, TokenVocabulary vocabulary,
        IEnumerable<KeyValuePair<string, Tensor>> tensors, WeightPrecision precision)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Model files are little-endian; this machine is not.");
        ScalarType floatType = precision switch
        {
            WeightPrecision.Float32 => ScalarType.Float32,
            WeightPrecision.Float16 => ScalarType.Float16,
            WeightPrecision.BFloat16 => ScalarType.BFloat16,
            _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "Unknown WeightPrecision."),
        };

        using var scope = NewDisposeScope();
        // Convert first so the tensor table can state exact offsets before any data is written.
        var stored = new List<(string Name, Tensor Data)>();
        var table = new List<TensorEntry>();
        long offset = 0;
        foreach (var (name, tensor) in tensors)
        {
            var t = tensor.detach();
            if (t.dtype == ScalarType.Float32 && floatType != ScalarType.Float32) t = t.to(floatType);
            t = t.cpu().contiguous();
            long length = t.NumberOfElements * DTypes.Size(t.dtype);
            table.Add(new TensorEntry(name, DTypes.Name(t.dtype), t.shape, offset, length));
            stored.Add((name, t));
            offset += length;
        }

        var header = new ModelHeader(FormatName, config, VocabularyHeader.From(vocabulary), table);
        byte[] headerBytes = JsonSerializer.SerializeToUtf8Bytes(header, s_json);
        ChecksummedContainer.Write(stream, Magic, CurrentVersion, headerBytes, offset, sink =>
        {
            foreach (var (_, t) in stored) sink.Write(t.bytes);
        });
    }

    /// <summary>Reads and validates a model file; <paramref name="what"/> names it in error messages.</summary>
    public static Contents Read(Stream stream, string what)
    {
        var container = ChecksummedContainer.Read(stream, Magic, CurrentVersion, what);
        ModelHeader header;
        try
        {
            header = JsonSerializer.Deserialize<ModelHeader>(container.Header, s_json)
                ?? throw new InvalidDataException($"The {what} has an empty header.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The {what} has an unreadable header: {e.Message}", e);
        }
        if (header.Format != FormatName)
            throw new InvalidDataException($"The {what} holds '{header.Format}', not a {FormatName}.");
        if (header.Config is null) throw new InvalidDataException($"The {what} header lacks 'config'.");
        if (header.Vocabulary is null) throw new InvalidDataException($"The {what} header lacks 'vocabulary'.");
        if (header.Tensors is null) throw new InvalidDataException($"The {what} header lacks 'tensors'.");
        try { header.Config.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"The {what} has an invalid config: {e.Message}", e); }
        // Before the vocabulary or any tensor is made: a small file must not be able to ask for a large model.
        StateDictCheck.RequireFits(header.Config, container.Payload.Length, MinElementBytes, what);

        var vocabulary = header.Vocabulary.ToVocabulary(what);
        if (vocabulary.Size != header.Config.VocabSize)
            throw new InvalidDataException(
                $"The {what} is inconsistent: its vocabulary has {vocabulary.Size} ids but config.vocabSize is {header.Config.VocabSize}.");

        var table = CheckTable(header, container.Payload.Length, what);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var (entry, dtype) in table)
            {
                var t = empty(entry.Shape, dtype);
                if (entry.Length > 0) t.bytes = container.Payload.AsSpan((int)entry.Offset, (int)entry.Length);
                if (t.dtype is ScalarType.Float16 or ScalarType.BFloat16)
                {
                    var wide = t.to(ScalarType.Float32);
                    t.Dispose();
                    t = wide;
                }
                tensors.Add(entry.Name, t);
            }
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
        return new Contents(header.Config, vocabulary, tensors);
    }

    /// <summary>
    /// The tensor table, checked without allocating a tensor: names and shapes exactly those the config implies
    /// (<see cref="StateDictCheck"/>), known dtypes, and byte ranges inside the data section.
    /// </summary>
    private static List<(TensorEntry Entry, ScalarType DType)> CheckTable(ModelHeader header, long dataBytes, string what)
    {
        var table = new List<(TensorEntry, ScalarType)>(header.Tensors.Count);
        var listed = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var entry in header.Tensors)
        {
            if (entry is null || string.IsNullOrEmpty(entry.Name)) throw new InvalidDataException($"The {what} has a tensor without a name.");
            if (listed.ContainsKey(entry.Name)) throw new InvalidDataException($"The {what} lists tensor '{entry.Name}' twice.");
            ScalarType dtype = DTypes.Parse(entry.Dtype)
                ?? throw new InvalidDataException($"The {what}: tensor '{entry.Name}' has unknown dtype '{entry.Dtype}'.");
            listed.Add(entry.Name, entry.Shape ?? throw new InvalidDataException($"The {what}: tensor '{entry.Name}' has no shape."));
            table.Add((entry, dtype));
        }
        StateDictCheck.RequireExact(header.Config, listed, what);

        foreach (var (entry, dtype) in table)
        {
            // The shape is the config's (checked above), so its element count is bounded by GptLimits: no overflow.
            long length = entry.Shape.Aggregate(1L, (n, d) => n * d) * DTypes.Size(dtype);
            if (entry.Length != length || entry.Offset < 0 || entry.Offset > dataBytes - length)
                throw new InvalidDataException(
                    $"The {what}: tensor '{entry.Name}' ({entry.Dtype} [{string.Join(",", entry.Shape)}]) does not fit the data section " +
                    $"(offset {entry.Offset}, length {entry.Length}, data {dataBytes} bytes).");
        }
        return table;
    }

    private sealed record ModelHeader(string Format, GptConfig Config, VocabularyHeader Vocabulary, List<TensorEntry> Tensors);

    private sealed record TensorEntry(string Name, string Dtype, long[] Shape, long Offset, long Length);

    /// <summary>The dtypes a model file may hold, by their names in the tensor table.</summary>
    private static class DTypes
    {
        public static string Name(ScalarType t) => t switch
        {
            ScalarType.Float32 => "float32",
            ScalarType.Float16 => "float16",
            ScalarType.BFloat16 => "bfloat16",
            ScalarType.Float64 => "float64",
            ScalarType.Int64 => "int64",
            ScalarType.Int32 => "int32",
            ScalarType.Bool => "bool",
            _ => throw new NotSupportedException($"Tensors of type {t} cannot be saved in a model file."),
        };

        public static ScalarType? Parse(string? name) => name switch
        {
            "float32" => ScalarType.Float32,
            "float16" => ScalarType.Float16,
            "bfloat16" => ScalarType.BFloat16,
            "float64" => ScalarType.Float64,
            "int64" => ScalarType.Int64,
            "int32" => ScalarType.Int32,
            "bool" => ScalarType.Bool,
            _ => null,
        };

        public static int Size(ScalarType t) => t switch
        {
            ScalarType.Float64 or ScalarType.Int64 => 8,
            ScalarType.Float32 or ScalarType.Int32 => 4,
            ScalarType.Float16 or ScalarType.BFloat16 => 2,
            ScalarType.Bool => 1,
            _ => throw new NotSupportedException($"Tensors of type {t} cannot be saved in a model file."),
        };
    }
}
