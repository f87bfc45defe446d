using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Modeling;

/// <summary>
/// A pointer-sentinel copy head (Merity et al. 2016, "Pointer Sentinel Mixture Models"; in spirit See et al. 2017's
/// pointer-generator). The next-token distribution at position t is
/// <code>
///   p(y) = a_gen · softmax(logits_t)[y]  +  Σ_{j &lt; t, x_{j+1} = y} a_j
///   [a_0 … a_{t-1}, a_gen] = softmax([q_t·k_0, …, q_t·k_{t-1}] / √d_c, sentinel_t)
/// </code>
/// i.e. one softmax decides between "copy the token that FOLLOWED context position j" and "generate from the
/// vocabulary" (the sentinel). Why: a story must repeat the spec's names, object, taboo and twist, and values never
/// seen in training have untrained embedding/output rows, so the vocabulary head cannot produce them — the pointer can,
/// because it points at positions, not at rows.
/// <para>
/// Keys and queries get token embeddings besides the hidden state: k_j = W_k h_j + W_ke E[x_j] + W_kn E[x_{j+1}] and
/// q_t = W_q h_t + W_qe E[x_t]. Then "continue copying the phrase I am in" is a direct identity match (the token just
/// written equals the token before the source) that works for any token, trained or not, instead of a circuit the
/// transformer must first grow (an induction head); W_qe starts equal to W_ke, so the match exists from step one.
/// The key also sees the token it would copy (x_{j+1} is already in the context), so the head can learn what is never
/// copied — without it, copying a value ran on into the line break that ends the value in the prompt.
/// </para>
/// <para>
/// A learned similarity is not exact enough for held-out values, whose embeddings never trained (copies loop:
/// "Irenenenene"). So the scores also get two exact-match features, each
/// weighted per query by a learned function of h_t: [x_j = x_t] (key j holds the token just written) and
/// [x_j = x_t ∧ x_{j-1} = x_{t-1}] (…and the one before it, which tells the "a" of the taboo from the "a" of the
/// setting). Continuing a copy is then a lookup, for any token; ending it is the key_next term steering away from the
/// line break, which leaves the sentinel.
/// </para>
/// <para>
/// Knowing that a copied value has ENDED matters as much to the rest of the model, which must then go on with the
/// sentence; without it, the decoder loses its place after an unseen value and loops. So the head also gives the decoder's INPUT a lookahead: at every position, the embedding of the
/// token that follows the best exact match of the current token (bigram match first, then unigram, latest first) in
/// the prompt, through a zero-initialised projection — "if I am copying, the source goes on with X" (X a line break:
/// the value is done).
/// </para>
/// </summary>
internal sealed class CopyHead : nn.Module
{
    // Field names are the state-dict keys (copy_head.query.weight, …).
    private readonly Linear query;
    private readonly Linear query_token;
    private readonly Linear key;
    private readonly Linear key_token;
    private readonly Linear key_next;
    private readonly Linear sentinel;
    private readonly Linear match_weights; // h_t → weights of the unigram and bigram exact-match features
    private readonly Linear lookahead;     // E[token after the best prompt match] → added to the decoder input
    private readonly Scalar scale;
    private static readonly Scalar s_negativeInfinity = double.NegativeInfinity.ToScalar();
    private static readonly Scalar s_tiny = 1e-30.ToScalar();

    /// <summary>Creates the head for <paramref name="config"/> (key width <see cref="GptConfig.CopyDim"/>).</summary>
    public CopyHead(GptConfig config) : base(nameof(CopyHead))
    {
        ArgumentNullException.ThrowIfNull(config);
        int d = config.DModel, dc = config.CopyDim;
        query = nn.Linear(d, dc, hasBias: false);
        query_token = nn.Linear(d, dc, hasBias: false);
        key = nn.Linear(d, dc, hasBias: false);
        key_token = nn.Linear(d, dc, hasBias: false);
        key_next = nn.Linear(d, dc, hasBias: false);
        sentinel = nn.Linear(d, 1, hasBias: true);
        match_weights = nn.Linear(d, 2, hasBias: true);
        lookahead = nn.Linear(d, d, hasBias: false);
        scale = (1.0 / Math.Sqrt(dc)).ToScalar();
        using (no_grad())
        {
            query_token.weight!.copy_(key_token.weight!);
            // Start by preferring exact continuations (the weights are otherwise free to learn when not to).
            match_weights.bias!.fill_(1.0);
            lookahead.weight!.zero_(); // a new model starts as the decoder without the lookahead
        }
        RegisterComponents();
    }

    /// <summary>The part of the keys [B,T,dc] known once position j is read: W_k h_j + W_ke E[x_j]. Generation caches it,
    /// because the token a key points at (x_{j+1}) arrives one step later.</summary>
    internal Tensor PartialKeys(Tensor hidden, Tensor embeddings) => key.forward(hidden).add_(key_token.forward(embeddings));

    /// <summary>Full keys [B,S,dc]: the partial keys plus the embedding of the token each key points at (E[x_{j+1}],
    /// [B,S,D]; the last position's is a placeholder, never visible).</summary>
    internal Tensor Keys(Tensor partialKeys, Tensor pointedEmbeddings) => partialKeys.add(key_next.forward(pointedEmbeddings));

    /// <summary>
    /// Log pointer weights [B,Tq,S+1] of queries at positions <paramref name="queryStart"/>.. (hidden/embeddings
    /// [B,Tq,D]) over the keys of positions 0..S-1 [B,S,dc]: the last entry is the sentinel (generate). A query at
    /// position t sees keys j &lt; t only, since the key of j points at x_{j+1}, which must already be known.
    /// <paramref name="ids"/> [B,S] are the tokens of positions 0..S-1 (queries included), for the exact-match features.
    /// With <paramref name="sourceLengths"/> [B], row b may only copy its first sourceLengths[b] tokens: key j is
    /// visible only when x_{j+1} lies among them.
    /// </summary>
    internal Tensor LogWeights(Tensor hidden, Tensor embeddings, Tensor keys, Tensor ids, int queryStart, Tensor? sourceLengths = null)
    {
        long tq = hidden.shape[1], s = keys.shape[1];
        var q = query.forward(hidden).add_(query_token.forward(embeddings));
        var scores = q.matmul(keys.transpose(1, 2)).mul_(scale);                            // [B,Tq,S]

        var (unigram, bigram) = ExactMatches(ids, queryStart);
        var w = match_weights.forward(hidden);                                               // [B,Tq,2]
        scores = scores + unigram.to_type(scores.dtype) * w[.., .., ..1] + bigram.to_type(scores.dtype) * w[.., .., 1..];

        // Key j is visible to the query at position queryStart+i when j < queryStart+i.
        var future = ones([tq, s], ScalarType.Bool, scores.device).triu(queryStart);         // true where j >= t
        scores = scores.masked_fill(future, s_negativeInfinity);
        if (sourceLengths is not null)
        {
            var outside = arange(1, s + 1, dtype: ScalarType.Int64, device: ids.device).unsqueeze(0).ge(sourceLengths.unsqueeze(1)); // [B,S]
            scores = scores.masked_fill(outside.unsqueeze(1), s_negativeInfinity);
        }
        return cat([scores, sentinel.forward(hidden)], -1).log_softmax(-1);               // sentinel keeps a row finite
    }

    /// <summary>
    /// Exact matches [B,Tq,S] between the queries at positions <paramref name="queryStart"/>.. of <paramref name="ids"/>
    /// [B,S] and every position j: unigram = x_j equals the query's token; bigram = that, and x_{j-1} equals the
    /// query's previous token (position 0 has none).
    /// </summary>
    private static (Tensor Unigram, Tensor Bigram) ExactMatches(Tensor ids, int queryStart)
    {
        long b = ids.shape[0], tq = ids.shape[1] - queryStart;
        var previous = cat([full(b, 1, -1L, dtype: ScalarType.Int64, device: ids.device), ids[.., ..^1]], 1);
        var unigram = ids.unsqueeze(1).eq(ids.narrow(1, queryStart, tq).unsqueeze(2));
        var bigram = unigram.logical_and(previous.unsqueeze(1).eq(previous.narrow(1, queryStart, tq).unsqueeze(2)));
        return (unigram, bigram);
    }

    /// <summary>
    /// The decoder-input lookahead [B,Tq,D] of positions <paramref name="queryStart"/>.. of <paramref name="context"/>
    /// [B,S] (all ids so far): the projected embedding of x_{j+1} for the best j &lt; t whose token matches x_t (and
    /// x_{j-1} matches x_{t-1}, preferred), with x_{j+1} inside row b's first sourceLengths[b] tokens when given;
    /// zero where nothing matches.
    /// </summary>
    internal Tensor Lookahead(Tensor context, int queryStart, Tensor? sourceLengths, Func<Tensor, Tensor> embed)
    {
        long s = context.shape[1], tq = s - queryStart;
        var (unigram, bigram) = ExactMatches(context, queryStart);
        // j must precede the query (j ≤ t-1) and point inside the source (j+1 < sourceLength).
        var valid = ones([tq, s], ScalarType.Bool, context.device).tril(queryStart - 1).unsqueeze(0);
        if (sourceLengths is not null)
            valid = valid.logical_and(arange(1, s + 1, dtype: ScalarType.Int64, device: context.device).unsqueeze(0)
                .lt(sourceLengths.unsqueeze(1)).unsqueeze(1));
        var score = (unigram.to_type(ScalarType.Int32) + bigram.to_type(ScalarType.Int32)) * valid.to_type(ScalarType.Int32);
        // Best score first, then the latest position: rank = score·S + j.
        var rank = score.to_type(ScalarType.Int64) * s + arange(s, dtype: ScalarType.Int64, device: context.device);
        var best = rank.argmax(-1);                                                                // [B,Tq]
        var found = score.amax([-1]).gt(0).unsqueeze(-1);                                          // [B,Tq,1]
        var next = context.gather(1, (best + 1).clamp_max(s - 1));                                 // x_{j+1}
        return lookahead.forward(embed(next)).mul(found.to_type(ScalarType.Float32));
    }

    /// <summary>
    /// log p(target) for N selected (row, position) pairs: combines the vocabulary log-prob of the target
    /// <paramref name="vocabTargetLogProbs"/> [N] with the pointer mass on every earlier position followed by it.
    /// </summary>
    /// <param name="logWeights">[B·T, T+1] log pointer weights of every position (rows flattened).</param>
    /// <param name="pointed">[B,T] the token each key points at (x_{j+1}).</param>
    /// <param name="flat">[N] flat index row·T + position of each selected pair.</param>
    /// <param name="rows">[N] row of each pair.</param>
    /// <param name="targets">[N] target token (the token at position+1).</param>
    /// <param name="vocabTargetLogProbs">[N] log softmax(logits)[target].</param>
    internal static Tensor MixTargetLogProbs(Tensor logWeights, Tensor pointed, Tensor flat, Tensor rows, Tensor targets, Tensor vocabTargetLogProbs)
    {
        long t = pointed.shape[1];
        var w = logWeights.index_select(0, flat);                                  // [N, T+1]
        // Key j points at x_{j+1}; the last key points past the end and is never visible (j < t ≤ T-1).
        var next = pointed.index_select(0, rows);                                    // [N,T]: x_{j+1}
        var copy = w[.., ..(int)t].masked_fill(next.ne(targets.unsqueeze(1)), s_negativeInfinity);
        var generate = (w[.., (int)t] + vocabTargetLogProbs).unsqueeze(1);
        return cat([copy, generate], 1).logsumexp(1);
    }

    /// <summary>
    /// Full next-token log-probabilities [B,Tq,V] of queries whose log pointer weights are <paramref name="logWeights"/>
    /// [B,Tq,S+1] and vocabulary logits <paramref name="logits"/> [B,Tq,V]; <paramref name="pointed"/> [B,S] is the
    /// token each key points at (x_{j+1}). Used by generation and the full forward, not by the training losses.
    /// </summary>
    internal static Tensor MixDistribution(Tensor logWeights, Tensor logits, Tensor pointed)
    {
        long s = pointed.shape[1], tq = logits.shape[1];
        var weights = logWeights.exp();
        var generate = weights[.., .., (int)s..].mul(logits.softmax(-1));                 // a_gen · p_vocab
        var index = pointed.unsqueeze(1).expand(pointed.shape[0], tq, s);
        var probs = generate.scatter_add(-1, index, weights[.., .., ..(int)s]);
        return probs.clamp_min(s_tiny).log();
    }
}
