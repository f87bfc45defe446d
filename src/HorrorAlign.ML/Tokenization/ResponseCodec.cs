using HorrorAlign.ML.Specs;

namespace HorrorAlign.ML.Tokenization;

/// <summary>
/// The response side of one prompt: story text ↔ model ids. With a vocabulary that has field tokens and a prompt that
/// is a story spec, values in the story become field tokens on the way in (<see cref="FieldTokens.Delexicalize"/>)
/// and field tokens become the exact values on the way out (<see cref="FieldTokens.Expand"/>); otherwise plain text.
/// Training, generation and repair all go through here, so a story is encoded the same way everywhere.
/// </summary>
public sealed class ResponseCodec
{
    private ResponseCodec(TokenVocabulary vocabulary, StorySpec? spec)
    {
        Vocabulary = vocabulary;
        Spec = spec;
    }

    /// <summary>The codec of <paramref name="prompt"/>'s responses.</summary>
    public static ResponseCodec For(TokenVocabulary vocabulary, string prompt)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(prompt);
        StorySpec? spec = null;
        if (vocabulary.HasFieldTokens) StorySpec.TryFromPrompt(prompt, out spec);
        return new ResponseCodec(vocabulary, spec);
    }

    /// <summary>The id space.</summary>
    public TokenVocabulary Vocabulary { get; }

    /// <summary>The spec whose values field tokens stand for; null when responses are plain text (no field tokens in
    /// the vocabulary, or a prompt that is not a story spec: field tokens must then not be generated).</summary>
    public StorySpec? Spec { get; }

    /// <summary>True when responses are written with field tokens.</summary>
    public bool UsesFieldTokens => Spec is not null;

    /// <summary>Encodes a story (literal text).</summary>
    public int[] Encode(string response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return Spec is null ? Vocabulary.Encode(response) : Vocabulary.EncodeResponse(FieldTokens.Delexicalize(Spec, response, out _));
    }

    /// <summary>Decodes response ids to the text a reader sees: field tokens expanded (or dropped when there is no spec).</summary>
    public string Decode(ReadOnlySpan<int> ids) => ToText(Vocabulary.Decode(ids));

    /// <summary>Turns decoded text (field markers included) into the text a reader sees.</summary>
    public string ToText(string decoded) => Spec is null ? FieldTokens.Strip(decoded) : FieldTokens.Expand(Spec, decoded);
}
