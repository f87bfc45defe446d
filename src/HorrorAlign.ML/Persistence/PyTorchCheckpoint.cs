using System.Globalization;
using System.Text.RegularExpressions;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Tokenization;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Persistence;

/// <summary>Options of <see cref="PyTorchCheckpoint.Load"/>.</summary>
public sealed record PyTorchCheckpointOptions
{
    /// <summary>
    /// Attention heads: the one part of the shape that tensor shapes cannot tell. Null (the default) takes it from the
    /// description stored with the weights (safetensors metadata, or a <c>config.json</c> beside a <c>.pt</c> file) and,
    /// when there is none, assumes the original pipeline's <see cref="PyTorchCheckpoint.OriginalHeads"/>.
    /// </summary>
    public int? Heads { get; init; }
}

/// <summary>
/// Checkpoints of the PyTorch world, both ways: <c>torch.save</c> state dicts (<c>.pt</c>, <c>.pth</c>, <c>.bin</c>) and
/// <c>.safetensors</c> files, with the original pipeline's tensor names (<c>token_embedding.weight</c>,
/// <c>blocks.{i}.attn.qkv.weight</c>, …, <c>output_layer.weight</c>). A checkpoint of the original (e.g.
/// <c>transformer_final.pt</c>) loads as it is: its shape is read off its tensors and its vocabulary is full GPT-2.
/// What this project adds is stored under its own names: <c>copy_head.*</c> (the copy head), <c>unseen_embedding</c>
/// and <c>seen_tokens</c> (the unseen-token embedding); a tied model has no <c>output_layer.weight</c>; field tokens are
/// extra rows after the GPT-2 ids. Saving always writes a description of the shape and the vocabulary with the
/// weights, so that the weights alone are never ambiguous.
/// </summary>
public static class PyTorchCheckpoint
{
    /// <summary>The original pipeline's attention heads, assumed when neither the file nor the caller says.</summary>
    public const int OriginalHeads = 8;

    /// <summary>Weights, shape and (when known) vocabulary of a checkpoint; tensors on the CPU, owned by the caller.</summary>
    internal sealed record Contents(GptConfig Config, TokenVocabulary? Vocabulary, Dictionary<string, Tensor> Tensors) : IDisposable
    {
        public void Dispose()
        {
            foreach (var t in Tensors.Values) t.Dispose();
        }
    }

    /// <summary>True when <paramref name="path"/> is a safetensors file or a <c>torch.save</c> zip (by content).</summary>
    public static bool IsCheckpoint(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return File.Exists(path) && (SafeTensors.Looks(path) || PyTorchPickle.Looks(path));
    }

    /// <summary>Loads a model from a <c>.pt</c>/<c>.pth</c>/<c>.bin</c> state dict or a <c>.safetensors</c> file
    /// (recognised by content). The caller owns and disposes the result.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not a checkpoint, or its tensors do not make a model (the message names
    /// the file and the tensor).</exception>
    /// <exception cref="ArgumentException"><see cref="PyTorchCheckpointOptions.Heads"/> does not fit the weights or
    /// contradicts the stored description.</exception>
    public static StoryModel Load(string path, PyTorchCheckpointOptions? options = null)
    {
        using var contents = Read(path, options);
        string what = Describe(path);
        var vocabulary = contents.Vocabulary ?? throw new InvalidDataException(
            $"The {what} has {contents.Config.VocabSize} token rows and no description beside it, so its vocabulary is unknown: " +
            $"without one only the full GPT-2 vocabulary ({Gpt2Tokenizer.VocabSize} rows, or {Gpt2Tokenizer.VocabSize + FieldTokens.Count} with field tokens) " +
            $"can be assumed. Put the {ModelDescription.FileName} that was saved with it beside it.");
        var model = ModelWeights.CreateForLoading(contents.Config);
        try
        {
            ModelWeights.CopyInto(model, contents.Tensors, what);
            model.eval();
            return new StoryModel(model, vocabulary);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The weights of a checkpoint and the shape they make (see <see cref="Load"/>).</summary>
    internal static Contents Read(string path, PyTorchCheckpointOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint not found: {path}", path);
        string what = Describe(path);
        Dictionary<string, Tensor> tensors;
        ModelDescription? description;
        if (SafeTensors.Looks(path))
        {
            (tensors, var metadata) = SafeTensors.Read(path);
            description = metadata.TryGetValue(ModelDescription.FormatName, out var json)
                ? ParseOrDispose(json, $"{what} (its __metadata__.{ModelDescription.FormatName})", tensors)
                : null;
        }
        else if (PyTorchPickle.Looks(path))
        {
            tensors = PyTorchPickle.Read(path);
            string beside = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, ModelDescription.FileName);
            description = File.Exists(beside) ? ParseOrDispose(File.ReadAllText(beside), $"file '{beside}'", tensors) : null;
        }
        else
        {
            throw new InvalidDataException($"The file '{path}' is neither a safetensors file nor a torch.save file.");
        }

        try
        {
            int? heads = options?.Heads;
            if (description is not null)
            {
                if (heads is int h && h != description.Config.NHeads)
                    throw new ArgumentException(
                        $"Heads {h} contradicts the description stored with {what}, which says {description.Config.NHeads}.", nameof(options));
                RequireTensorsMatch(description.Config, tensors, what);
                return new Contents(description.Config, description.ToVocabulary(what), tensors);
            }
            var config = InferConfig(tensors, heads ?? OriginalHeads, what);
            RequireTensorsMatch(config, tensors, what);
            return new Contents(config, DefaultVocabulary(config.VocabSize), tensors);
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
    }

    private static ModelDescription ParseOrDispose(string json, string what, Dictionary<string, Tensor> tensors)
    {
        try
        {
            return ModelDescription.Parse(json, what);
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
    }

    /// <summary>The file's tensors are exactly the config's state dict, checked before a model of it is built: a
    /// config read off names (e.g. 'blocks.100000.*') or a description must not build more than the file holds.</summary>
    private static void RequireTensorsMatch(GptConfig config, Dictionary<string, Tensor> tensors, string what) =>
        StateDictCheck.RequireExact(config, tensors.ToDictionary(kv => kv.Key, kv => kv.Value.shape, StringComparer.Ordinal), what);

    /// <summary>Full GPT-2 (optionally with field tokens) is the only vocabulary a bare size can stand for.</summary>
    private static TokenVocabulary? DefaultVocabulary(int size) =>
        size == Gpt2Tokenizer.VocabSize ? TokenVocabulary.Full
        : size == Gpt2Tokenizer.VocabSize + FieldTokens.Count ? TokenVocabulary.Full.WithFieldTokens()
        : null;

    /// <summary>
    /// The shape that <paramref name="tensors"/> make: vocabulary and width from the token embedding, context from the
    /// position table, blocks by counting, MLP ratio from the first MLP layer, tying from a missing output layer, and the
    /// project's extras from their names. Heads cannot be read off shapes and are given.
    /// </summary>
    internal static GptConfig InferConfig(IReadOnlyDictionary<string, Tensor> tensors, int heads, string what)
    {
        long[] Shape(string name, int rank)
        {
            if (!tensors.TryGetValue(name, out var t))
                throw new InvalidDataException($"The {what} has no tensor '{name}': it is not a model of the original architecture.");
            if (t.dim() != rank)
                throw new InvalidDataException($"The {what}: tensor '{name}' has shape [{string.Join(",", t.shape)}]; a rank-{rank} tensor was expected.");
            return t.shape;
        }

        var embedding = Shape("token_embedding.weight", 2);
        var positions = Shape("pos_embedding.weight", 2);
        // Dimensions come from the file: check them against GptLimits before any arithmetic on them.
        long d = embedding[1];
        if (d is <= 0 or > GptLimits.MaxDModel || embedding[0] is <= 0 or > GptLimits.MaxVocabSize
            || positions[0] is <= 0 or > GptLimits.MaxContextLength || positions[1] != d)
            throw new InvalidDataException(
                $"The {what} implies an invalid config: token_embedding.weight [{string.Join(",", embedding)}] and pos_embedding.weight " +
                $"[{string.Join(",", positions)}] must be [vocabulary ≤ {GptLimits.MaxVocabSize:N0}, d_model ≤ {GptLimits.MaxDModel}] and " +
                $"[context ≤ {GptLimits.MaxContextLength:N0}, d_model].");
        var blockIndex = new Regex(@"^blocks\.(\d{1,9})\.");
        int layers = tensors.Keys.Select(k => blockIndex.Match(k)).Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).DefaultIfEmpty(-1).Max() + 1;
        if (layers == 0) throw new InvalidDataException($"The {what} has no 'blocks.0.*' tensors: it is not a model of the original architecture.");
        if (layers > GptLimits.MaxLayers)
            throw new InvalidDataException($"The {what} implies an invalid config: it names block {layers - 1}, beyond the {GptLimits.MaxLayers}-layer limit.");
        long hidden = Shape("blocks.0.ff.net.0.weight", 2)[0];
        if (hidden <= 0 || hidden % d != 0 || hidden / d > GptLimits.MaxMlpRatio)
            throw new InvalidDataException(
                $"The {what}: the MLP width {hidden} is not a multiple of d_model {d} up to {GptLimits.MaxMlpRatio} × d_model.");
        if (heads <= 0 || d % heads != 0)
            throw new ArgumentException($"Heads {heads} must be positive and divide d_model {d} (read from {what}).", nameof(heads));

        var config = new GptConfig
        {
            VocabSize = (int)embedding[0],
            DModel = (int)d,
            NHeads = heads,
            NLayers = layers,
            MlpRatio = (int)(hidden / d),
            ContextLength = (int)positions[0],
            TieEmbeddings = !tensors.ContainsKey("output_layer.weight"),
            CopyHead = tensors.Keys.Any(k => k.StartsWith("copy_head.", StringComparison.Ordinal)),
            UnseenTokenEmbedding = tensors.ContainsKey("unseen_embedding"),
            // Same maths as the explicit softmax, fewer native calls (the original's dropout 0.1 stays for training).
            FusedAttention = true,
        };
        try { config.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"The {what} implies an invalid config: {e.Message}", e); }
        return config;
    }

    /// <summary>
    /// Saves <paramref name="model"/> for PyTorch, by extension: <c>.safetensors</c> (the description in its
    /// <c>__metadata__</c>), or <c>.pt</c>/<c>.pth</c>/<c>.bin</c> (a bare state dict, as <c>torch.save(model.state_dict())</c>
    /// writes, with the description as <c>config.json</c> in the same folder). float32, atomic writes.
    /// </summary>
    /// <exception cref="ArgumentException">An extension other than those.</exception>
    public static void Save(StoryModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        string json = ModelDescription.Of(model.Config, model.Vocabulary).ToJson();
        var tensors = model.Model.state_dict();
        switch (Path.GetExtension(path).ToLowerInvariant())
        {
            case ".safetensors":
                AtomicFile.Write(path, s => SafeTensors.Write(s, tensors, new Dictionary<string, string> { [ModelDescription.FormatName] = json }));
                break;
            case ".pt" or ".pth" or ".bin":
                AtomicFile.Write(path, s => PyTorchPickle.Write(s, tensors));
                AtomicFile.WriteAllText(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, ModelDescription.FileName), json);
                break;
            default:
                throw new ArgumentException($"Cannot tell the checkpoint format of '{path}': use .safetensors, .pt, .pth or .bin.", nameof(path));
        }
    }

    private static string Describe(string path) => $"checkpoint '{path}'";
}
