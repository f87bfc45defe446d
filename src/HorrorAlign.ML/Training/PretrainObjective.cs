using HorrorAlign.ML.Losses;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Tokenization;

namespace HorrorAlign.ML.Training;

/// <summary>
/// Pretraining: next-token cross-entropy over every token of consecutive, non-overlapping windows of a
/// <see cref="TokenFile"/>, read from disk per batch. Every k-th window is validation (k = 1 / ValidationShare), so both
/// splits sample the whole corpus. The summed loss is over predicted tokens, as in SFT.
/// </summary>
internal sealed class PretrainObjective : ITrainingObjective
{
    private readonly TokenFile _tokens;
    private readonly int[] _modelIds; // GPT-2 id → model id
    private readonly int _blockSize;
    private readonly long[] _train;
    private readonly long[] _validation;

    public PretrainObjective(TokenFile tokens, TokenVocabulary vocabulary, int blockSize, double validationShare)
    {
        _tokens = tokens;
        _blockSize = blockSize;
        _modelIds = new int[Gpt2Tokenizer.VocabSize];
        for (int m = 0; m < vocabulary.Size - vocabulary.FieldTokenCount; m++) _modelIds[vocabulary.ToGpt2Id(m)] = m;
        long windows = tokens.Count / blockSize;
        if (windows < 2)
            throw new ArgumentException($"The corpus has {tokens.Count} tokens: fewer than two windows of {blockSize}. Give more text or a smaller block size.");
        long every = validationShare > 0 ? Math.Max(2, (long)Math.Round(1 / validationShare)) : 0;
        bool IsValidation(long w) => every > 0 && w % every == every - 1;
        _train = [.. Range(windows).Where(w => !IsValidation(w))];
        _validation = [.. Range(windows).Where(IsValidation)];
    }

    private static IEnumerable<long> Range(long n)
    {
        for (long i = 0; i < n; i++) yield return i;
    }

    public string Stage => "pretrain";

    public bool UseDropout => true;

    public int Count(DataSplit split) => split == DataSplit.Train ? _train.Length : _validation.Length;

    public BatchOutput Run(GptModel model, DataSplit split, IReadOnlyList<int> indices)
    {
        var windows = split == DataSplit.Train ? _train : _validation;
        var rows = new EncodedExample[indices.Count];
        for (int i = 0; i < rows.Length; i++)
        {
            int[] ids = _tokens.Read(windows[indices[i]] * _blockSize, _blockSize);
            for (int t = 0; t < ids.Length; t++) ids[t] = _modelIds[ids[t]];
            rows[i] = new EncodedExample(ids, LossStart: 1); // every token after the first is a target
        }
        var (batch, mask) = Batching.Pad(rows);
        var logProbs = CompletionLoss.Compute(model, batch, mask);
        return new BatchOutput(logProbs.SumLogProbs.sum().neg(), logProbs.TokenCounts.sum().item<float>(), []);
    }

    public void Dispose() { }
}
