using System.Text.Json;
using System.Text.Json.Serialization;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Tokenization;

namespace HorrorAlign.ML.Persistence;

/// <summary>
/// What makes a bare weights file unambiguous outside this project's own model format: the decoder's shape and the
/// vocabulary, as one snake_case JSON object (Python reads it as is). It travels as a safetensors file's
/// <c>__metadata__["horroralign"]</c>, or as a <c>config.json</c> beside a <c>.pt</c> file:
/// <code>
/// {"format": "horroralign", "version": 1,
///  "config": {"vocab_size": …, "d_model": …, "n_heads": …, "n_layers": …, "mlp_ratio": …, "context_length": …, "dropout": …,
///             "tie_embeddings": …, "fused_attention": …, "copy_head": …, "unseen_token_embedding": …},
///  "vocabulary": {"kind": "gpt2" | "gpt2-compact", "size": …, "gpt2_ids": [model id → GPT-2 id] | null, "field_tokens": …}}
/// </code>
/// </summary>
internal sealed record ModelDescription(string Format, int Version, GptConfig Config, VocabularyHeader Vocabulary)
{
    /// <summary>The <c>format</c> value, and the safetensors metadata key.</summary>
    public const string FormatName = "horroralign";

    /// <summary>The file name beside a <c>.pt</c> file.</summary>
    public const string FileName = "config.json";

    /// <summary>Newest version this code writes and reads.</summary>
    public const int CurrentVersion = 1;

    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        IgnoreReadOnlyProperties = true, // GptConfig's computed widths are not state
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    /// <summary>The description of a model.</summary>
    public static ModelDescription Of(GptConfig config, TokenVocabulary vocabulary) =>
        new(FormatName, CurrentVersion, config, VocabularyHeader.From(vocabulary));

    /// <summary>The JSON text.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, s_json);

    /// <summary>Reads the JSON text; <paramref name="what"/> names its source in errors.</summary>
    /// <exception cref="InvalidDataException">Not JSON, another format, a newer version, or a missing or invalid field.</exception>
    public static ModelDescription Parse(string json, string what)
    {
        ModelDescription? d;
        try
        {
            d = JsonSerializer.Deserialize<ModelDescription>(json, s_json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The {what} is not a readable model description: {e.Message}", e);
        }
        if (d is null) throw new InvalidDataException($"The {what} is empty.");
        if (d.Format != FormatName) throw new InvalidDataException($"The {what} has format '{d.Format}', not '{FormatName}'.");
        if (d.Version is < 1 or > CurrentVersion)
            throw new InvalidDataException($"The {what} has version {d.Version}; this version of HorrorAlign.ML reads 1..{CurrentVersion}.");
        if (d.Config is null) throw new InvalidDataException($"The {what} lacks 'config'.");
        if (d.Vocabulary is null) throw new InvalidDataException($"The {what} lacks 'vocabulary'.");
        try { d.Config.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"The {what} has an invalid config: {e.Message}", e); }
        return d;
    }

    /// <summary>The vocabulary, checked against the config's size.</summary>
    public TokenVocabulary ToVocabulary(string what)
    {
        var vocabulary = Vocabulary.ToVocabulary(what);
        if (vocabulary.Size != Config.VocabSize)
            throw new InvalidDataException($"The {what} is inconsistent: its vocabulary has {vocabulary.Size} ids but config.vocab_size is {Config.VocabSize}.");
        return vocabulary;
    }
}
