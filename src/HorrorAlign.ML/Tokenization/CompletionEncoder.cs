namespace HorrorAlign.ML.Tokenization;

// CONTRACT STUB (owned by the tokenization helper).
/// <summary>One tokenized prompt+completion: ids, the index of the first response token and the loss mask.</summary>
public sealed record EncodedExample(int[] Ids, int LossStart)
{
    /// <summary>1 for supervised target tokens (index ≥ LossStart), else 0; same length as Ids.</summary>
    public float[] LossMask => throw new NotImplementedException();
}

/// <summary>A tokenized preference pair sharing one prompt.</summary>
public sealed record EncodedPair(EncodedExample Chosen, EncodedExample Rejected);

/// <summary>Encodes prompt/response examples with exact completion boundaries (original policy: EOS appended and
/// supervised; long responses cut and EOS re-appended; the prompt left-truncated to fit).</summary>
public sealed class CompletionEncoder
{
    /// <summary>Creates an encoder for a vocabulary and maximum total length.</summary>
    public CompletionEncoder(TokenVocabulary vocabulary, int maxTokens) => throw new NotImplementedException();
    /// <summary>Encodes one SFT example.</summary>
    public EncodedExample Encode(string prompt, string response) => throw new NotImplementedException();
    /// <summary>Encodes a preference pair.</summary>
    public EncodedPair EncodePair(string prompt, string chosen, string rejected) => throw new NotImplementedException();
}
