using HorrorAlign.ML.Data;
using HorrorAlign.ML.Losses;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Training;

/// <summary>
/// DPO: summed completion log-probs of chosen and rejected under the policy (ONE forward over the concatenated
/// batch) and under the frozen reference, fed to <see cref="DpoLoss"/>. Reference log-probs are either precomputed
/// once per data set (default; no reference forward during training) or computed per batch in a nested dispose scope
/// so the reference activations are freed before the policy's backward.
/// </summary>
internal sealed class DpoObjective : ITrainingObjective
{
    private readonly EncodedPair[] _train;
    private readonly EncodedPair[] _validation;
    private readonly DpoOptions _options;
    private GptModel? _reference;                 // per-batch mode only
    private readonly float[][]? _referenceTrain;    // precomputed mode: [chosen, rejected] per pair
    private readonly float[][]? _referenceValidation;

    /// <summary>Encodes the pairs and prepares the reference. <paramref name="reference"/> must be a frozen copy the
    /// objective may own (it is disposed here once precomputation made it unnecessary).</summary>
    public DpoObjective(CompletionEncoder encoder, IReadOnlyList<PreferencePair> train, IReadOnlyList<PreferencePair> validation,
        DpoOptions options, GptModel reference)
    {
        _options = options;
        _train = Encode(encoder, train, "train");
        _validation = Encode(encoder, validation, "validation");
        Freeze(reference);
        if (options.PrecomputeReferenceLogProbs)
        {
            _referenceTrain = Precompute(reference, _train, options.EffectiveEvalBatchSize);
            _referenceValidation = Precompute(reference, _validation, options.EffectiveEvalBatchSize);
            reference.Dispose();
        }
        else
        {
            _reference = reference;
        }
    }

    public string Stage => "dpo";

    public bool UseDropout => _options.PolicyDropout;

    public int Count(DataSplit split) => Pairs(split).Length;

    public BatchOutput Run(GptModel model, DataSplit split, IReadOnlyList<int> indices)
    {
        var pairs = Pairs(split);
        int n = indices.Count;
        var (ids, mask) = Batching.Pad(Rows(pairs, indices));

        var logProbs = CompletionLoss.Compute(model, ids, mask);
        var policy = logProbs.SumLogProbs;
        var policyChosen = policy.narrow(0, 0, n);
        var policyRejected = policy.narrow(0, n, n);
        var (refChosen, refRejected) = ReferenceLogProbs(split, indices, ids, mask);

        (refChosen, refRejected) = (refChosen.On(policy.device), refRejected.On(policy.device)); // a precomputed table is on the CPU
        var dpo = DpoLoss.Compute(policyChosen, policyRejected, refChosen, refRejected, _options.LossType, _options.Beta, _options.LabelSmoothing);
        var summedLoss = dpo.Loss * n;
        if (_options.RpoAlpha > 0)
        {
            // RPO: + α · per-token NLL of each chosen response (summed over pairs, like the DPO term).
            var chosenTokens = logProbs.TokenCounts.narrow(0, 0, n).clamp_min(1);
            summedLoss = summedLoss - (policyChosen / chosenTokens).sum() * _options.RpoAlpha;
        }

        // Sums over pairs; the trainer divides by the pair count over whatever it aggregates (step, window, eval set).
        using var noGrad = no_grad();
        var chosenRewards = dpo.RewardsChosen.detach();
        var rejectedRewards = dpo.RewardsRejected.detach();
        var pc = policyChosen.detach();
        var pr = policyRejected.detach();
        var sums = stack(new[]
        {
            chosenRewards.sum(),
            rejectedRewards.sum(),
            (chosenRewards - rejectedRewards).sum(),
            chosenRewards.gt(rejectedRewards).to(ScalarType.Float32).sum(),
            pc.sum(),
            pr.sum(),
            pc.gt(pr).to(ScalarType.Float32).sum(),
        }).to(ScalarType.Float64).On(CPU).data<double>().ToArray();
        return new BatchOutput(summedLoss, n,
        [
            new(MetricNames.RewardsChosen, sums[0]),
            new(MetricNames.RewardsRejected, sums[1]),
            new(MetricNames.RewardsMargins, sums[2]),
            new(MetricNames.RewardsAccuracies, sums[3]),
            new(MetricNames.LogpsChosen, sums[4]),
            new(MetricNames.LogpsRejected, sums[5]),
            new(MetricNames.PolicyAccuracy, sums[6]),
        ]);
    }

    public void Dispose()
    {
        _reference?.Dispose();
        _reference = null;
    }

    private (Tensor Chosen, Tensor Rejected) ReferenceLogProbs(DataSplit split, IReadOnlyList<int> indices, Tensor ids, Tensor mask)
    {
        int n = indices.Count;
        var table = split == DataSplit.Train ? _referenceTrain : _referenceValidation;
        if (table is not null)
        {
            var chosen = new float[n];
            var rejected = new float[n];
            for (int i = 0; i < n; i++)
            {
                chosen[i] = table[0][indices[i]];
                rejected[i] = table[1][indices[i]];
            }
            return (tensor(chosen), tensor(rejected));
        }

        // Its own scope: the reference's hidden states and head outputs die here, before the policy's backward,
        // and only the two [n] vectors move out.
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var reference = CompletionLoss.Compute(_reference!, ids, mask).SumLogProbs;
        return (reference.narrow(0, 0, n).clone().MoveToOuterDisposeScope(),
                reference.narrow(0, n, n).clone().MoveToOuterDisposeScope());
    }

    private static float[][] Precompute(GptModel reference, EncodedPair[] pairs, int batchSize)
    {
        var chosen = new float[pairs.Length];
        var rejected = new float[pairs.Length];
        using var noGrad = no_grad();
        for (int start = 0; start < pairs.Length; start += batchSize)
        {
            using var scope = NewDisposeScope();
            int n = Math.Min(batchSize, pairs.Length - start);
            var indices = Enumerable.Range(start, n).ToArray();
            var (ids, mask) = Batching.Pad(Rows(pairs, indices));
            var logProbs = CompletionLoss.Compute(reference, ids, mask).SumLogProbs.to(ScalarType.Float32).On(CPU).data<float>().ToArray();
            Array.Copy(logProbs, 0, chosen, start, n);
            Array.Copy(logProbs, n, rejected, start, n);
        }
        return [chosen, rejected];
    }

    /// <summary>Chosen rows first, then rejected rows, so one forward serves both and narrow() splits them.</summary>
    private static EncodedExample[] Rows(EncodedPair[] pairs, IReadOnlyList<int> indices)
    {
        int n = indices.Count;
        var rows = new EncodedExample[2 * n];
        for (int i = 0; i < n; i++)
        {
            rows[i] = pairs[indices[i]].Chosen;
            rows[n + i] = pairs[indices[i]].Rejected;
        }
        return rows;
    }

    /// <summary>The reference never trains: no gradients, eval mode (dropout off).</summary>
    private static void Freeze(GptModel reference)
    {
        foreach (var p in reference.parameters()) p.requires_grad = false;
        reference.eval();
    }

    private EncodedPair[] Pairs(DataSplit split) => split == DataSplit.Train ? _train : _validation;

    private static EncodedPair[] Encode(CompletionEncoder encoder, IReadOnlyList<PreferencePair> samples, string name)
    {
        var encoded = new EncodedPair[samples.Count];
        for (int i = 0; i < samples.Count; i++)
        {
            var s = samples[i] ?? throw new ArgumentException($"{name}[{i}] is null.", name);
            if (s.Prompt is null || s.Chosen is null || s.Rejected is null)
                throw new ArgumentException($"{name}[{i}] has a null Prompt, Chosen or Rejected.", name);
            encoded[i] = encoder.EncodePair(s);
        }
        return encoded;
    }
}
