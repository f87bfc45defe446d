namespace HorrorAlign.ML.Generation;

/// <summary>Why token generation ended.</summary>
public enum GenerationStopReason
{
    /// <summary>The model produced the end-of-text token (not included in the output).</summary>
    EndOfText,
    /// <summary>The stop condition (e.g. a stop string) matched.</summary>
    StopCondition,
    /// <summary><see cref="SamplingOptions.MaxNewTokens"/> were generated.</summary>
    MaxNewTokens,
    /// <summary>Prompt plus generated tokens filled the model's context; generation stopped cleanly.</summary>
    ContextFull,
}
