using HorrorAlign.ML.Losses;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Tokenization;

namespace HorrorAlign.ML.Training;

/// <summary>
/// SFT: completion-only next-token cross-entropy. The summed loss is −Σ log p(target) over supervised tokens, so the
/// trainer's division by the token count gives the token mean over the whole effective batch (the original's
/// definition), independent of how it was split into micro-batches.
/// </summary>
internal sealed class SftObjective : ITrainingObjective
{
    private readonly EncodedExample[] _train;
    private readonly EncodedExample[] _validation;

    public SftObjective(CompletionEncoder encoder, IReadOnlyList<SftSample> train, IReadOnlyList<SftSample> validation)
    {
        _train = Encode(encoder, train, "train");
        _validation = Encode(encoder, validation, "validation");
    }

    public string Stage => "sft";

    public bool UseDropout => true;

    public int Count(DataSplit split) => Examples(split).Length;

    public BatchOutput Run(GptModel model, DataSplit split, IReadOnlyList<int> indices)
    {
        var set = Examples(split);
        var rows = new EncodedExample[indices.Count];
        for (int i = 0; i < rows.Length; i++) rows[i] = set[indices[i]];
        var (ids, mask) = Batching.Pad(rows);
        var logProbs = CompletionLoss.Compute(model, ids, mask);
        var summedLoss = logProbs.SumLogProbs.sum().neg();
        double tokens = logProbs.TokenCounts.sum().item<float>();
        return new BatchOutput(summedLoss, tokens, []);
    }

    public void Dispose() { }

    private EncodedExample[] Examples(DataSplit split) => split == DataSplit.Train ? _train : _validation;

    private static EncodedExample[] Encode(CompletionEncoder encoder, IReadOnlyList<SftSample> samples, string name)
    {
        var encoded = new EncodedExample[samples.Count];
        for (int i = 0; i < samples.Count; i++)
        {
            var s = samples[i] ?? throw new ArgumentException($"{name}[{i}] is null.", name);
            if (s.Prompt is null || s.Response is null)
                throw new ArgumentException($"{name}[{i}] has a null {(s.Prompt is null ? "Prompt" : "Response")}.", name);
            encoded[i] = encoder.Encode(s.Prompt, s.Response);
            if (encoded[i].SupervisedCount == 0)
                throw new ArgumentException($"{name}[{i}] has no supervised token after encoding.", name);
        }
        return encoded;
    }
}
