using HorrorAlign.ML.Synthesis;

namespace HorrorAlign.ML.Samples.Cli;

/// <summary>
/// The data-size flags of the template dataset, defined once for <c>data</c> and <c>train</c>: <c>--seed --sft-train
/// --sft-val --sft-test --pref-train --pref-val --pref-test --heldout-fraction --heldout-specs --fresh-share</c>, bound
/// to <see cref="DatasetOptions"/>.
/// </summary>
public sealed class DatasetOptionsBinder : OptionsBinder<DatasetOptions>
{
    /// <param name="shownDefaults">Defaults help shows; null shows none.</param>
    /// <param name="bindsSeed">Whether <c>--seed</c> is the data's seed (false where the command gives it a wider meaning).</param>
    public DatasetOptionsBinder(DatasetOptions? shownDefaults = null, bool bindsSeed = true) : base(shownDefaults)
    {
        if (bindsSeed)
        {
            Bind(CliOption.Create<int>("--seed", "Seed of every draw: same seed, same files, byte for byte.", "N"),
                nameof(DatasetOptions.Seed), o => o.Seed, (o, v) => o with { Seed = v });
        }
        Size("--sft-train", "SFT training examples.", nameof(DatasetOptions.SftTrainSize), o => o.SftTrainSize, (o, v) => o with { SftTrainSize = v });
        Size("--sft-val", "SFT validation examples.", nameof(DatasetOptions.SftValidationSize), o => o.SftValidationSize, (o, v) => o with { SftValidationSize = v });
        Size("--sft-test", "SFT test examples.", nameof(DatasetOptions.SftTestSize), o => o.SftTestSize, (o, v) => o with { SftTestSize = v });
        Size("--pref-train", "Preference training pairs.", nameof(DatasetOptions.PrefTrainSize), o => o.PrefTrainSize, (o, v) => o with { PrefTrainSize = v });
        Size("--pref-val", "Preference validation pairs.", nameof(DatasetOptions.PrefValidationSize), o => o.PrefValidationSize, (o, v) => o with { PrefValidationSize = v });
        Size("--pref-test", "Preference test pairs.", nameof(DatasetOptions.PrefTestSize), o => o.PrefTestSize, (o, v) => o with { PrefTestSize = v });
        Bind(CliOption.Create<double>("--heldout-fraction", "Share of every value pool held out of training (0 = none; then --heldout-specs 0).", "F")
                .Require(v => v >= 0 && v < 1, "must be in [0, 1)"),
            nameof(DatasetOptions.HeldOutFraction), o => o.HeldOutFraction, (o, v) => o with { HeldOutFraction = v });
        Size("--heldout-specs", "Held-out specs drawn for generalization tests.", nameof(DatasetOptions.HeldOutSpecCount), o => o.HeldOutSpecCount, (o, v) => o with { HeldOutSpecCount = v });
        Bind(CliOption.Create<double>("--fresh-share", "Share of training rows whose spec uses fresh generated values instead of the pools.", "F")
                .Require(v => v >= 0 && v <= 1, "must be in [0, 1]"),
            nameof(DatasetOptions.FreshValueShare), o => o.FreshValueShare, (o, v) => o with { FreshValueShare = v });
    }

    private void Size(string name, string description, string property, Func<DatasetOptions, int> get, Func<DatasetOptions, int, DatasetOptions> set) =>
        Bind(CliOption.Create<int>(name, description, "N").AtLeast(0), property, get, set);

    /// <inheritdoc />
    protected override void Validate(DatasetOptions options) => options.Validate();
}
