using System.CommandLine;
using System.Globalization;

namespace HorrorAlign.ML.Samples.Cli;

/// <summary>
/// Makes options the way every command spells and checks them: a value outside its range is a parse error that names
/// the flag as typed. (Underscore spellings such as <c>--top_p</c> are read by <see cref="FlagSpelling"/>.)
/// </summary>
public static class CliOption
{
    /// <summary>An option named <paramref name="name"/> (and <paramref name="aliases"/>).</summary>
    /// <param name="name">The main spelling, e.g. <c>--top-p</c>.</param>
    /// <param name="description">The help text.</param>
    /// <param name="helpName">The value's placeholder in help (e.g. <c>N</c>, <c>PATH</c>); null for a bare flag.</param>
    /// <param name="aliases">Other spellings, e.g. the original's <c>--checkpoint</c> for <c>--model</c>.</param>
    public static Option<T> Create<T>(string name, string description, string? helpName = null, params string[] aliases) =>
        new(name, aliases) { Description = description, HelpName = helpName };

    /// <summary>Adds a check of the value: when <paramref name="valid"/> says no, parsing fails with
    /// <c>--flag rule (got value)</c>.</summary>
    public static Option<T> Require<T>(this Option<T> option, Func<T, bool> valid, string rule)
    {
        ArgumentNullException.ThrowIfNull(option);
        option.Validators.Add(result =>
        {
            T value;
            try
            {
                value = result.GetValueOrDefault<T>();
            }
            catch (InvalidOperationException)
            {
                return; // unparsable: System.CommandLine reports that itself, naming the flag
            }
            if (!valid(value))
                result.AddError($"{result.IdentifierToken?.Value ?? option.Name} {rule} (got {Show(value)})");
        });
        return option;
    }

    /// <summary>The value must be at least <paramref name="min"/>.</summary>
    public static Option<int> AtLeast(this Option<int> option, int min) =>
        option.Require(v => v >= min, min == 0 ? "must not be negative" : $"must be at least {min}");

    /// <summary>The value must be one of <paramref name="values"/> (shown as the help placeholder too).</summary>
    public static Option<string> OneOf(this Option<string> option, params string[] values)
    {
        ArgumentNullException.ThrowIfNull(option);
        option.HelpName = string.Join('|', values);
        option.CompletionSources.Add(values);
        return option.Require(v => v is null || values.Contains(v, StringComparer.Ordinal), "takes " + Words(values));
    }

    private static string Words(string[] values) =>
        values.Length == 1 ? values[0] : string.Join(", ", values[..^1]) + " or " + values[^1];

    private static string Show<T>(T value) => value switch
    {
        string s => $"'{s}'",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value?.ToString() ?? "nothing",
    };
}
