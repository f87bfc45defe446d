using HorrorAlign.ML.Specs;

namespace HorrorAlign.ML.Data;

/// <summary>
/// First names kept out of every pool (training AND held-out) and out of all SFT data, used only to PROBE a trained
/// model the way held-out specs will: a spec whose two characters carry probe names makes the model read names it
/// has never read, which is exactly where held-out specs trip it up (a copy that loops or loses its place after an
/// unread name). They are the names of <see cref="ProbeValues.Pools"/>, whose specs on-policy DPO mining writes for, so
/// the pairs it finds are the model's own held-out-like failures — without ever touching the held-out pools the
/// evaluation draws from.
/// </summary>
internal static class ProbeNames
{
    // Data/Words/ProbeNames.Candidates.txt
    private static readonly string[] Candidates = WordLists.Load("ProbeNames.Candidates");

    /// <summary>The probe names: the candidates minus any name of <see cref="ValuePools.Default"/> (so no probe name is
    /// a training or held-out name, whatever the pools hold).</summary>
    public static IReadOnlyList<string> All { get; } =
        Array.AsReadOnly(Candidates.Except(ValuePools.Default.Names, StringComparer.Ordinal).ToArray());

    /// <summary><paramref name="spec"/> with its protagonist and supporting character replaced by two different probe
    /// names drawn from <paramref name="rng"/>.</summary>
    public static StorySpec Apply(StorySpec spec, Random rng)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(rng);
        int p = rng.Next(All.Count);
        int s = rng.Next(All.Count - 1);
        if (s >= p) s++;
        return spec with { Protagonist = All[p], SupportingCharacter = All[s] };
    }
}
