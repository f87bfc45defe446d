using HorrorAlign.ML.Generation;
using HorrorAlign.ML.Persistence;
using Microsoft.ML;

namespace HorrorAlign.ML;

/// <summary>
/// The one place where the app turns a <see cref="StoryModel"/> into a file and back. A run's <c>model.zip</c> is an
/// ML.NET model: <c>FeaturizeSpec → GenerateStory</c> with the model embedded, so <c>mlContext.Model.Load</c> plus
/// <c>CreatePredictionEngine&lt;StorySpecInput, StoryPrediction&gt;</c> writes stories from specs. Loading also accepts a
/// bare model file (<see cref="StoryModel.Save(string)"/>), recognised by its signature.
/// </summary>
public static class ModelArchive
{
    /// <summary>Saves <paramref name="model"/> as an ML.NET zip whose generator uses <paramref name="sampling"/>
    /// (float32 weights, so the zip generates exactly what the in-memory model does). The write is atomic.</summary>
    public static void Save(StoryModel model, string path, SamplingOptions? sampling = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        sampling ??= new SamplingOptions();
        var ml = new MLContext(seed: 0);
        var sg = ml.StoryGeneration();
        // A schema-only view: fitting needs the column types, not rows.
        var specs = ml.Data.LoadFromEnumerable(Array.Empty<StorySpecInput>());
        var featurizer = sg.FeaturizeSpec().Fit(specs);
        using var generator = sg.GenerateStory(new StoryGenerator.Options
        {
            MaxNewTokens = sampling.MaxNewTokens, Temperature = sampling.Temperature, TopK = sampling.TopK, TopP = sampling.TopP,
            RepetitionPenalty = sampling.RepetitionPenalty, Seed = sampling.Seed, StopStrings = [.. sampling.StopStrings],
            UseKvCache = sampling.UseKvCache, StoredPrecision = WeightPrecision.Float32,
        }).Fit(featurizer.Transform(specs), model);
        var chain = new Microsoft.ML.Data.TransformerChain<ITransformer>(featurizer, generator);
        StoryModelZip.Save(ml, chain, specs.Schema, path);
    }

    /// <summary>Loads a model saved by <see cref="Save"/> (any ML.NET zip holding a story model: the last one), a bare
    /// model file, or a PyTorch checkpoint (<c>.pt</c> or <c>.safetensors</c>, see <see cref="PyTorchCheckpoint"/>);
    /// the kind is told by content. The caller owns and disposes the result.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">None of those, or corrupt.</exception>
    public static StoryModel Load(string path) => Load(path, null);

    /// <summary><see cref="Load(string)"/>, with the options that a PyTorch checkpoint without a stored description
    /// may need (its attention heads).</summary>
    public static StoryModel Load(string path, PyTorchCheckpointOptions? checkpointOptions)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Model file not found: {path}", path);
        if (PyTorchCheckpoint.IsCheckpoint(path)) return PyTorchCheckpoint.Load(path, checkpointOptions);
        if (!IsZip(path)) return StoryModel.Load(path);

        var ml = new MLContext(seed: 0);
        var loaded = StoryModelZip.Load(ml, path, out _);
        try
        {
            // The zip's model lives in ML.NET's shared cache; take a private copy and let the cache go.
            return loaded.GetStoryModel().Clone();
        }
        finally
        {
            loaded.ReleaseStoryModels();
        }
    }

    /// <summary>A base model for SFT (<see cref="Load(string)"/>), with the field tokens added as new rows when SFT writes
    /// values as field tokens and the base has none (see <see cref="StoryModel.WithFieldTokens"/>).</summary>
    internal static StoryModel LoadBase(string path, bool fieldTokens)
    {
        var loaded = Load(path);
        if (!fieldTokens || loaded.Vocabulary.HasFieldTokens) return loaded;
        using (loaded) return loaded.WithFieldTokens();
    }

    private static bool IsZip(string path)
    {
        Span<byte> head = stackalloc byte[4];
        using var stream = File.OpenRead(path);
        return stream.ReadAtLeast(head, 4, throwOnEndOfStream: false) == 4 && head[0] == (byte)'P' && head[1] == (byte)'K';
    }
}
