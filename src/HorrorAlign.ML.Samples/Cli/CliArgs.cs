using System.Globalization;

namespace HorrorAlign.ML.Samples.Cli;

/// <summary>
/// The hand parser that <c>train</c> still reads until it moves onto System.CommandLine (every other command is
/// defined with System.CommandLine; see <see cref="HorrorAlignCli"/>): <c>--name value</c>, <c>--name=value</c> and bare
/// <c>--flag</c>. Underscores are read as dashes, so the original pipeline's spellings (<c>--top_p</c>, <c>--max_new_tokens</c>)
/// work too. Every option a command reads is recorded; unknown leftovers are an error that names them.
/// </summary>
public sealed class CliArgs
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _consumed = new(StringComparer.Ordinal);

    /// <summary>The first positional word (the command), or null.</summary>
    public string? Command { get; }

    /// <summary>Parses <paramref name="args"/>; <paramref name="flags"/> are options that never take a value.</summary>
    public CliArgs(IReadOnlyList<string> args, ISet<string>? flags = null)
    {
        flags ??= new HashSet<string>();
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal))
            {
                if (Command is null && i == 0) { Command = a; continue; }
                throw new CliException($"unexpected argument '{a}'");
            }
            string name = a[2..];
            string? value = null;
            int eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0) { value = name[(eq + 1)..]; name = name[..eq]; }
            name = name.Replace('_', '-');
            if (value is null && !flags.Contains(name) && i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                value = args[++i];
            _values[name] = value;
        }
    }

    /// <summary>True when <c>--name</c> was given (with or without a value).</summary>
    public bool Has(string name) { _consumed.Add(name); return _values.ContainsKey(name); }

    /// <summary>The value of the first of <paramref name="names"/> that was given, else null.</summary>
    public string? String(params string[] names)
    {
        foreach (var n in names)
        {
            _consumed.Add(n);
            if (_values.TryGetValue(n, out var v))
                return v ?? throw new CliException($"--{n} needs a value");
        }
        return null;
    }

    /// <summary>
    /// An option whose value may be left out (<c>--resume</c> or <c>--resume DIR</c>): null when not given, "" when given
    /// bare, else its value.
    /// </summary>
    public string? OptionalString(string name)
    {
        _consumed.Add(name);
        return _values.TryGetValue(name, out var v) ? v ?? "" : null;
    }

    /// <summary>An integer option.</summary>
    public int? Int(params string[] names) => Parse(names, s => int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture), "an integer");

    /// <summary>A true/false option (true, 1, yes / false, 0, no), or null when absent.</summary>
    public bool? Bool(string name) => String(name) switch
    {
        null => null,
        "true" or "1" or "yes" => true,
        "false" or "0" or "no" => false,
        var other => throw new CliException($"--{name} expects true or false, got '{other}'"),
    };

    /// <summary>A floating-point option.</summary>
    public double? Double(params string[] names) => Parse(names, s => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture), "a number");

    private T? Parse<T>(string[] names, Func<string, T> parse, string what) where T : struct
    {
        string? s = String(names);
        if (s is null) return null;
        try { return parse(s); }
        catch (FormatException) { throw new CliException($"--{names[0]} expects {what}, got '{s}'"); }
        catch (OverflowException) { throw new CliException($"--{names[0]} is out of range: '{s}'"); }
    }

    /// <summary>Throws when an option was given that no reader asked for (catches typos).</summary>
    public void ThrowIfUnknown()
    {
        var unknown = _values.Keys.Where(k => !_consumed.Contains(k)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
            throw new CliException("unknown option(s): " + string.Join(", ", unknown.Select(u => "--" + u)));
    }
}
