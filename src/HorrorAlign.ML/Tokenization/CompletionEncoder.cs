using HorrorAlign.ML.Data;

namespace HorrorAlign.ML.Tokenization;

/// <summary>
/// Encodes prompt/response examples with exact completion boundaries (original policy: EOS appended and supervised;
/// long responses cut and EOS re-appended; the prompt left-truncated to fit). Prompt and response go through
/// <see cref="StoryCodec"/>, so spec values become field tokens when the vocabulary has them.
/// </summary>
/// <remarks>
/// Prompt and response are encoded SEPARATELY and the boundary is the length of the kept prompt ids, so the mask can
/// never drift from the tokens (the original poster's diagnosed failure). Because BPE never merges across the two
/// pieces, a prompt ending in "Story:\n" keeps "\n" as its last token and the story starts on a fresh token.
/// One deliberate difference from the original: a response is cut to at most <c>maxTokens - 2</c> tokens (plus EOS)
/// when the prompt is not empty, so at least one prompt token remains and the first response token has a position
/// that predicts it.
/// </remarks>
internal sealed class CompletionEncoder
{
    /// <summary>Creates an encoder for a vocabulary and maximum total length.</summary>
    /// <param name="vocabulary">The model's id space.</param>
    /// <param name="maxTokens">Most ids per example (prompt + response + EOS); at least 2.</param>
    /// <param name="promptOverflow">What to do when an example does not fit.</param>
    public CompletionEncoder(TokenVocabulary vocabulary, int maxTokens, PromptOverflow promptOverflow = PromptOverflow.TruncateLeft)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (maxTokens < 2)
            throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens, "maxTokens must be at least 2 (one prompt token and EOS).");
        if (!Enum.IsDefined(promptOverflow))
            throw new ArgumentOutOfRangeException(nameof(promptOverflow), promptOverflow, "Unknown PromptOverflow value.");
        Vocabulary = vocabulary;
        MaxTokens = maxTokens;
        PromptOverflow = promptOverflow;
    }

    /// <summary>The id space examples are encoded into.</summary>
    public TokenVocabulary Vocabulary { get; }

    /// <summary>Most ids per example.</summary>
    public int MaxTokens { get; }

    /// <summary>The overflow policy.</summary>
    public PromptOverflow PromptOverflow { get; }

    /// <summary>Encodes one SFT example.</summary>
    public EncodedExample Encode(string prompt, string response)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(response);
        var codec = StoryCodec.For(Vocabulary, prompt);
        return Join(codec.EncodePrompt(), codec.EncodeStory(response));
    }

    /// <summary>Encodes an SFT row: its prompt and its response.</summary>
    public EncodedExample Encode(SftExample example)
    {
        ArgumentNullException.ThrowIfNull(example);
        return Encode(example.Prompt, example.Response);
    }

    /// <summary>Encodes a preference pair (the prompt is tokenized once; each side is fitted to the limit on its own).</summary>
    public EncodedPair EncodePair(PreferencePair pair)
    {
        ArgumentNullException.ThrowIfNull(pair);
        return EncodePair(pair.Prompt, pair.Chosen, pair.Rejected);
    }

    /// <summary>Encodes a preference pair (the prompt is tokenized once; each side is fitted to the limit on its own).</summary>
    public EncodedPair EncodePair(string prompt, string chosen, string rejected)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(chosen);
        ArgumentNullException.ThrowIfNull(rejected);
        var codec = StoryCodec.For(Vocabulary, prompt);
        int[] promptIds = codec.EncodePrompt();
        return new EncodedPair(Join(promptIds, codec.EncodeStory(chosen)), Join(promptIds, codec.EncodeStory(rejected)));
    }

    /// <summary>
    /// Joins separately encoded pieces: the TAIL of the prompt ids, the HEAD of the response ids, then EOS.
    /// </summary>
    private EncodedExample Join(int[] prompt, int[] response)
    {
        int promptKeep, responseKeep;
        if (PromptOverflow == PromptOverflow.Throw)
        {
            int needed = prompt.Length + Math.Min(response.Length, 1) + 1;
            if (needed > MaxTokens)
                throw new ArgumentException(
                    $"The prompt is {prompt.Length} tokens; with at least one response token and EOS the example needs {needed} tokens, " +
                    $"but the limit is {MaxTokens} (the response has {response.Length} tokens). Shorten the prompt, raise the limit, " +
                    $"or use {nameof(PromptOverflow)}.{nameof(PromptOverflow.TruncateLeft)}.",
                    "prompt");
            promptKeep = prompt.Length;
            responseKeep = Math.Min(response.Length, MaxTokens - promptKeep - 1);
        }
        else
        {
            // The response keeps priority (as in the original) but leaves one position for the prompt when there is one.
            int reserveForPrompt = prompt.Length > 0 ? 1 : 0;
            responseKeep = Math.Min(response.Length, MaxTokens - 1 - reserveForPrompt);
            promptKeep = Math.Min(prompt.Length, MaxTokens - responseKeep - 1);
        }

        var ids = new int[promptKeep + responseKeep + 1];
        prompt.AsSpan(prompt.Length - promptKeep).CopyTo(ids);
        response.AsSpan(0, responseKeep).CopyTo(ids.AsSpan(promptKeep));
        ids[^1] = Vocabulary.EosId;
        return new EncodedExample(ids, promptKeep)
        {
            PromptTokensDropped = prompt.Length - promptKeep,
            ResponseTokensDropped = response.Length - responseKeep,
        };
    }
}
