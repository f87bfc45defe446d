using System.Diagnostics;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.MLNet;
using HorrorAlign.ML.Persistence;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Transforms;

namespace HorrorAlign.ML;

/// <summary>What <see cref="StoryModelZip.Load(MLContext, string, out DataViewSchema, out StoryModelZipInfo)"/> found.</summary>
/// <param name="Source">The file (or "stream").</param>
/// <param name="ZipBytes">Size of the zip in bytes (-1 when the stream's length is unknown).</param>
/// <param name="LoadTime">Time to load the zip and decode and verify every model in it.</param>
/// <param name="ModelHashes">SHA-256 of each story model in the zip, in pipeline order (an SFT → DPO chain holds two).</param>
/// <param name="PayloadChars">Total length of the models' text payloads.</param>
public sealed record StoryModelZipInfo(string Source, long ZipBytes, TimeSpan LoadTime, IReadOnlyList<string> ModelHashes, long PayloadChars);

/// <summary>
/// Saving, loading and inspecting ML.NET model zips that contain HorrorAlign story models.
/// </summary>
/// <remarks>
/// <para>A pipeline of HorrorAlign components is saved and loaded with plain <c>mlContext.Model.Save</c> /
/// <c>mlContext.Model.Load</c> and used through <c>CreatePredictionEngine</c> like any ML.NET model. ML.NET 5 gives a
/// third-party transformer no public way to write its own bytes into a zip, so each component is saved as a chain of
/// built-in transformers: the model travels as the single value of a ValueMapping
/// (<c>HORRORALIGN-MODEL-v1;&lt;sha256&gt;;&lt;base64 of the model file&gt;</c>) and the work is done by CustomMappings
/// that ML.NET finds again by contract name. Loading therefore returns built-in transformers, not the typed ones.</para>
/// <para>Rows carry only the model's hash; its weights are decoded once per process and held internally until
/// <see cref="ReleaseStoryModels"/> (a loaded chain has no typed transformer to dispose). <c>mlContext.Model.Load</c>
/// decodes lazily (a corrupt payload fails at the first prediction, with a clear message);
/// <see cref="Load(MLContext, string, out DataViewSchema)"/> decodes and verifies every model at once and reports size
/// and load time.</para>
/// </remarks>
public static class StoryModelZip
{
    /// <summary>Saves <paramref name="model"/> like <c>mlContext.Model.Save</c>, but atomically (write, then rename).</summary>
    public static void Save(MLContext mlContext, ITransformer model, DataViewSchema inputSchema, string path)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.Write(path, stream => mlContext.Model.Save(model, inputSchema, stream));
    }

    /// <summary>Loads a zip and decodes and verifies every story model in it now.</summary>
    /// <exception cref="InvalidDataException">The file is not a readable ML.NET zip (truncated, corrupt), its steps do not
    /// fit together (an entry edited or swapped), it holds no story model (a foreign zip), or a story model in it is
    /// corrupt or of an unsupported format.</exception>
    public static ITransformer Load(MLContext mlContext, string path, out DataViewSchema inputSchema) =>
        Load(mlContext, path, out inputSchema, out _);

    /// <inheritdoc cref="Load(MLContext, string, out DataViewSchema)"/>
    public static ITransformer Load(MLContext mlContext, string path, out DataViewSchema inputSchema, out StoryModelZipInfo info)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Load(mlContext, stream, path, $"'{path}'", out inputSchema, out info);
    }

    /// <inheritdoc cref="Load(MLContext, string, out DataViewSchema)"/>
    public static ITransformer Load(MLContext mlContext, Stream stream, out DataViewSchema inputSchema, out StoryModelZipInfo info) =>
        Load(mlContext, stream, "stream", "the model stream", out inputSchema, out info);

    // source: what StoryModelZipInfo.Source reports (the path, or "stream"); what: how messages name the zip.
    static ITransformer Load(MLContext mlContext, Stream stream, string source, string what, out DataViewSchema inputSchema,
        out StoryModelZipInfo info)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(stream);
        var clock = Stopwatch.StartNew();
        long size = stream.CanSeek ? stream.Length : -1;
        // The caps are read from the central directory, which needs a seekable stream (a copy costs the input's size).
        using var seekable = stream.CanSeek ? null : new MemoryStream();
        if (seekable is not null)
        {
            stream.CopyTo(seekable);
            seekable.Position = 0;
            stream = seekable;
        }
        ZipLimits.Check(stream, source == "stream" ? "model stream" : $"model zip '{source}'", "ML.NET model zip");
        ITransformer loaded;
        try
        {
            loaded = mlContext.Model.Load(stream, out inputSchema);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException(
                $"{what} is not a readable ML.NET model zip; it may be truncated or corrupt ({e.GetType().Name}: {e.Message})", e);
        }
        CheckSteps(loaded, inputSchema, what);
        List<ReadOnlyMemory<char>> payloads;
        try
        {
            payloads = FindPayloads(loaded);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{what}: {e.Message}", e);
        }
        if (payloads.Count == 0) throw Foreign(what);
        var hashes = new List<string>();
        foreach (var payload in payloads)
        {
            try
            {
                hashes.Add(StoryModelCache.Ensure(payload));
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{what}: {e.Message}", e);
            }
        }
        info = new StoryModelZipInfo(source, size, clock.Elapsed, hashes, payloads.Sum(p => (long)p.Length));
        using (var channel = ((IChannelProvider)mlContext).Start("HorrorAlign.StoryModelZip"))
            channel.Info(MessageSensitivity.None,
                $"loaded {what}: {size:N0} bytes, {hashes.Count} story model(s), {info.LoadTime.TotalSeconds:0.000} s");
        return loaded;
    }

    /// <summary>
    /// The story model a pipeline generates with: the last one in it (the DPO model of an SFT → DPO chain), from a
    /// freshly fitted pipeline or one returned by <c>mlContext.Model.Load</c>. Use it to generate with per-call options
    /// (<see cref="Generation.TextGenerator"/>). The model is shared by every component that uses it: do not dispose it.
    /// It stays valid as long as the transformer that owns it (a fitted pipeline, until disposed) or, for a pipeline
    /// loaded from a zip, until <see cref="ReleaseStoryModels"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The transformer holds no HorrorAlign story model.</exception>
    /// <exception cref="InvalidDataException">The stored model is corrupt.</exception>
    public static StoryModel GetStoryModel(this ITransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var payloads = FindPayloads(model);
        if (payloads.Count == 0)
            throw new InvalidOperationException(
                "This transformer holds no HorrorAlign story model (no '" + ModelPayload.Tag + "' payload in any of its " +
                "transformers). Pass a pipeline containing Trainers.Sft, Trainers.Dpo or an explicit-model GenerateStory, " +
                "or the result of loading a zip saved from one.");
        using var lease = StoryModelCache.Acquire(payloads[^1]);
        return lease.Model;
    }

    /// <summary>The hashes of the story models in <paramref name="model"/>, in pipeline order (empty for a foreign model).</summary>
    /// <exception cref="InvalidDataException">A stored model payload is damaged.</exception>
    public static IReadOnlyList<string> GetStoryModelHashes(this ITransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return FindPayloads(model).Select(p => ModelPayload.ReadHash(p.Span)).ToArray();
    }

    /// <summary>
    /// Releases the story models of <paramref name="model"/>, decoded once per process and held internally, freeing
    /// their native memory (once running predictions end). Use it for pipelines returned by <c>mlContext.Model.Load</c>;
    /// fitted pipelines release theirs when disposed. A released pipeline still works: it decodes its models again.
    /// </summary>
    /// <returns>How many models were evicted.</returns>
    public static int ReleaseStoryModels(this ITransformer model) =>
        model.GetStoryModelHashes().Distinct(StringComparer.Ordinal).Count(StoryModelCache.Evict);

    /// <summary>
    /// Binds the loaded pipeline to the input schema saved with it, as a prediction engine would: a zip whose entries
    /// were edited or swapped can load step by step yet not fit together (a step that reads a column no earlier step
    /// writes), which plain ML.NET reports only at <c>CreatePredictionEngine</c> as an ArgumentOutOfRangeException.
    /// </summary>
    static void CheckSteps(ITransformer loaded, DataViewSchema? inputSchema, string what)
    {
        if (inputSchema is null) return; // a zip saved without its input schema: nothing to bind against
        try
        {
            if (loaded.IsRowToRowMapper) _ = loaded.GetRowToRowMapper(inputSchema);
            else _ = loaded.GetOutputSchema(inputSchema);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException(
                $"{what} is a damaged ML.NET model zip: its steps do not fit together ({e.GetType().Name}: {e.Message}); " +
                "an entry was edited, swapped or corrupted after it was saved", e);
        }
    }

    /// <summary>The error for a model with no story model in it; <paramref name="what"/> names the model.</summary>
    internal static InvalidDataException Foreign(string what) => new(
        $"{what} is an ML.NET model but holds no HorrorAlign story model (no '{ModelPayload.Tag}' payload). " +
        "Was it saved from a pipeline with HorrorAlign trainers?");

    // Payloads found per transformer tree (a tree never changes): releasing or reading a model again needs no new walk.
    static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ITransformer, List<ReadOnlyMemory<char>>> Found = new();

    /// <summary>Every model payload in the transformer tree, in pipeline order.</summary>
    internal static List<ReadOnlyMemory<char>> FindPayloads(ITransformer root) => Found.GetValue(root, Search);

    static List<ReadOnlyMemory<char>> Search(ITransformer root)
    {
        var found = new List<ReadOnlyMemory<char>>();
        var probe = new MLContext(seed: 0);
        var key = probe.Data.LoadFromEnumerable([new ModelKeyRow { Key = ModelKeyMapping.KeyValue }]);
        Walk(root);
        return found;

        void Walk(ITransformer t)
        {
            switch (t)
            {
                case StoryTransformerBase typed: Walk(typed.Inner); break;
                case IEnumerable<ITransformer> chain: foreach (var child in chain) Walk(child); break;
                case ValueMappingTransformer map when ReadPayload(map) is { } payload: found.Add(payload); break;
            }
        }

        // A ValueMapping holds a model iff, fed our constant key, it outputs the payload column.
        ReadOnlyMemory<char>? ReadPayload(ValueMappingTransformer map)
        {
            try
            {
                if (map.GetOutputSchema(key.Schema).GetColumnOrNull(InternalColumns.Payload) is null) return null;
            }
            catch (ArgumentOutOfRangeException)
            {
                return null; // it reads another column: not ours
            }
            var output = map.Transform(key);
            var column = output.Schema[InternalColumns.Payload];
            if (column.Type is not TextDataViewType)
                throw new InvalidDataException(
                    $"The HorrorAlign model payload is damaged: its column holds {column.Type}, not text.");
            try
            {
                using var cursor = output.GetRowCursor([column]);
                if (!cursor.MoveNext()) return null;
                ReadOnlyMemory<char> value = default;
                cursor.GetGetter<ReadOnlyMemory<char>>(column)(ref value);
                return value;
            }
            catch (InvalidOperationException e)
            {
                // ML.NET's type checks: the mapping's saved key is not text, so it can never be looked up by ours.
                throw new InvalidDataException($"The HorrorAlign model payload is damaged: its mapping cannot be read ({e.Message}).", e);
            }
        }
    }
}
