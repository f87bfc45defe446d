namespace HorrorAlign.ML.Training;

/// <summary>One prompt/response example for SFT.</summary>
/// <param name="Prompt">The full prompt text (the model reads it but is not trained to produce it).</param>
/// <param name="Response">The completion the model learns to write; end-of-text is appended when encoding.</param>
public sealed record SftSample(string Prompt, string Response);

/// <summary>One preference pair for DPO.</summary>
/// <param name="Prompt">The prompt both responses answer.</param>
/// <param name="Chosen">The preferred response.</param>
/// <param name="Rejected">The dispreferred response.</param>
public sealed record PreferenceSample(string Prompt, string Chosen, string Rejected);
