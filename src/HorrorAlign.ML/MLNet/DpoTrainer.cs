using HorrorAlign.ML.Data;
using HorrorAlign.ML.MLNet;
using HorrorAlign.ML.Mining;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Training;
using Microsoft.ML;

namespace HorrorAlign.ML;

/// <summary>
/// Direct Preference Optimization as an ML.NET estimator: starting from an SFT model, prefers each row's
/// <c>Chosen</c> story over its <c>Rejected</c> one (a frozen copy of the SFT model is the reference). Create it with
/// <c>mlContext.StoryGeneration().Trainers.Dpo(...)</c>.
/// </summary>
/// <remarks>
/// The SFT model comes either from earlier in the same chain — <see cref="Fit(IDataView)"/> reads the model-reference
/// column that <see cref="SftTrainer"/>'s transformer adds, so <c>Sft(...).Append(Dpo(...))</c> fits on one data view —
/// or explicitly, through <see cref="Fit(IDataView, StoryModelTransformer)"/> (warm start). Both give the same model.
/// <para>DPO trains on the rows whose <c>Rejected</c> column is non-empty (the preference pairs). A row with an empty
/// <c>Rejected</c> is an SFT-only example (<see cref="StoryPairInput.FromExample"/>): the <see cref="SftTrainer"/> before
/// it trains on it, DPO skips it. So one data view of SFT examples and pairs trains the whole chain. When no row has a
/// rejected story, <c>Fit</c> fails with a message naming the column.</para>
/// </remarks>
public sealed class DpoTrainer : StoryTrainerBase<DpoTrainer.Options, DpoTransformer>
{
    /// <summary>Options of <see cref="DpoTrainer"/>.</summary>
    public sealed class Options : StoryTrainerOptions
    {
        /// <summary>The dispreferred story (text). Default "Rejected". Rows where it is empty (or only whitespace) are
        /// SFT-only examples and are skipped by DPO; at least one row must have one.</summary>
        public string RejectedColumnName = StoryColumnNames.Rejected;

        /// <summary>The learning core's DPO options: β, loss type, label smoothing, optimisation, early stopping.
        /// Default <c>new DpoOptions()</c>. Its <c>Seed</c> is replaced by <see cref="StoryTrainerOptions.Seed"/> or the
        /// MLContext's, its <c>Device</c> by <c>MLContext.GpuDeviceId</c> when that is set (as for SFT).</summary>
        public DpoOptions Training = new();

        /// <summary>
        /// On-policy mining before DPO, as <c>horroralign train</c> does it: the SFT model writes stories for
        /// <see cref="OnPolicyOptions.Specs"/> probe specs (values new to it), and each story that fails a check joins the
        /// training pairs <see cref="OnPolicyOptions.Repeats"/> times, as the rejected side against its repaired twin.
        /// <c>Specs = 0</c> trains on the data's pairs alone. Default: 96 specs, 3 repeats, stories written one per core.
        /// Its sampling seed is replaced by the trainer's seed.
        /// </summary>
        public OnPolicyOptions OnPolicy = new() { Parallelism = Environment.ProcessorCount };

        private protected override TrainingOptions? CoreTraining => Training;

        internal override string? PairColumn => RejectedColumnName;

        internal override IReadOnlyList<(string Column, string Role)> TextColumns =>
            [(PromptColumnName, "the prompt"), (ChosenColumnName, "the DPO chosen story"), (RejectedColumnName, "the DPO rejected story")];

        internal override void Validate()
        {
            base.Validate();
            ArgumentException.ThrowIfNullOrEmpty(RejectedColumnName, nameof(RejectedColumnName));
            ArgumentNullException.ThrowIfNull(OnPolicy, nameof(OnPolicy));
            OnPolicy.Validate();
        }
    }

    internal DpoTrainer(MLContext mlContext, Options options) : base(mlContext, options, "DPO", "HorrorAlign.Dpo", "pairs") { }

    /// <summary>Trains, on the rows of <paramref name="input"/> that have a rejected story, from the SFT model named by its
    /// model-reference column (added by an <see cref="SftTrainer"/> earlier in the same chain).</summary>
    public override DpoTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckTextColumns(input.Schema);
        string modelColumn = TrainerOptions.ModelColumnName;
        if (!SchemaChecks.Has(input.Schema, modelColumn))
            throw new ArgumentOutOfRangeException("schema",
                $"DPO starts from an SFT model, but the input has no model-reference column '{modelColumn}'. " +
                "Append the DPO trainer after mlContext.StoryGeneration().Trainers.Sft(...) in the same chain, " +
                "or call Fit(data, sftTransformer).");
        SchemaChecks.RequireText(input.Schema, modelColumn, "the SFT model reference", "schema");
        string header = TextRows.First(input, modelColumn)
            ?? throw new InvalidOperationException("The DPO training data has no rows.");
        using var lease = StoryModelCache.AcquireCached(ModelPayload.ReadHash(header));
        return Train(input, lease.Model);
    }

    /// <summary>Trains, on the rows of <paramref name="input"/> that have a rejected story, from <paramref name="sftModel"/>
    /// (a warm start outside a chain; the model is not modified).</summary>
    public DpoTransformer Fit(IDataView input, StoryModelTransformer sftModel)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(sftModel);
        CheckTextColumns(input.Schema);
        return Train(input, sftModel.Model);
    }

    /// <inheritdoc />
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var output = base.GetOutputSchema(inputSchema);
        SchemaChecks.RequireText(inputSchema, TrainerOptions.ModelColumnName, "the SFT model reference, added by Trainers.Sft earlier in the chain");
        return output;
    }

    // A data view's pairs carry no kind: like JSONL rows without one, they are contrastive.
    DpoTransformer Train(IDataView input, StoryModel sftModel) =>
        Train(input, (id, r) => new PreferencePair(id, r[0], r[1], r[2], PairKind.Contrastive), p => p.Prompt, (train, validation, seed, device, log) =>
        {
            var ct = TrainerOptions.CancellationToken;
            var mining = TrainerOptions.OnPolicy with { Sampling = TrainerOptions.OnPolicy.Sampling with { Seed = seed } };
            var sources = OnPolicyPairs.ProbeSources(mining.Specs, seed);
            var mined = sources.Count == 0 ? [] : OnPolicyPairs.Mine(sftModel, sources, mining, cancellationToken: ct);
            if (sources.Count > 0)
                log.Info($"DPO: {mined.Count} of {sources.Count * mining.SamplesPerSource} on-policy stories failed a check and join the pairs " +
                    $"×{mining.Repeats} ({mined.Count(p => p.Repaired)} repaired)");
            return StoryTraining.RunDpo(sftModel, OnPolicyPairs.TrainingPairs(train, mined, mining.Repeats), validation,
                TrainerOptions.Training with { Seed = seed, Device = device }, log, ct);
        });

    private protected override DpoTransformer CreateTransformer(IDataView input, StoryModel trained, TrainingLog log) =>
        DpoTransformer.Create(Context, input, trained, TrainerOptions, log);
}
