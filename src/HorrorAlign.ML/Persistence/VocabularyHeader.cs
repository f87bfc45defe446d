using System.Text.Json.Serialization;
using HorrorAlign.ML.Tokenization;

namespace HorrorAlign.ML.Persistence;

/// <summary>"gpt2" (model id == GPT-2 id) or "gpt2-compact" with the GPT-2 id of every model id; then
/// <c>fieldTokens</c> field-token ids (absent in files without them, which therefore read as before).</summary>
internal sealed record VocabularyHeader(string Kind, int Size, int[]? Gpt2Ids,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int FieldTokens = 0)
{
    public static VocabularyHeader From(TokenVocabulary v) =>
        v.IsCompact ? new("gpt2-compact", v.Size, v.Gpt2Ids!.ToArray(), v.FieldTokenCount) : new("gpt2", v.Size, null, v.FieldTokenCount);

    public TokenVocabulary ToVocabulary(string what)
    {
        TokenVocabulary v;
        try
        {
            v = Kind switch
            {
                "gpt2" => TokenVocabulary.Full,
                "gpt2-compact" => TokenVocabulary.FromGpt2Ids(
                    Gpt2Ids ?? throw new InvalidDataException($"The {what}: a compact vocabulary needs the GPT-2 id of every model id (gpt2Ids / gpt2_ids).")),
                _ => throw new InvalidDataException($"The {what} has unknown vocabulary kind '{Kind}'."),
            };
            if (FieldTokens == Tokenization.FieldTokens.Count) v = v.WithFieldTokens();
            else if (FieldTokens != 0)
                throw new InvalidDataException(
                    $"The {what} has {FieldTokens} field tokens; this version knows {Tokenization.FieldTokens.Count} (or none).");
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"The {what} has an invalid compact vocabulary: {e.Message}", e);
        }
        if (v.Size != Size)
            throw new InvalidDataException($"The {what}: vocabulary says {Size} ids but lists {v.Size}.");
        return v;
    }
}
