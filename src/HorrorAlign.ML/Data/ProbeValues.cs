namespace HorrorAlign.ML.Data;

/// <summary>
/// Spec values kept out of every pool (training AND held-out), out of the fresh-value word lists and out of all SFT
/// data, in the style of the built-in pools: a spec drawn from <see cref="Pools"/> is new to a trained model in every
/// field, exactly as a held-out spec is, without touching the held-out pools the evaluation draws from.
/// <para>
/// Why: on-policy DPO pairs only fix the failures they contain. Specs that differ from training specs in their names
/// alone made the SFT model fail in ways held-out specs do not (and missed the ways they do); mining on specs drawn
/// from the held-out pools themselves (an experiment, never shipped) gave pairs that lifted the held-out pass rate by
/// 3.5-4.7 points. These pools give the same kind of spec legitimately.
/// </para>
/// </summary>
internal static class ProbeValues
{
    private static readonly string[] Titles = WordLists.Load("ProbeValues.Titles");
    private static readonly string[] Settings = WordLists.Load("ProbeValues.Settings");
    private static readonly string[] Objects = WordLists.Load("ProbeValues.Objects");
    private static readonly string[] Taboos = WordLists.Load("ProbeValues.Taboos");
    private static readonly string[] Twists = WordLists.Load("ProbeValues.Twists");

    /// <summary>
    /// The probe pools: <see cref="ProbeNames.All"/> for the characters and the values above (the files
    /// <c>Data/Words/ProbeValues.*.txt</c>) for every other field,
    /// each minus any value of <see cref="ValuePools.Default"/> (compared ignoring case), so no probe value is a training
    /// or held-out value whatever the pools hold.
    /// </summary>
    public static ValuePools Pools { get; } = new(
        Except(Titles, ValuePools.Default.Titles), Except(Settings, ValuePools.Default.Settings), ProbeNames.All,
        Except(Objects, ValuePools.Default.Objects), Except(Taboos, ValuePools.Default.Taboos), Except(Twists, ValuePools.Default.Twists));

    private static string[] Except(string[] values, IReadOnlyList<string> pool) => [.. values.Except(pool, StringComparer.OrdinalIgnoreCase)];
}
