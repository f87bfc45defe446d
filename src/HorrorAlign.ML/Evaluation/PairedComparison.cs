namespace HorrorAlign.ML.Evaluation;

/// <summary>
/// Two models' stories for the SAME specs, compared spec by spec on "passed every check": how many specs only one of
/// them got right, and the exact McNemar test of whether that split could be chance. Why: two pass rates from 64
/// stories each differ by a few points from sampling alone; the specs both models pass or both fail say nothing about
/// which is better, the discordant ones do — and with 1 against 0 they do not say much either.
/// </summary>
/// <param name="BothPassed">Specs whose stories passed every check under both models.</param>
/// <param name="OnlyFirst">Specs only the first model's story passed.</param>
/// <param name="OnlySecond">Specs only the second model's story passed.</param>
/// <param name="NeitherPassed">Specs neither passed.</param>
/// <param name="ExactMcNemarP">Two-sided exact McNemar p-value: the binomial(OnlyFirst + OnlySecond, ½) probability of a
/// split at least this uneven (1 when no spec is discordant).</param>
internal sealed record PairedComparison(int BothPassed, int OnlyFirst, int OnlySecond, int NeitherPassed, double ExactMcNemarP)
{
    /// <summary>Compares two reports over the same specs in the same order (as the train command's are).</summary>
    /// <exception cref="ArgumentException">The reports cover different specs (counts or ids differ).</exception>
    public static PairedComparison Of(ConstraintReport first, ConstraintReport second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.Stories.Count != second.Stories.Count)
            throw new ArgumentException($"The reports cover {first.Stories.Count} and {second.Stories.Count} stories; a paired comparison needs the same specs.", nameof(second));
        int both = 0, onlyFirst = 0, onlySecond = 0, neither = 0;
        for (int i = 0; i < first.Stories.Count; i++)
        {
            var (a, b) = (first.Stories[i], second.Stories[i]);
            if (a.Id != b.Id)
                throw new ArgumentException($"Story {i} is for spec '{a.Id}' in the first report and '{b.Id}' in the second; a paired comparison needs the same specs in the same order.", nameof(second));
            if (a.AllPassed && b.AllPassed) both++;
            else if (a.AllPassed) onlyFirst++;
            else if (b.AllPassed) onlySecond++;
            else neither++;
        }
        return new PairedComparison(both, onlyFirst, onlySecond, neither, ExactMcNemar(onlyFirst, onlySecond));
    }

    /// <summary>Two-sided exact McNemar p-value for discordant counts <paramref name="b"/> and <paramref name="c"/>:
    /// min(1, 2 · P[X ≤ min(b, c)]) with X ~ Binomial(b + c, ½).</summary>
    public static double ExactMcNemar(int b, int c)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(b);
        ArgumentOutOfRangeException.ThrowIfNegative(c);
        int n = b + c, k = Math.Min(b, c);
        if (n == 0) return 1;
        // Sum the binomial terms in log space: exact enough, and no overflow for any realistic n.
        double tail = 0;
        for (int i = 0; i <= k; i++) tail += Math.Exp(LogChoose(n, i) - n * Math.Log(2));
        return Math.Min(1, 2 * tail);
    }

    private static double LogChoose(int n, int k)
    {
        double sum = 0;
        for (int i = 1; i <= k; i++) sum += Math.Log(n - k + i) - Math.Log(i);
        return sum;
    }
}
