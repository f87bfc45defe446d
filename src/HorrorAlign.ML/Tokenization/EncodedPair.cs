namespace HorrorAlign.ML.Tokenization;

/// <summary>A tokenized preference pair sharing one prompt.</summary>
/// <param name="Chosen">The preferred completion.</param>
/// <param name="Rejected">The less preferred completion.</param>
internal sealed record EncodedPair(EncodedExample Chosen, EncodedExample Rejected);
