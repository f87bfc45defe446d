using System.Runtime.CompilerServices;
using HorrorAlign.ML.Specs;

namespace HorrorAlign.ML.Tokenization;

/// <summary>
/// How one prompt and its stories become model ids. With a vocabulary that has field tokens and a prompt that is a
/// story spec, every spec value is a field token: in the prompt, each value the model reads is its field's token (the
/// model sees the same prompt whatever the user wrote, so no unusual value can throw it off), and in a story each
/// occurrence of a value becomes the token of its form (<see cref="FieldTokens.Delexicalize"/>) and comes back out as
/// the exact value text (<see cref="FieldTokens.Expand"/>). Otherwise, plain text. Training, generation, evaluation
/// and repair all go through here, so a story is encoded the same way everywhere.
/// </summary>
internal sealed class StoryCodec
{
    private StoryCodec(TokenVocabulary vocabulary, string prompt, StorySpec? spec)
    {
        Vocabulary = vocabulary;
        Prompt = prompt;
        Spec = spec;
    }

    /// <summary>The codec of <paramref name="prompt"/> and its stories.</summary>
    /// <exception cref="SpecValidationException">The prompt has the spec format but a value is invalid; names the field.</exception>
    public static StoryCodec For(TokenVocabulary vocabulary, string prompt)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(prompt);
        StorySpec? spec = null;
        if (vocabulary.HasFieldTokens) StorySpec.TryFromPrompt(prompt, out spec);
        return new StoryCodec(vocabulary, prompt, spec);
    }

    /// <summary>The id space.</summary>
    public TokenVocabulary Vocabulary { get; }

    /// <summary>The prompt, as given.</summary>
    public string Prompt { get; }

    /// <summary>The spec whose values field tokens stand for; null when everything is plain text (no field tokens in
    /// the vocabulary, or a prompt that is not a story spec: field tokens must then not be generated).</summary>
    public StorySpec? Spec { get; }

    /// <summary>True when the prompt and its stories are written with field tokens.</summary>
    public bool UsesFieldTokens => Spec is not null;

    /// <summary>Encodes the prompt (a spec prompt as the model reads it: <see cref="FieldTokens.PromptTemplate"/>).</summary>
    public int[] EncodePrompt() => Spec is null ? Vocabulary.Encode(Prompt) : [.. s_templateIds.GetValue(Vocabulary, v => v.EncodeResponse(FieldTokens.PromptTemplate))];

    // Every spec prompt reads the same to a field-token model: its ids are computed once per vocabulary.
    private static readonly ConditionalWeakTable<TokenVocabulary, int[]> s_templateIds = new();

    /// <summary>Encodes a story (literal text).</summary>
    public int[] EncodeStory(string story)
    {
        ArgumentNullException.ThrowIfNull(story);
        return Spec is null ? Vocabulary.Encode(story) : Vocabulary.EncodeResponse(FieldTokens.Delexicalize(Spec, story, out _));
    }

    /// <summary>Decodes story ids to the text a reader sees: field tokens expanded (or dropped when there is no spec).</summary>
    public string DecodeStory(ReadOnlySpan<int> ids) => ToText(Vocabulary.Decode(ids));

    /// <summary>Turns decoded text (field markers included) into the text a reader sees.</summary>
    public string ToText(string decoded) => Spec is null ? FieldTokens.Strip(decoded) : FieldTokens.Expand(Spec, decoded);
}
