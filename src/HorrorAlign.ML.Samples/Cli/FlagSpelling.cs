namespace HorrorAlign.ML.Samples.Cli;

/// <summary>
/// Reads underscores in flag names as dashes (<c>--top_p</c> = <c>--top-p</c>, <c>--max_new_tokens</c> =
/// <c>--max-new-tokens</c>): the original Python pipeline's spellings, which the hand parser accepted for every flag.
/// Done on the tokens rather than as an alias per option, so help lists each flag once and typo suggestions stay short.
/// </summary>
public static class FlagSpelling
{
    /// <summary><paramref name="args"/> with each flag name (before any <c>=value</c>) in its dashed form; nothing after
    /// a bare <c>--</c> changes.</summary>
    public static string[] Normalize(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var result = new string[args.Count];
        bool literal = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            literal |= arg == "--";
            if (!literal && arg.StartsWith("--", StringComparison.Ordinal))
            {
                int end = arg.IndexOf('=', StringComparison.Ordinal);
                if (end < 0) end = arg.Length;
                arg = arg[..end].Replace('_', '-') + arg[end..];
            }
            result[i] = arg;
        }
        return result;
    }
}
