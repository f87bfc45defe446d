using HorrorAlign.ML.Modeling;

namespace HorrorAlign.ML.Samples.Bench;

/// <summary>
/// Model FLOPs of one training step (forward + backward), the numerator of model-FLOP utilisation:
/// <code>
///   6 · N_blocks · tokens            transformer body: 2 FLOPs per weight per token forward, 4 backward
/// + 6 · d_model · V · supervised     output layer, which runs only at supervised positions (CompletionLoss.Compute)
/// + 12 · L · T · d_model · tokens    attention scores and weighted sum (PaLM's count, causal half not discounted)
/// </code>
/// N_blocks = parameters of the decoder blocks (embeddings, final norm and output layer excluded); tokens = B·T
/// positions of the padded batch; supervised = positions whose next token is a target. Elementwise work (norms, GELU,
/// softmax, dropout, AdamW) is not counted: MFU measures how close the step gets to pure matrix-multiply speed.
/// </summary>
internal static class ModelFlops
{
    /// <summary>The formula as printed under the table.</summary>
    public const string Formula = "MFU = (6·N_blocks·tokens + 6·d·V·supervised + 12·L·T·d·tokens) / step_time / GEMM FLOP/s";

    /// <summary>Parameters of the decoder blocks only (state-dict keys "blocks.*").</summary>
    public static long BlockParameters(GptModel model) =>
        model.named_parameters().Where(p => p.name.StartsWith("blocks.", StringComparison.Ordinal)).Sum(p => p.parameter.numel());

    /// <summary>FLOPs of one forward+backward over a [batch, width] batch with <paramref name="supervised"/> head positions.</summary>
    public static double TrainingStep(GptConfig config, long blockParameters, long batch, long width, long supervised)
    {
        double tokens = (double)batch * width;
        return 6.0 * blockParameters * tokens
             + 6.0 * config.DModel * config.VocabSize * supervised
             + 12.0 * config.NLayers * width * config.DModel * tokens;
    }
}
