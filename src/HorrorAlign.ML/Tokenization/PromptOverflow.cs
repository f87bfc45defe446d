namespace HorrorAlign.ML.Tokenization;

/// <summary>What <see cref="CompletionEncoder"/> does when a prompt and its response do not fit the token limit.</summary>
internal enum PromptOverflow
{
    /// <summary>
    /// The original policy: the response (with EOS) keeps priority and the prompt loses tokens from its START, so the
    /// tokens nearest the response (e.g. "Story:\n") survive.
    /// </summary>
    TruncateLeft = 0,

    /// <summary>
    /// Never drop prompt tokens: throw when the whole prompt plus one response token and EOS does not fit; otherwise
    /// only the response is cut.
    /// </summary>
    Throw = 1,
}
