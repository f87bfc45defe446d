using HorrorAlign.ML.Modeling;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Losses;

/// <summary>
/// Completion-only language-model losses. Convention (golden sft_loss.json): logits at position t predict token t+1;
/// lossMask[b,t] = 1 marks tokens supervised as TARGETS (response tokens and EOS), so target t uses logits t-1.
/// lossMask[:,0] is ignored (nothing predicts the first token). Padding is simply mask 0.
/// </summary>
internal static class CompletionLoss
{
    /// <summary>Masked next-token cross-entropy, token mean over the whole batch. logits [B,T,V], ids [B,T] int64, lossMask [B,T] float.</summary>
    /// <remarks>A batch without any supervised token gives 0 (not NaN).</remarks>
    public static Tensor MaskedCrossEntropy(Tensor logits, Tensor ids, Tensor lossMask)
    {
        var (targetLogProbs, mask) = FullTargetLogProbs(logits, ids, lossMask);
        return -(targetLogProbs * mask).sum() / mask.sum().clamp_min(1);
    }

    /// <summary>Per-row sum of target log-probs over supervised targets → [B] (what DPO uses).</summary>
    public static Tensor SequenceLogProbs(Tensor logits, Tensor ids, Tensor lossMask)
    {
        var (targetLogProbs, mask) = FullTargetLogProbs(logits, ids, lossMask);
        return (targetLogProbs * mask).sum(-1);
    }

    /// <summary>
    /// The fast path: runs the body once and the output layer ONLY at positions whose next token is supervised.
    /// Returns per-row summed log-probs [B] and per-row supervised token counts [B] (float).
    /// Numerically equal to <see cref="SequenceLogProbs"/> over <c>model.forward(ids)</c>.
    /// </summary>
    public static CompletionLogProbs Compute(GptModel model, Tensor ids, Tensor lossMask)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckShapes(ids, lossMask);
        var device = model.WeightsDevice; // batches are made on the CPU; the model may live on a GPU (ComputeDevice)
        (ids, lossMask) = (ids.On(device), lossMask.On(device));
        long b = ids.shape[0], t = ids.shape[1];
        var prompts = PromptLengths(lossMask);                         // a copy head copies from the prompt only
        var hidden = model.ForwardHidden(ids, null, prompts);          // [B,T,D]
        var targetMask = lossMask[.., 1..].to_type(hidden.dtype);     // [B,T-1]: target t+1 predicted at position t

        // Supervised (row, predicting position) pairs; flat index row·T + position into the [B·T, D] hidden rows.
        var pairs = (targetMask != 0).nonzero();                      // [N,2]
        var rows = pairs[.., 0];
        var positions = pairs[.., 1];
        var flat = rows * t + positions;
        var targets = ids.reshape(-1).index_select(0, flat + 1);       // token at position+1 of the same row
        var weights = targetMask.reshape(-1).index_select(0, rows * (t - 1) + positions);

        // The head at N positions only (and the copy head's mixture, when the model has one, copying from the prompt:
        // the tokens before each row's first supervised target).
        var targetLogProbs = model.TargetLogProbs(hidden, ids, flat, targets, prompts) * weights;
        var sums = zeros(b, dtype: targetLogProbs.dtype, device: targetLogProbs.device).index_add(0, rows, targetLogProbs, 1);
        return new CompletionLogProbs(sums, targetMask.sum(-1));
    }

    /// <summary>
    /// Per-row prompt length [B] int64: the index of the first supervised target (lossMask[:,0] is ignored, so a row
    /// supervised from token 1 has a 1-token prompt; a row without any target gets T).
    /// </summary>
    public static Tensor PromptLengths(Tensor lossMask)
    {
        ArgumentNullException.ThrowIfNull(lossMask);
        long t = lossMask.shape[1];
        var supervised = lossMask[.., 1..].ne(0);
        var first = supervised.to_type(ScalarType.Int64).argmax(1) + 1;
        return where(supervised.any(1), first, full_like(first, t));
    }

    /// <summary>log p(target) at every position of the full logits, and the target mask (both [B,T-1]).</summary>
    private static (Tensor TargetLogProbs, Tensor Mask) FullTargetLogProbs(Tensor logits, Tensor ids, Tensor lossMask)
    {
        ArgumentNullException.ThrowIfNull(logits);
        CheckShapes(ids, lossMask);
        if (logits.dim() != 3 || logits.shape[0] != ids.shape[0] || logits.shape[1] != ids.shape[1])
            throw new ArgumentException($"logits must be [B,T,V] matching ids [{string.Join(", ", ids.shape)}]; got [{string.Join(", ", logits.shape)}].", nameof(logits));
        var logProbs = logits[.., ..^1].log_softmax(-1);
        var targets = ids[.., 1..].unsqueeze(-1);
        var targetLogProbs = logProbs.gather(-1, targets).squeeze(-1);
        return (targetLogProbs, lossMask[.., 1..].to_type(targetLogProbs.dtype));
    }

    private static void CheckShapes(Tensor ids, Tensor lossMask)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(lossMask);
        if (ids.dim() != 2) throw new ArgumentException($"ids must be [B,T]; got [{string.Join(", ", ids.shape)}].", nameof(ids));
        if (!ids.shape.SequenceEqual(lossMask.shape))
            throw new ArgumentException($"lossMask [{string.Join(", ", lossMask.shape)}] must have the shape of ids [{string.Join(", ", ids.shape)}].", nameof(lossMask));
        if (ids.shape[1] < 2) throw new ArgumentException("Sequences need at least 2 tokens to have a next-token target.", nameof(ids));
    }
}

/// <summary>Per-row summed completion log-probs and the number of supervised tokens per row.</summary>
/// <param name="SumLogProbs">[B] sum over supervised targets of log p(target).</param>
/// <param name="TokenCounts">[B] number (sum of mask weights) of supervised targets.</param>
internal readonly record struct CompletionLogProbs(Tensor SumLogProbs, Tensor TokenCounts)
{
    /// <summary>SFT loss: negative log-likelihood per supervised token over the whole batch (the token mean; 0 for an empty batch).</summary>
    public Tensor MeanNegativeLogLikelihood() => -SumLogProbs.sum() / TokenCounts.sum().clamp_min(1);
}
