namespace HorrorAlign.ML.Generation;

/// <summary>The new tokens of one generated sequence (prompt and EOS excluded) and why generation ended.</summary>
/// <param name="Tokens">Generated model ids in order.</param>
/// <param name="StopReason">Why generation ended.</param>
public sealed record GenerationResult(IReadOnlyList<int> Tokens, GenerationStopReason StopReason);
