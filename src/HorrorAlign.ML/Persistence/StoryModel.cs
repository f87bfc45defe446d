using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Tokenization;

namespace HorrorAlign.ML.Persistence;

// CONTRACT STUB (owned by the training/persistence helper): members may be added, not renamed or removed.
/// <summary>
/// A trained model as one unit: decoder weights, its <see cref="GptConfig"/> and its <see cref="TokenVocabulary"/>.
/// Saved to and loaded from a stream in one self-describing, versioned, checksummed format.
/// </summary>
public sealed class StoryModel : IDisposable
{
    /// <summary>Wraps an existing decoder and vocabulary (takes ownership of the decoder).</summary>
    public StoryModel(GptModel model, TokenVocabulary vocabulary) { Model = model; Vocabulary = vocabulary; }
    /// <summary>The decoder.</summary>
    public GptModel Model { get; }
    /// <summary>The id space the decoder was trained on.</summary>
    public TokenVocabulary Vocabulary { get; }
    /// <summary>The decoder's shape.</summary>
    public GptConfig Config => Model.Config;
    /// <summary>Writes the model to a stream.</summary>
    public void Save(Stream stream) => throw new NotImplementedException();
    /// <summary>Writes the model to a file atomically.</summary>
    public void Save(string path) => throw new NotImplementedException();
    /// <summary>Reads a model; throws <see cref="InvalidDataException"/> for truncated, corrupt or foreign input.</summary>
    public static StoryModel Load(Stream stream) => throw new NotImplementedException();
    /// <summary>Reads a model from a file.</summary>
    public static StoryModel Load(string path) => throw new NotImplementedException();
    /// <summary>A deep copy (own weights).</summary>
    public StoryModel Clone() => throw new NotImplementedException();
    /// <inheritdoc />
    public void Dispose() => Model.Dispose();
}
