using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HorrorAlign.ML.Data;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Tokenization;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Training;

/// <summary>Entry points of the learning core: SFT, then DPO, both through the same <see cref="Trainer"/> loop.</summary>
internal static class StoryTraining
{
    /// <summary>Supervised fine-tuning. Starts from <paramref name="initial"/> when given (not modified), else builds a
    /// fresh model whose vocabulary is derived from the data per <paramref name="options"/>.</summary>
    /// <exception cref="TrainingDivergedException">The loss or gradient became NaN/Inf (the exception carries the kept model).</exception>
    /// <exception cref="OperationCanceledException">Cancelled (after writing a checkpoint when CheckpointDirectory is set).</exception>
    public static StoryModel TrainSft(IReadOnlyList<SftExample> train, IReadOnlyList<SftExample> validation, SftOptions options,
        StoryModel? initial = null, IProgress<TrainingMetrics>? progress = null, CancellationToken cancellationToken = default)
        => RunSft(train, validation, options, initial, progress, cancellationToken).Model;

    /// <summary>Like <see cref="TrainSft"/>, returning the model together with the metric history and the run summary.</summary>
    public static TrainingResult RunSft(IReadOnlyList<SftExample> train, IReadOnlyList<SftExample> validation, SftOptions options,
        StoryModel? initial = null, IProgress<TrainingMetrics>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (train.Count == 0) throw new ArgumentException("The SFT training set is empty.", nameof(train));
        var device = ComputeDevice.Resolve(options.Device); // before any work: CUDA that is not there fails now

        TokenVocabulary vocabulary = initial?.Vocabulary ?? FreshVocabulary(train, validation, options);
        GptConfig config = initial?.Config ?? options.Model with { VocabSize = vocabulary.Size };
        if (initial is null) config.Validate();
        CheckContext(config, options);

        var objective = new SftObjective(new CompletionEncoder(vocabulary, options.MaxTokens), train, validation, options.UnseenTokenDropout);
        string fingerprint = Fingerprint("sft", options,
            initial is null ? "fresh:" + JsonSerializer.Serialize(config) + ":" + VocabularyKey(vocabulary) : "from:" + ModelHash(initial),
            train.SelectMany(s => new[] { s.Prompt, s.Response }), validation.SelectMany(s => new[] { s.Prompt, s.Response }));

        StoryModel policy = initial is not null ? initial.Clone() : FreshModel(options, vocabulary);
        // Ids the data holds are read through their own rows from now on; a model trained further keeps its earlier ones.
        if (policy.Model.HasUnseenTokenEmbedding) policy.Model.MarkSeenTokens(objective.Seen, union: initial is not null);
        return RunOwned(policy, device, objective, options, fingerprint, progress, cancellationToken);
    }

    /// <summary>The id space a fresh SFT model gets from its data and <paramref name="options"/>.</summary>
    internal static TokenVocabulary FreshVocabulary(IReadOnlyList<SftExample> train, IReadOnlyList<SftExample> validation, SftOptions options) =>
        options.Vocabulary == SftVocabulary.Full
            ? (options.FieldTokens ? TokenVocabulary.Full.WithFieldTokens() : TokenVocabulary.Full)
            : TokenVocabulary.BuildCompact(SftCorpus(train, validation, options.ExtraVocabularyText, options.FieldTokens), options.FieldTokens);

    /// <summary>The model SFT starts from when it has no initial one: <paramref name="options"/>' shape over
    /// <paramref name="vocabulary"/>, initialised from the seed (the initialisation is part of the seeded run).</summary>
    internal static StoryModel FreshModel(SftOptions options, TokenVocabulary vocabulary)
    {
        manual_seed(options.Seed);
        return new StoryModel(new GptModel(options.Model with { VocabSize = vocabulary.Size }), vocabulary);
    }

    /// <summary>DPO from an SFT model (the policy starts as a copy of it; a frozen copy is the reference; the input is not modified).</summary>
    /// <exception cref="TrainingDivergedException">The loss or gradient became NaN/Inf (the exception carries the kept model).</exception>
    /// <exception cref="OperationCanceledException">Cancelled (after writing a checkpoint when CheckpointDirectory is set).</exception>
    public static StoryModel TrainDpo(StoryModel sftModel, IReadOnlyList<PreferencePair> train, IReadOnlyList<PreferencePair> validation,
        DpoOptions options, IProgress<TrainingMetrics>? progress = null, CancellationToken cancellationToken = default)
        => RunDpo(sftModel, train, validation, options, progress, cancellationToken).Model;

    /// <summary>Like <see cref="TrainDpo"/>, returning the model together with the metric history and the run summary.</summary>
    public static TrainingResult RunDpo(StoryModel sftModel, IReadOnlyList<PreferencePair> train, IReadOnlyList<PreferencePair> validation,
        DpoOptions options, IProgress<TrainingMetrics>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sftModel);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (train.Count == 0) throw new ArgumentException("The DPO training set is empty.", nameof(train));
        CheckContext(sftModel.Config, options);
        var device = ComputeDevice.Resolve(options.Device);

        var encoder = new CompletionEncoder(sftModel.Vocabulary, options.MaxTokens);
        string fingerprint = Fingerprint("dpo", options, "from:" + ModelHash(sftModel),
            // s?.: a null pair must reach the encoder, which reports it by index, not fail here with a NullReferenceException.
            train.SelectMany(s => new[] { s?.Prompt, s?.Chosen, s?.Rejected }), validation.SelectMany(s => new[] { s?.Prompt, s?.Chosen, s?.Rejected }));

        // The reference is a frozen clone; the objective owns it (and drops it after precomputing its log-probs).
        var reference = sftModel.Clone();
        DpoObjective objective;
        try
        {
            ComputeDevice.Place(reference.Model, device);
            objective = new DpoObjective(encoder, train, validation, options, reference.Model);
        }
        catch
        {
            reference.Dispose();
            throw;
        }
        StoryModel policy;
        try
        {
            policy = sftModel.Clone();
        }
        catch
        {
            objective.Dispose(); // it owns the reference model in per-batch mode
            throw;
        }
        return RunOwned(policy, device, objective, options, fingerprint, progress, cancellationToken);
    }

    /// <summary>
    /// Pretraining on a tokenized corpus (see <see cref="PretrainObjective"/>): a fresh model whose vocabulary covers the
    /// corpus's ids per <paramref name="options"/>.
    /// </summary>
    public static TrainingResult RunPretrain(TokenFile tokens, PretrainOptions options, IProgress<TrainingMetrics>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var device = ComputeDevice.Resolve(options.Device);
        var vocabulary = options.Vocabulary == SftVocabulary.Full ? TokenVocabulary.Full : TokenVocabulary.BuildCompact(tokens.Present);
        if (options.FieldTokens) vocabulary = vocabulary.WithFieldTokens();
        var config = options.Model with { VocabSize = vocabulary.Size };
        config.Validate();
        var objective = new PretrainObjective(tokens, vocabulary, options.BlockSize, options.ValidationShare);
        string fingerprint = Fingerprint("pretrain", options,
            "fresh:" + JsonSerializer.Serialize(config) + ":" + VocabularyKey(vocabulary),
            [FormattableString.Invariant($"tokens={tokens.Count};documents={tokens.Documents};block={options.BlockSize}")],
            [FormattableString.Invariant($"validation={options.ValidationShare}")]);
        manual_seed(options.Seed);
        var model = new StoryModel(new GptModel(config), vocabulary);
        return RunOwned(model, device, objective, options, fingerprint, progress, cancellationToken);
    }

    /// <summary>Runs the loop on a policy this method owns, moved to <paramref name="device"/> first: it goes to the result
    /// (or to the divergence exception's result) and is disposed on any other failure.</summary>
    private static TrainingResult RunOwned(StoryModel policy, Device device, ITrainingObjective objective, TrainingOptions options,
        string fingerprint, IProgress<TrainingMetrics>? progress, CancellationToken cancellationToken)
    {
        using (objective)
        {
            try
            {
                ComputeDevice.Place(policy.Model, device);
                return Trainer.Run(policy, objective, options, fingerprint, progress, cancellationToken);
            }
            catch (TrainingDivergedException)
            {
                throw;
            }
            catch
            {
                policy.Dispose();
                throw;
            }
        }
    }

    private static IEnumerable<string> SftCorpus(IReadOnlyList<SftExample> train, IReadOnlyList<SftExample> validation, IReadOnlyList<string> extra,
        bool fieldTokens)
    {
        // Validation text is included only so that its tokens have ids (no id is learned from it); extra text covers
        // held-out names that appear in neither set. With field tokens a spec row's values are never encoded as text, so
        // only what the model reads and writes besides them gets ids.
        bool specRows = false;
        foreach (var s in train.Concat(validation))
        {
            if (s is null) continue; // reported with its index by the encoder
            if (fieldTokens && StorySpec.TryFromPrompt(s.Prompt ?? "", out var spec) && spec is not null)
            {
                specRows = true;
                yield return FieldTokens.Strip(FieldTokens.Delexicalize(spec, s.Response ?? "", out _));
                continue;
            }
            yield return s.Prompt ?? "";
            yield return s.Response ?? "";
        }
        if (specRows) yield return FieldTokens.Strip(FieldTokens.PromptTemplate); // every spec row reads this one prompt
        foreach (var e in extra) yield return e ?? "";
    }

    private static void CheckContext(GptConfig config, TrainingOptions options)
    {
        if (options.MaxTokens > config.ContextLength)
            throw new ArgumentException(
                $"{options.GetType().Name}.MaxTokens ({options.MaxTokens}) exceeds the model's context length ({config.ContextLength}); " +
                "lower MaxTokens or build the model with a longer ContextLength.", nameof(options));
    }

    /// <summary>
    /// Identifies a run for checkpoint resumption: stage, seed, batch shape, token limit, starting point and the exact
    /// data. Other options (learning rate, epochs, patience…) may change between a checkpoint and its resume.
    /// </summary>
    private static string Fingerprint(string stage, TrainingOptions o, string start, IEnumerable<string?> train, IEnumerable<string?> validation)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string s)
        {
            var bytes = Encoding.UTF8.GetBytes(s);
            hash.AppendData(BitConverter.GetBytes(bytes.Length));
            hash.AppendData(bytes);
        }
        Add(stage);
        Add(FormattableString.Invariant($"seed={o.Seed};batch={o.BatchSize};accum={o.GradientAccumulationSteps};maxTokens={o.MaxTokens}"));
        Add(start);
        Add("train");
        foreach (var s in train) Add(s ?? "\0null");
        Add("validation");
        foreach (var s in validation) Add(s ?? "\0null");
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private static string ModelHash(StoryModel model) => Convert.ToHexString(SHA256.HashData(model.ToBytes()));

    private static string VocabularyKey(TokenVocabulary v) =>
        (v.IsCompact ? "compact:" + string.Join(",", v.Gpt2Ids!) : "full") + (v.HasFieldTokens ? "+fields" : "");
}
