namespace HorrorAlign.ML.Tokenization;

/// <summary>
/// One tokenized prompt+completion: ids and the index of the first response token. The boundary is recorded with the
/// ids, never recomputed from text, so the loss mask and the tokens cannot disagree.
/// </summary>
/// <param name="Ids">Prompt ids, then response ids, then EOS.</param>
/// <param name="LossStart">Index of the first supervised (response) token; 0 ≤ LossStart ≤ Ids.Length.</param>
internal sealed record EncodedExample(int[] Ids, int LossStart)
{
    /// <summary>Prompt ids, then response ids, then EOS.</summary>
    public int[] Ids { get; } = Ids ?? throw new ArgumentNullException(nameof(Ids));

    /// <summary>Index of the first supervised (response) token.</summary>
    public int LossStart { get; } = (uint)LossStart <= (uint)(Ids?.Length ?? 0)
        ? LossStart
        : throw new ArgumentOutOfRangeException(nameof(LossStart), LossStart, $"LossStart must lie in 0..{Ids?.Length ?? 0} (the number of ids).");

    /// <summary>Prompt tokens dropped from the start of the prompt to fit the limit (0 when it fit).</summary>
    public int PromptTokensDropped { get; init; }

    /// <summary>Response tokens dropped from the end of the response to fit the limit (0 when it fit).</summary>
    public int ResponseTokensDropped { get; init; }

    /// <summary>Number of supervised tokens (response tokens plus EOS).</summary>
    public int SupervisedCount => Ids.Length - LossStart;

    /// <summary>1 for supervised target tokens (index ≥ LossStart), else 0; same length as Ids (a new array per call).</summary>
    public float[] LossMask
    {
        get
        {
            var mask = new float[Ids.Length];
            mask.AsSpan(LossStart).Fill(1f);
            return mask;
        }
    }
}
