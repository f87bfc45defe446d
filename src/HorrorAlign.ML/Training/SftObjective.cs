using HorrorAlign.ML.Data;
using HorrorAlign.ML.Losses;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Tokenization;
using TorchSharp;

namespace HorrorAlign.ML.Training;

/// <summary>
/// SFT: completion-only next-token cross-entropy. The summed loss is −Σ log p(target) over supervised tokens, so the
/// trainer's division by the token count gives the token mean over the whole effective batch (the original's
/// definition), independent of how it was split into micro-batches.
/// </summary>
internal sealed class SftObjective : ITrainingObjective
{
    /// <summary>An id is RARE, and a candidate for unseen-token dropout, when at most this share of the training
    /// examples hold it: spec values (names, objects, rule words) are rare, the template's words are not.</summary>
    internal const double RareDocumentShare = 0.05;

    private readonly EncodedExample[] _train;
    private readonly EncodedExample[] _validation;
    private readonly double _unseenDropout;
    private readonly bool[] _rare;

    public SftObjective(CompletionEncoder encoder, IReadOnlyList<SftExample> train, IReadOnlyList<SftExample> validation, double unseenDropout = 0)
    {
        _train = Encode(encoder, train, "train");
        _validation = Encode(encoder, validation, "validation");
        _unseenDropout = unseenDropout;
        int vocabularySize = encoder.Vocabulary.Size;
        var documents = new int[vocabularySize];
        foreach (var example in _train)
            foreach (int id in example.Ids.Distinct()) documents[id]++;
        Seen = documents.Select(d => d > 0).ToArray();
        double limit = RareDocumentShare * _train.Length;
        _rare = documents.Select(d => d > 0 && d <= limit).ToArray();
        _rare[encoder.Vocabulary.EosId] = false;
    }

    /// <summary>[id] true when some training example holds the id: what the model has learned to read.</summary>
    public bool[] Seen { get; }

    public string Stage => "sft";

    public bool UseDropout => true;

    public int Count(DataSplit split) => Examples(split).Length;

    public BatchOutput Run(GptModel model, DataSplit split, IReadOnlyList<int> indices)
    {
        var set = Examples(split);
        var rows = new EncodedExample[indices.Count];
        for (int i = 0; i < rows.Length; i++) rows[i] = set[indices[i]];
        var (ids, mask) = Batching.Pad(rows);
        using var unseen = split == DataSplit.Train && model.training && _unseenDropout > 0 && model.HasUnseenTokenEmbedding
            ? model.TreatAsUnseen(DropRareIds(rows))
            : null;
        var logProbs = CompletionLoss.Compute(model, ids, mask);
        var summedLoss = logProbs.SumLogProbs.sum().neg();
        double tokens = logProbs.TokenCounts.sum().item<float>();
        return new BatchOutput(summedLoss, tokens, []);
    }

    public void Dispose() { }

    /// <summary>
    /// Token dropout for the unseen-token embedding: each rare id of the batch is dropped with probability
    /// UnseenTokenDropout, at every occurrence (prompt and story alike, as a held-out name is unseen everywhere). The
    /// draws come from torch's generator, which the trainer reseeds every step, so a resumed run drops the same ids.
    /// </summary>
    private List<int> DropRareIds(EncodedExample[] rows)
    {
        var candidates = rows.SelectMany(r => r.Ids).Where(id => _rare[id]).Distinct().Order().ToArray();
        var dropped = new List<int>();
        if (candidates.Length == 0) return dropped;
        using var scope = torch.NewDisposeScope();
        var draws = torch.rand(candidates.Length).data<float>().ToArray();
        for (int i = 0; i < candidates.Length; i++)
            if (draws[i] < _unseenDropout) dropped.Add(candidates[i]);
        return dropped;
    }

    private EncodedExample[] Examples(DataSplit split) => split == DataSplit.Train ? _train : _validation;

    private static EncodedExample[] Encode(CompletionEncoder encoder, IReadOnlyList<SftExample> samples, string name)
    {
        var encoded = new EncodedExample[samples.Count];
        for (int i = 0; i < samples.Count; i++)
        {
            var s = samples[i] ?? throw new ArgumentException($"{name}[{i}] is null.", name);
            if (s.Prompt is null || s.Response is null)
                throw new ArgumentException($"{name}[{i}] has a null {(s.Prompt is null ? "Prompt" : "Response")}.", name);
            encoded[i] = encoder.Encode(s);
            if (encoded[i].SupervisedCount == 0)
                throw new ArgumentException($"{name}[{i}] has no supervised token after encoding.", name);
        }
        return encoded;
    }
}
