using HorrorAlign.ML.Data;
namespace HorrorAlign.ML.MLNet;

/// <summary>
/// Holds out a validation set when the user gives none: a seeded shuffle of the DISTINCT prompts (in order of first
/// appearance), so a prompt's rows never sit on both sides and the same data and seed always give the same split.
/// </summary>
internal static class ValidationSplit
{
    public static (List<T> Train, List<T> Validation) Split<T>(IReadOnlyList<T> rows, Func<T, string> prompt, double fraction, int seed)
    {
        if (fraction is < 0 or >= 1 || double.IsNaN(fraction))
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "ValidationFraction must be in [0, 1).");
        var prompts = rows.Select(prompt).Distinct(StringComparer.Ordinal).ToArray();
        int held = fraction == 0 || prompts.Length < 2 ? 0 : Math.Clamp((int)Math.Round(fraction * prompts.Length), 1, prompts.Length - 1);
        int[] order = Shuffle.Permutation(prompts.Length, new Random(seed));
        var validationPrompts = new HashSet<string>(order.Take(held).Select(i => prompts[i]), StringComparer.Ordinal);
        var train = new List<T>();
        var validation = new List<T>();
        foreach (var row in rows) (validationPrompts.Contains(prompt(row)) ? validation : train).Add(row);
        return (train, validation);
    }
}
