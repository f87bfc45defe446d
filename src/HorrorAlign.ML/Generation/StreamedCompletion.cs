namespace HorrorAlign.ML.Generation;

/// <summary>How a streamed completion went, known once its stream ends: the figures a chat response reports as usage.</summary>
internal sealed class StreamedCompletion
{
    /// <summary>Tokens of the prompt.</summary>
    public int PromptTokens { get; private set; }

    /// <summary>Tokens generated (EOS not counted).</summary>
    public int Tokens { get; private set; }

    /// <summary>Why generation ended; null until the stream has ended (or when it was cancelled).</summary>
    public GenerationStopReason? StopReason { get; private set; }

    internal void Set(int promptTokens, int tokens, GenerationStopReason stopReason)
    {
        PromptTokens = promptTokens;
        Tokens = tokens;
        StopReason = stopReason;
    }
}
