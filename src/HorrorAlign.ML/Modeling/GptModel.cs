using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Modeling;

/// <summary>
/// Decoder-only GPT with the original pipeline's architecture: token embedding + learned position embedding, dropout,
/// N pre-norm <see cref="DecoderBlock"/>s, a final <see cref="RmsNorm"/> and a bias-free, untied output layer. State-dict
/// keys match the original PyTorch model (<c>token_embedding.weight</c>, <c>pos_embedding.weight</c>,
/// <c>blocks.{i}.…</c>, <c>final_norm.weight</c>, <c>output_layer.weight</c>).
/// </summary>
/// <remarks>
/// The body (<see cref="ForwardHidden"/>) and the output layer (<see cref="Head"/>) are separate on purpose: the output
/// layer is most of the cost at GPT-2 vocabulary size, and losses and generation need it at a few positions only.
/// </remarks>
internal sealed class GptModel : nn.Module<Tensor, Tensor>
{
    // Field names are the state-dict keys.
    private readonly Embedding token_embedding;
    private readonly Embedding pos_embedding;
    private readonly ModuleList<DecoderBlock> blocks;
    private readonly RmsNorm final_norm;
    private readonly Linear? output_layer; // null when tied: the head then reuses token_embedding.weight
    private readonly CopyHead? copy_head;  // null unless GptConfig.CopyHead
    private readonly Parameter? unseen_embedding; // [D], null unless GptConfig.UnseenTokenEmbedding
    private readonly Tensor? seen_tokens;         // [V] 1 = read through its own row, 0 = through unseen_embedding

    /// <summary>Creates a randomly initialised model (PyTorch's default initialisation, as in the original).</summary>
    /// <exception cref="ArgumentException">The configuration is invalid (the message names the field).</exception>
    public GptModel(GptConfig config) : base("gpt")
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;

        token_embedding = nn.Embedding(config.VocabSize, config.DModel);
        pos_embedding = nn.Embedding(config.ContextLength, config.DModel);
        blocks = nn.ModuleList(Enumerable.Range(0, config.NLayers).Select(_ => new DecoderBlock(config)).ToArray());
        final_norm = new RmsNorm(config.DModel);
        output_layer = config.TieEmbeddings ? null : nn.Linear(config.DModel, config.VocabSize, hasBias: false);
        copy_head = config.CopyHead ? new CopyHead(config) : null;
        if (config.UnseenTokenEmbedding)
        {
            // Every id counts as seen until training says otherwise (StoryTraining marks the ids its data holds).
            unseen_embedding = nn.Parameter(randn(config.DModel).mul_(1.0 / Math.Sqrt(config.DModel)));
            seen_tokens = ones(config.VocabSize);
        }

        if (config.TieEmbeddings)
        {
            // N(0,1) rows as output weights would give logits of std √d at initialisation; N(0, 1/d) gives std ~1 and
            // keeps rows far enough apart to tell tokens apart (it trained faster than GPT-2's 0.02: docs/experiments.md).
            using var _ = no_grad();
            double std = 1.0 / Math.Sqrt(config.DModel);
            nn.init.normal_(token_embedding.weight!, 0, std);
            nn.init.normal_(pos_embedding.weight!, 0, std);
        }
        RegisterComponents();
    }

    /// <summary>The model's shape.</summary>
    public GptConfig Config { get; }

    /// <summary>The decodes running on this model, which a dispose waits for (see <see cref="ModelLifetime"/>).</summary>
    private readonly ModelLifetime lifetime = new();

    /// <summary>Starts a decode: the weights stay alive until <see cref="EndUse"/>.</summary>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    internal void BeginUse() => lifetime.Enter();

    /// <summary>Ends a decode; the last one frees the weights of a model disposed meanwhile.</summary>
    internal void EndUse()
    {
        if (lifetime.Exit()) base.Dispose(true);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        // Disposed while decodes run: the last one frees the weights (EndUse), so no forward pass reads freed memory.
        if (disposing && lifetime.DeferDispose()) return;
        base.Dispose(disposing);
    }

    /// <summary>ids [B,T] int64 → logits [B,T,V]. With a <see cref="GptConfig.CopyHead"/> these are the log-probabilities
    /// of the copy/generate mixture (already normalised, so log_softmax leaves them unchanged).</summary>
    public override Tensor forward(Tensor ids) => Logits(ids, sourceLengths: null);

    /// <summary>
    /// ids [B,T] → logits [B,T,V] (log-probabilities with a copy head), where row b's copy head may only copy its first
    /// <paramref name="sourceLengths"/>[b] tokens (the prompt: values are copied from the spec, not from the story
    /// written so far); null lets it copy any earlier token.
    /// </summary>
    public Tensor Logits(Tensor ids, Tensor? sourceLengths)
    {
        var hidden = ForwardHiddenAndEmbeddings(ids, null, sourceLengths, out var embeddings);
        if (copy_head is null) return Head(hidden);
        var (logWeights, pointed) = CopyWeights(copy_head, hidden, embeddings, ids, sourceLengths);
        return CopyHead.MixDistribution(logWeights, Head(hidden), pointed);
    }

    /// <summary>
    /// log p(next token = <paramref name="targets"/>[n]) at N selected positions of a batch, given its hidden states
    /// [B,T,D] (from <see cref="ForwardHidden"/>) and ids [B,T]; <paramref name="flat"/> [N] holds row·T + position.
    /// The output layer runs at the N positions only (it is most of the cost at a large vocabulary); the copy head,
    /// when present, scores every earlier position of the row, or only row b's first <paramref name="sourceLengths"/>[b]
    /// tokens when given (see <see cref="Logits"/>).
    /// </summary>
    public Tensor TargetLogProbs(Tensor hidden, Tensor ids, Tensor flat, Tensor targets, Tensor? sourceLengths = null)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(flat);
        ArgumentNullException.ThrowIfNull(targets);
        long b = ids.shape[0], t = ids.shape[1];
        var selected = hidden.reshape(b * t, -1).index_select(0, flat);                   // [N,D]
        var vocab = Head(selected).log_softmax(-1).gather(1, targets.unsqueeze(1)).squeeze(1);
        if (copy_head is null) return vocab;
        var (logWeights, pointed) = CopyWeights(copy_head, hidden, Embed(ids), ids, sourceLengths);
        return CopyHead.MixTargetLogProbs(logWeights.reshape(b * t, -1), pointed, flat, flat.div(t, rounding_mode: RoundingMode.floor), targets, vocab);
    }

    /// <summary>Log pointer weights [B,T,T+1] of every position of a whole batch (embeddings = <see cref="Embed"/>(ids)),
    /// and what each key points at [B,T].</summary>
    private (Tensor LogWeights, Tensor Pointed) CopyWeights(CopyHead head, Tensor hidden, Tensor embeddings, Tensor ids, Tensor? sourceLengths)
    {
        var pointed = PointedTokens(ids);
        var keys = head.Keys(head.PartialKeys(hidden, embeddings), Embed(pointed));
        return (head.LogWeights(hidden, embeddings, keys, ids, queryStart: 0, sourceLengths), pointed);
    }

    /// <summary>
    /// Runs the NEW tokens <paramref name="ids"/> [1,T] (the whole context without a cache) and returns the next-token
    /// logits [V] at the last position (log-probabilities with a copy head). With a cache, the copy head's keys and
    /// the ids are appended to it as well. <paramref name="sourceLength"/>: how many leading tokens of the whole context
    /// the copy head may copy (the prompt's length); null = all.
    /// </summary>
    public Tensor NextTokenLogits(Tensor ids, KvCache? cache = null, int? sourceLength = null)
    {
        int past = cache?.Length ?? 0;
        var lengths = sourceLength is int n ? full(ids.shape[0], (long)n, dtype: ScalarType.Int64, device: ids.device) : null;
        var hidden = ForwardHiddenAndEmbeddings(ids, cache, lengths, out var embeddings);
        var last = hidden.narrow(1, hidden.shape[1] - 1, 1);                              // [B,1,D]
        var logits = Head(last);
        if (copy_head is null) return logits.squeeze(1).squeeze(0);

        var partial = copy_head.PartialKeys(hidden, embeddings);
        // ForwardHidden already stored the new ids in the cache.
        var (allPartial, allIds) = cache is null ? (partial, ids) : (cache.AppendCopyKeys(past, partial), cache.Ids());
        var pointed = PointedTokens(allIds);
        var keys = copy_head.Keys(allPartial, Embed(pointed));
        int position = (int)allIds.shape[1] - 1;
        var logWeights = copy_head.LogWeights(last, embeddings.narrow(1, embeddings.shape[1] - 1, 1), keys, allIds, queryStart: position, lengths);
        return CopyHead.MixDistribution(logWeights, logits, pointed).squeeze(1).squeeze(0);
    }

    /// <summary>The token each position's copy key points at: x_{j+1} (the last position's is a placeholder, never visible).</summary>
    private static Tensor PointedTokens(Tensor ids) => cat([ids[.., 1..], ids[.., ..1]], 1);

    /// <summary>
    /// Final-normalised hidden states [B,T,D]. With a cache, <paramref name="ids"/> are the NEW tokens, placed at
    /// positions cache.Length.., and their keys/values are appended to the cache. <paramref name="sourceLengths"/> [B]:
    /// the prompt length of each row, where a copy head's lookahead may look (null = anywhere earlier).
    /// </summary>
    /// <exception cref="ArgumentException">Wrong rank, batch size different from the cache's, or more positions than
    /// <see cref="GptConfig.ContextLength"/>.</exception>
    /// <exception cref="InvalidOperationException">A cache is used while gradients are enabled.</exception>
    public Tensor ForwardHidden(Tensor ids, KvCache? cache = null, Tensor? sourceLengths = null) => ForwardHiddenAndEmbeddings(ids, cache, sourceLengths, out _);

    /// <summary><see cref="ForwardHidden"/>, also handing back the input embeddings of
    /// <paramref name="ids"/> (the copy head reads them too: one embedding read instead of two).</summary>
    private Tensor ForwardHiddenAndEmbeddings(Tensor ids, KvCache? cache, Tensor? sourceLengths, out Tensor embeddings)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.dim() != 2) throw new ArgumentException($"ids must be [batch, time]; got shape [{string.Join(", ", ids.shape)}].", nameof(ids));
        long t = ids.shape[1];
        int past = cache?.Length ?? 0;
        if (past + t > Config.ContextLength)
            throw new ArgumentException($"{past + t} positions ({past} cached + {t} new) exceed the context length {Config.ContextLength}.", nameof(ids));
        if (cache is not null)
        {
            if (cache.Batch != ids.shape[0])
                throw new ArgumentException($"ids has batch {ids.shape[0]} but the cache was created for batch {cache.Batch}.", nameof(ids));
            if (is_grad_enabled())
                throw new InvalidOperationException("The KV cache is for inference: call ForwardHidden with a cache under torch.no_grad().");
        }

        var positions = arange(past, past + t, dtype: ScalarType.Int64, device: ids.device);
        embeddings = Embed(ids);
        var x = embeddings + pos_embedding.forward(positions); // [B,T,D] + [T,D]
        if (copy_head is not null)
        {
            var context = cache is null ? ids : cache.AppendIds(past, ids);   // every id so far
            x = x + copy_head.Lookahead(context, past, sourceLengths, Embed);
        }
        if (training && Config.Dropout > 0) x = nn.functional.dropout(x, Config.Dropout, training: true);
        for (int i = 0; i < blocks.Count; i++) x = blocks[i].Forward(x, cache, i);
        cache?.Advance((int)t);
        return final_norm.forward(x);
    }

    /// <summary>
    /// The input embedding of ids [...] → [..., D]: the token's own row, or the shared unseen-token embedding for ids
    /// that training never read (<see cref="GptConfig.UnseenTokenEmbedding"/>). Every READ of a token goes through here
    /// (decoder input, copy keys and queries, the lookahead); the output layer keeps one row per id.
    /// </summary>
    internal Tensor Embed(Tensor ids)
    {
        var rows = token_embedding.forward(ids);
        if (seen_tokens is null) return rows;
        var seen = seen_tokens.index_select(0, ids.reshape(-1)).reshape(ids.shape).unsqueeze(-1).gt(0.5);
        return where(seen, rows, unseen_embedding!);
    }

    /// <summary>True when the model reads unseen ids through a shared embedding (<see cref="GptConfig.UnseenTokenEmbedding"/>).</summary>
    internal bool HasUnseenTokenEmbedding => seen_tokens is not null;

    /// <summary>
    /// Marks which ids training has read (<paramref name="seen"/>[id]); the others are read through the shared
    /// unseen-token embedding. <paramref name="union"/> keeps ids already marked (training a trained model further).
    /// </summary>
    internal void MarkSeenTokens(bool[] seen, bool union)
    {
        if (seen_tokens is null) throw new InvalidOperationException("This model has no unseen-token embedding (GptConfig.UnseenTokenEmbedding).");
        if (seen.Length != Config.VocabSize)
            throw new ArgumentException($"seen has {seen.Length} entries; the vocabulary has {Config.VocabSize}.", nameof(seen));
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            var marks = tensor(seen.Select(x => x ? 1f : 0f).ToArray(), device: seen_tokens.device);
            if (union) seen_tokens.copy_(seen_tokens.maximum(marks));
            else seen_tokens.copy_(marks);
        }
    }

    /// <summary>The ids currently marked as seen (see <see cref="MarkSeenTokens"/>); every id for a model without the
    /// unseen-token embedding.</summary>
    internal bool[] SeenTokens()
    {
        if (seen_tokens is null) return Enumerable.Repeat(true, Config.VocabSize).ToArray();
        using var scope = NewDisposeScope();
        return seen_tokens.gt(0.5).On(CPU).data<bool>().ToArray();
    }

    /// <summary>
    /// Reads <paramref name="ids"/> through the unseen-token embedding until the result is disposed: token dropout,
    /// so that the shared embedding learns to stand for "a token I cannot read" in the contexts where held-out values
    /// appear. Only the forward pass reads the marks, so disposing right after it is safe.
    /// </summary>
    internal IDisposable TreatAsUnseen(IReadOnlyCollection<int> ids)
    {
        if (seen_tokens is null) throw new InvalidOperationException("This model has no unseen-token embedding (GptConfig.UnseenTokenEmbedding).");
        if (ids.Count == 0) return EmptyScope.Instance;
        using var scope = NewDisposeScope();
        var index = tensor(ids.Select(i => (long)i).ToArray(), device: seen_tokens.device);
        Tensor saved;
        using (no_grad())
        {
            saved = seen_tokens.index_select(0, index).DetachFromDisposeScope();
            seen_tokens.index_fill_(0, index, 0);
        }
        var indexKept = index.DetachFromDisposeScope();
        return new RestoreMarks(seen_tokens, indexKept, saved);
    }

    private sealed class RestoreMarks(Tensor marks, Tensor index, Tensor saved) : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            using (no_grad()) marks.index_copy_(0, index, saved);
            index.Dispose();
            saved.Dispose();
        }
    }

    private sealed class EmptyScope : IDisposable
    {
        public static readonly EmptyScope Instance = new();
        public void Dispose() { }
    }

    /// <summary>The output layer applied to hidden states of any leading shape [..., D] → [..., V].</summary>
    public Tensor Head(Tensor hidden)
        => output_layer is null ? nn.functional.linear(hidden, token_embedding.weight!) : output_layer.forward(hidden);

    /// <summary>Number of trainable parameters (a tied embedding counts once).</summary>
    public long ParameterCount() => parameters().Sum(p => p.numel());

    /// <summary>The device the weights live on (where inputs must be created).</summary>
    internal Device WeightsDevice => token_embedding.weight!.device;

    /// <summary>An empty key/value cache for incremental decoding of <paramref name="batch"/> sequences.</summary>
    public KvCache CreateCache(int batch)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        var w = token_embedding.weight!;
        return new KvCache(Config.NLayers, batch, Config.NHeads, Config.ContextLength, Config.HeadDim, w.dtype, w.device,
            copyDim: copy_head is null ? 0 : Config.CopyDim);
    }
}
