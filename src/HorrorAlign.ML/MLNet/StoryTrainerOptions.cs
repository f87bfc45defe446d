using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Training;
using Microsoft.ML;

namespace HorrorAlign.ML;

/// <summary>Options shared by <see cref="SftTrainer"/> and <see cref="DpoTrainer"/>.</summary>
public abstract class StoryTrainerOptions
{
    private protected StoryTrainerOptions() { }

    /// <summary>The prompt column (text). Default "Prompt".</summary>
    public string PromptColumnName = StoryColumnNames.Prompt;

    /// <summary>The preferred story (text): the SFT target and the DPO "chosen" response. Default "Chosen".</summary>
    public string ChosenColumnName = StoryColumnNames.Chosen;

    /// <summary>
    /// The model-reference column the trained transformer adds (and that <see cref="DpoTrainer"/> and
    /// <see cref="StoryGenerator"/> read further down the same chain). Default "StoryModel".
    /// </summary>
    public string ModelColumnName = StoryColumnNames.Model;

    /// <summary>
    /// Validation data with the columns this trainer reads (prompt, chosen and, for DPO, rejected: a ready-made prompt
    /// column, since the chain's earlier transforms such as the spec featurizer are not applied to it); null = hold out
    /// <see cref="ValidationFraction"/> of the training prompts (a seeded split of the distinct prompts, so it is the same
    /// for the same data and seed). Default null.
    /// </summary>
    public IDataView? ValidationSet;

    /// <summary>Fraction of distinct prompts held out for validation when <see cref="ValidationSet"/> is null; 0 = none. Default 0.1.</summary>
    public double ValidationFraction = 0.1;

    /// <summary>
    /// Precision of the weights stored in the transformer and in saved ML.NET zips. Default
    /// <see cref="WeightPrecision.Float16"/> (half the size). The transformer generates with exactly the stored weights,
    /// so what it produces before saving is what a reloaded zip produces.
    /// </summary>
    public WeightPrecision StoredPrecision = WeightPrecision.Float16;

    /// <summary>Optional callback for every training log entry and evaluation (called synchronously on the training
    /// thread). Every entry is also written to <c>MLContext.Log</c> as an Info message. Default null.</summary>
    public IProgress<TrainingMetrics>? Progress;

    /// <summary>Cancels training (the trainer then throws <see cref="OperationCanceledException"/>). Default none.</summary>
    public CancellationToken CancellationToken;

    /// <summary>
    /// Seed of everything random in the run: initialisation (SFT from scratch), batch shuffling, dropout and the
    /// held-out validation split. Default null: derived from the <see cref="MLContext"/>, like ML.NET's own trainers.
    /// </summary>
    /// <remarks>
    /// Precedence, highest first:
    /// <list type="number">
    /// <item>this <see cref="Seed"/>, when set;</item>
    /// <item>else a seed the trainer draws from the <see cref="MLContext"/>'s random source when it is created
    /// (<c>mlContext.StoryGeneration().Trainers.Sft(...)</c>; through <c>IHostEnvironment.Register(...).Rand</c>). Each
    /// trainer draws its own: the SFT and DPO trainers of one context get different seeds, and a context made with
    /// <c>new MLContext(seed: n)</c> gives the same seeds each time the same program runs (a context made without a
    /// seed gives different ones each run). Fitting the same trainer object again reuses its seed.</item>
    /// </list>
    /// The <c>Seed</c> of the core options (<c>Training.Seed</c>) is not used by the ML.NET trainers: the seed above
    /// replaces it.
    /// </remarks>
    public int? Seed;

    /// <summary>The derived options' <c>Training</c> field: the learning core's options (its <c>Seed</c> is replaced by the run's seed).</summary>
    private protected abstract TrainingOptions? CoreTraining { get; }

    /// <summary>The core options' device, used when <c>MLContext.GpuDeviceId</c> is not set.</summary>
    internal string CoreDevice => CoreTraining?.Device ?? Modeling.ComputeDevice.Cpu;

    /// <summary>
    /// The column whose empty rows the trainer skips (DPO: the rejected story, so a row without one is an SFT-only
    /// example); null = every row is a training row.
    /// </summary>
    internal virtual string? PairColumn => null;

    /// <summary>The text columns the trainer reads, in the order its samples take them, each with its role for error messages.</summary>
    internal abstract IReadOnlyList<(string Column, string Role)> TextColumns { get; }

    internal virtual void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(PromptColumnName, nameof(PromptColumnName));
        ArgumentException.ThrowIfNullOrEmpty(ChosenColumnName, nameof(ChosenColumnName));
        ArgumentException.ThrowIfNullOrEmpty(ModelColumnName, nameof(ModelColumnName));
        if (ValidationFraction is < 0 or >= 1 || double.IsNaN(ValidationFraction))
            throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction, "ValidationFraction must be in [0, 1).");
        if (!Enum.IsDefined(StoredPrecision))
            throw new ArgumentOutOfRangeException(nameof(StoredPrecision), StoredPrecision, "Unknown weight precision.");
        ArgumentNullException.ThrowIfNull(CoreTraining, "Training");
        CoreTraining.Validate();
    }

    /// <summary>
    /// Training and validation rows, made by <paramref name="make"/> from the <see cref="TextColumns"/> (in that order) of
    /// <paramref name="data"/> and of <see cref="ValidationSet"/> when given, else of a held-out split of
    /// <paramref name="data"/> seeded with <paramref name="seed"/>. Rows whose <see cref="PairColumn"/> is empty are
    /// skipped (and counted). A data view's rows carry no id, so each gets its place: <c>input:</c> or
    /// <c>validation:</c> and its 0-based row number.
    /// </summary>
    internal (List<T> Train, List<T> Validation, long Skipped) ReadRows<T>(IDataView data, Func<string, string[], T> make, Func<T, string> prompt,
        string stage, int seed)
    {
        string[] columns = [.. TextColumns.Select(c => c.Column)];
        // Check the validation set's columns before reading anything, so a wrong set fails at once.
        if (ValidationSet is not null)
            foreach (var (column, role) in TextColumns)
                MLNet.SchemaChecks.RequireText(ValidationSet.Schema, column, role + ", in the validation set", nameof(ValidationSet));
        var train = Read(data, $"The {stage} training data", "input", out long skipped);
        if (ValidationSet is null)
        {
            var (t, v) = MLNet.ValidationSplit.Split(train, prompt, ValidationFraction, seed);
            return (t, v, skipped);
        }
        return (train, Read(ValidationSet, $"The {stage} validation set", "validation", out _), skipped);

        List<T> Read(IDataView view, string name, string idPrefix, out long skippedRows)
        {
            string? pairColumn = PairColumn;
            int pairIndex = pairColumn is null ? -1 : Array.IndexOf(columns, pairColumn);
            string? pairRole = pairIndex < 0 ? null : TextColumns[pairIndex].Role;
            return [.. MLNet.TextRows.Read(view, columns, name, pairIndex, pairRole, out skippedRows)
                .Select(row => make(FormattableString.Invariant($"{idPrefix}:{row.Index}"), row.Values))];
        }
    }
}
