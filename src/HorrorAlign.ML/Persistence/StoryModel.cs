using HorrorAlign.ML.IO;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Tokenization;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Persistence;

/// <summary>
/// A trained model as one unit: decoder weights, its <see cref="GptConfig"/> and its <see cref="TokenVocabulary"/>.
/// Saved to and loaded from a stream in one self-describing, versioned, checksummed format:
/// <code>
/// "HAMODEL1" | version (uint32) | header length (uint32) | data length (uint64)
/// | JSON header: config, vocabulary (full, or compact with its GPT-2 id map), tensor table (name, dtype, shape, offset, length)
/// | raw little-endian tensor data | SHA-256 of all preceding bytes
/// </code>
/// </summary>
public sealed class StoryModel : IDisposable
{
    /// <summary>Wraps an existing decoder and vocabulary (takes ownership of the decoder).</summary>
    /// <exception cref="ArgumentException">The decoder's vocabulary size differs from the vocabulary's.</exception>
    internal StoryModel(GptModel model, TokenVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (model.Config.VocabSize != vocabulary.Size)
            throw new ArgumentException(
                $"The decoder has {model.Config.VocabSize} token ids but the vocabulary has {vocabulary.Size}.", nameof(vocabulary));
        Model = model;
        Vocabulary = vocabulary;
    }

    /// <summary>The decoder.</summary>
    internal GptModel Model { get; }

    /// <summary>The id space the decoder was trained on.</summary>
    internal TokenVocabulary Vocabulary { get; }

    /// <summary>The decoder's shape.</summary>
    public GptConfig Config => Model.Config;

    /// <summary>Writes the model to a stream with exact float32 weights.</summary>
    public void Save(Stream stream) => Save(stream, WeightPrecision.Float32);

    /// <summary>Writes the model to a stream, storing floating-point weights at <paramref name="precision"/>.</summary>
    public void Save(Stream stream, WeightPrecision precision)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ModelFormat.Write(stream, Config, Vocabulary, Model.state_dict(), precision);
    }

    /// <summary>Writes the model to a file atomically (a crash never leaves a half-written file) with float32 weights.</summary>
    public void Save(string path) => Save(path, WeightPrecision.Float32);

    /// <summary>Writes the model to a file atomically, storing floating-point weights at <paramref name="precision"/>.</summary>
    public void Save(string path, WeightPrecision precision)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.Write(path, s => Save(s, precision));
    }

    /// <summary>
    /// Reads a model (exactly the bytes of one model; the stream may continue after it). Throws
    /// <see cref="InvalidDataException"/> for truncated, corrupt (checksum mismatch), foreign (wrong signature) or
    /// newer-version input, and for missing, extra or mis-shaped tensors (named in the message).
    /// </summary>
    public static StoryModel Load(Stream stream) => Load(stream, "model stream");

    /// <summary>Reads a model from a file; errors name the file.</summary>
    public static StoryModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Load(stream, $"model file '{path}'");
    }

    /// <summary>Writes the model to a byte array (float32 unless <paramref name="precision"/> says otherwise).</summary>
    public byte[] ToBytes(WeightPrecision precision = WeightPrecision.Float32)
    {
        using var ms = new MemoryStream();
        Save(ms, precision);
        return ms.ToArray();
    }

    /// <summary>Reads a model from bytes written by <see cref="ToBytes"/> or <see cref="Save(Stream)"/>.</summary>
    public static StoryModel FromBytes(ReadOnlyMemory<byte> bytes)
    {
        using var ms = new MemoryStream(bytes.ToArray(), writable: false);
        return Load(ms);
    }

    internal static StoryModel Load(Stream stream, string what)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var contents = ModelFormat.Read(stream, what);
        var model = ModelWeights.CreateForLoading(contents.Config);
        try
        {
            // Straight into a fresh decoder by state-dict name: the file's tensor order does not matter.
            ModelWeights.CopyInto(model, contents.Tensors, what);
            model.eval();
            return new StoryModel(model, contents.Vocabulary);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>A deep copy (own weights, same vocabulary, same train/eval mode); does not advance the torch RNG.</summary>
    public StoryModel Clone()
    {
        var model = ModelWeights.CreateForLoading(Config);
        try
        {
            ModelWeights.CopyInto(model, Model.state_dict(), "source model");
            model.train(Model.training);
            return new StoryModel(model, Vocabulary);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A copy whose vocabulary gains the field tokens (a base model trained on plain text, going into SFT with field
    /// tokens): one new row per field token after the existing ids, in the embedding and in an untied output layer, drawn
    /// around the mean of the existing rows at their spread (a typical token, distinct from the others); everything else
    /// is copied. The draws have their own generator, so the global torch RNG does not move.
    /// </summary>
    internal StoryModel WithFieldTokens()
    {
        if (Vocabulary.HasFieldTokens) return Clone();
        var vocabulary = Vocabulary.WithFieldTokens();
        int added = vocabulary.Size - Config.VocabSize;
        var model = ModelWeights.CreateForLoading(Config with { VocabSize = vocabulary.Size });
        try
        {
            using var scope = NewDisposeScope();
            using var generator = new Generator(seed: 20261203);
            var grown = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (var (name, t) in Model.state_dict())
            {
                grown[name] = name switch
                {
                    "token_embedding.weight" or "output_layer.weight" =>
                        cat([t, t.mean([0], keepdim: true) + randn([added, t.shape[1]], generator: generator) * t.std()], 0),
                    "seen_tokens" => cat([t, ones(added)], 0), // the rows are trained from the first SFT step
                    _ => t,
                };
            }
            ModelWeights.CopyInto(model, grown, "base model");
            model.train(Model.training);
            return new StoryModel(model, vocabulary);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose() => Model.Dispose();
}
