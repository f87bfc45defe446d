using System.Text;
using System.Text.RegularExpressions;

namespace HorrorAlign.ML.Generation;

/// <summary>
/// Presentation clean-up of a generated completion, for the artefacts the original's samples showed: the prompt echoed
/// back, visible <c>&lt;|endoftext|&gt;</c> markers, and degenerate repeating tails ("the door open the door that door…").
/// Each step is a public function so it can be tested and reused on its own; <see cref="Clean"/> runs them all.
/// </summary>
internal static partial class OutputCleaner
{
    /// <summary>GPT-2's end-of-text marker as text.</summary>
    public const string EndOfTextMarker = "<|endoftext|>";

    /// <summary>Shortest repeated word span (in words) that counts as a degenerate tail.</summary>
    public const int DefaultMinRepeatWords = 8;

    /// <summary>
    /// Full clean-up: strip a prompt echo, cut at the first end marker and drop other special markers and broken
    /// characters, cut a repeated trailing span (and the partial sentence it leaves), normalise whitespace.
    /// </summary>
    public static string Clean(string completion, string? prompt = null)
    {
        ArgumentNullException.ThrowIfNull(completion);
        string text = StripPromptEcho(completion, prompt);
        text = RemoveMarkers(text);
        text = NormaliseWhitespace(text);
        text = TrimRepeatedTail(text);
        return NormaliseWhitespace(text);
    }

    /// <summary>Removes <paramref name="prompt"/> when the text starts with it (a model or caller that echoes the prompt).</summary>
    public static string StripPromptEcho(string text, string? prompt)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrEmpty(prompt)) return text;
        if (text.StartsWith(prompt, StringComparison.Ordinal)) return text[prompt.Length..];
        // Tokenizers may drop or add whitespace at the boundary: compare with the prompt's trailing whitespace trimmed.
        string trimmed = prompt.TrimEnd();
        return trimmed.Length > 0 && text.StartsWith(trimmed, StringComparison.Ordinal) ? text[trimmed.Length..] : text;
    }

    /// <summary>
    /// Cuts at the first <c>&lt;|endoftext|&gt;</c> (the story ended there), then removes any other special marker of
    /// the form <c>&lt;|name|&gt;</c> and U+FFFD replacement characters (bytes of a character split by a cut).
    /// </summary>
    public static string RemoveMarkers(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int end = text.IndexOf(EndOfTextMarker, StringComparison.Ordinal);
        if (end >= 0) text = text[..end];
        text = SpecialMarker().Replace(text, "");
        return text.Replace("\uFFFD", "", StringComparison.Ordinal);
    }

    /// <summary>
    /// Unix newlines; spaces and tabs collapsed to one space; lines trimmed; runs of blank lines become exactly one blank
    /// line (a paragraph break); the whole text trimmed.
    /// </summary>
    public static string NormaliseWhitespace(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');
        var sb = new StringBuilder(text.Length);
        bool pendingBreak = false;
        foreach (string raw in lines)
        {
            string line = HorizontalSpace().Replace(raw, " ").Trim();
            if (line.Length == 0)
            {
                pendingBreak = sb.Length > 0; // blank line(s) between text: one paragraph break
                continue;
            }
            if (sb.Length > 0) sb.Append(pendingBreak ? "\n\n" : "\n");
            sb.Append(line);
            pendingBreak = false;
        }
        return sb.ToString();
    }

    /// <summary>
    /// When the text ENDS in repetition, that is every <paramref name="minWords"/>-word span from some word j to the end
    /// already occurred earlier (compared case-insensitively, ignoring surrounding punctuation), the text is cut before
    /// word j, keeping the first occurrence once; a partial sentence left dangling by the cut is trimmed back to the last
    /// sentence end. Repeats followed by new text are left alone (a story may quote its taboo rule twice).
    /// </summary>
    public static string TrimRepeatedTail(string text, int minWords = DefaultMinRepeatWords)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(minWords, 1);
        var words = Word().Matches(text);
        int n = words.Count;
        if (n <= minWords) return text; // a repeat needs an earlier span plus at least one more word

        var keys = new string[n];
        for (int i = 0; i < n; i++) keys[i] = WordKey(words[i].Value);

        // repeated[k]: the span of minWords words starting at k already started at some earlier word.
        int spans = n - minWords + 1;
        var repeated = new bool[spans];
        var firstSeen = new HashSet<string>(StringComparer.Ordinal);
        for (int k = 0; k < spans; k++)
            repeated[k] = !firstSeen.Add(string.Join('\u0001', keys, k, minWords));

        int j = spans;
        while (j > 0 && repeated[j - 1]) j--;
        if (j == spans) return text; // the last span is new: no repeating tail

        string kept = text[..words[j].Index].TrimEnd();
        return TrimPartialSentence(kept);
    }

    /// <summary>Cuts text after its last sentence end (. ! ? … with closing quotes) when words follow it; otherwise unchanged.</summary>
    public static string TrimPartialSentence(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.TrimEnd();
        var ends = SentenceEnd().Matches(text);
        if (ends.Count == 0) return text;
        var last = ends[^1];
        int cut = last.Index + last.Length;
        return cut >= text.Length ? text : text[..cut];
    }

    private static string WordKey(string word)
        => word.Trim(PunctuationToTrim).ToLowerInvariant();

    private static readonly char[] PunctuationToTrim = ".,;:!?\"'()[]{}…“”‘’-—".ToCharArray();

    [GeneratedRegex(@"<\|[A-Za-z0-9_]+\|>")]
    private static partial Regex SpecialMarker();

    [GeneratedRegex(@"[ \t\f\v\u00A0]+")]
    private static partial Regex HorizontalSpace();

    [GeneratedRegex(@"\S+")]
    private static partial Regex Word();

    [GeneratedRegex(@"[.!?…]+[""'”’)\]]*")]
    private static partial Regex SentenceEnd();
}
