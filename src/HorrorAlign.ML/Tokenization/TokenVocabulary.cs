namespace HorrorAlign.ML.Tokenization;

// CONTRACT STUB (owned by the tokenization helper).
/// <summary>
/// The model's id space: either full GPT-2 (50257 ids) or a compact dense map of the GPT-2 ids seen in a corpus plus
/// the 256 single-byte tokens, so that any text still encodes and decodes losslessly.
/// </summary>
public sealed class TokenVocabulary
{
    /// <summary>Full GPT-2 vocabulary: model id == GPT-2 id.</summary>
    public static TokenVocabulary Full => throw new NotImplementedException();
    /// <summary>Builds a compact vocabulary covering the GPT-2 ids of <paramref name="corpus"/>.</summary>
    public static TokenVocabulary BuildCompact(IEnumerable<string> corpus) => throw new NotImplementedException();
    /// <summary>Restores a compact vocabulary from its GPT-2 id list (model id i ↔ gpt2Ids[i]).</summary>
    public static TokenVocabulary FromGpt2Ids(IReadOnlyList<int> gpt2Ids) => throw new NotImplementedException();
    /// <summary>Number of model ids (embedding rows).</summary>
    public int Size => throw new NotImplementedException();
    /// <summary>True for a compact map.</summary>
    public bool IsCompact => throw new NotImplementedException();
    /// <summary>Model id of the end-of-text token.</summary>
    public int EosId => throw new NotImplementedException();
    /// <summary>For compact vocabularies, the GPT-2 id of each model id; null for the full vocabulary.</summary>
    public IReadOnlyList<int>? Gpt2Ids => throw new NotImplementedException();
    /// <summary>Encodes text to model ids. Never produces EOS from text (a literal "&lt;|endoftext|&gt;" stays text).</summary>
    public int[] Encode(string text) => throw new NotImplementedException();
    /// <summary>Decodes model ids to text (EOS decodes to nothing; invalid UTF-8 becomes U+FFFD only if ids split a character).</summary>
    public string Decode(ReadOnlySpan<int> ids) => throw new NotImplementedException();
}
