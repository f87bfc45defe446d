using HorrorAlign.ML.Modeling;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Losses;

// CONTRACT STUB (owned by the model helper).
/// <summary>
/// Completion-only language-model losses. Convention (golden sft_loss.json): logits at position t predict token t+1;
/// lossMask[b,t] = 1 marks tokens supervised as TARGETS (response tokens and EOS), so target t uses logits t-1.
/// </summary>
public static class CompletionLoss
{
    /// <summary>Masked next-token cross-entropy, token mean over the whole batch. logits [B,T,V], ids [B,T] int64, lossMask [B,T] float.</summary>
    public static Tensor MaskedCrossEntropy(Tensor logits, Tensor ids, Tensor lossMask) => throw new NotImplementedException();

    /// <summary>Per-row sum of target log-probs over supervised targets → [B] (what DPO uses).</summary>
    public static Tensor SequenceLogProbs(Tensor logits, Tensor ids, Tensor lossMask) => throw new NotImplementedException();

    /// <summary>
    /// The fast path: runs the body once and the output layer ONLY at positions whose next token is supervised.
    /// Returns per-row summed log-probs [B] and per-row supervised token counts [B] (float).
    /// </summary>
    public static CompletionLogProbs Compute(GptModel model, Tensor ids, Tensor lossMask) => throw new NotImplementedException();
}

/// <summary>Per-row summed completion log-probs and the number of supervised tokens per row.</summary>
public readonly record struct CompletionLogProbs(Tensor SumLogProbs, Tensor TokenCounts);
