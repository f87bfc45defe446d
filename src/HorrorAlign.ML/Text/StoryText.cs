using System.Text;

namespace HorrorAlign.ML.Text;

/// <summary>
/// Plain-text analysis for the checks and the data generator: words, sentences, paragraphs, stop words and a light stemmer. Words are maximal runs of
/// letters or digits (with any combining marks that follow), lowercased with the invariant culture, so matching is case-insensitive and respects word
/// boundaries ("Kai's" holds the word "kai"; "Kaiser" does not).
/// </summary>
internal static class StoryText
{
    /// <summary>Function words and rule words: not key content of a taboo or twist, and no evidence that a copied value
    /// was cut or spliced.</summary>
    public static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "and", "or", "but", "nor", "of", "to", "in", "on", "at", "by", "for", "from", "with", "into",
        "onto", "out", "up", "down", "over", "under", "off", "as", "so", "than", "then", "that", "this", "these",
        "those", "there", "here", "it", "its", "is", "are", "was", "were", "be", "been", "being", "has", "have", "had",
        "do", "does", "did", "done", "don", "dont", "not", "no", "never", "always", "ever", "only", "just", "all", "any",
        "each", "every", "some", "one", "who", "whom", "whose", "what", "which", "when", "where", "while", "why", "how",
        "you", "your", "yours", "yourself", "they", "them", "their", "he", "she", "him", "her", "his", "we", "us", "our",
        "i", "me", "my", "if", "after", "before", "again", "still", "too", "very", "own", "same", "can", "will",
        "would", "should", "could", "must", "may", "might", "let", "more", "most", "once", "until", "because", "about",
        "around", "across", "along", "through", "during", "without", "within", "anyone", "anything", "someone",
        "something", "nothing", "nobody", "am", "pm",
    };

    /// <summary>The lowercased words of <paramref name="text"/>.</summary>
    public static string[] Words(string text)
    {
        var words = new List<string>();
        AppendWords(text, 0, text.Length, words);
        return [.. words];
    }

    /// <summary>Appends the lowercased words of text[start..end) to <paramref name="words"/> and, when given, whether
    /// each opens a clause to <paramref name="clauseStarts"/>: the range's first word, and any word after ":", ";", a
    /// double quote, a dash or an opening bracket.</summary>
    public static void AppendWords(string text, int start, int end, List<string> words, List<bool>? clauseStarts = null)
    {
        var sb = new StringBuilder();
        bool opener = true;
        for (int i = start; i < end; i++)
        {
            char c = text[i];
            if (char.IsLetterOrDigit(c) || (sb.Length > 0 && IsCombiningMark(c)))
            {
                sb.Append(char.ToLowerInvariant(c));
                continue;
            }
            if (sb.Length > 0) Flush();
            if (c is ':' or ';' or '"' or '\u201c' or '\u201d' or '\u2014' or '\u2013' or '(') opener = true;
        }
        if (sb.Length > 0) Flush();

        void Flush()
        {
            words.Add(sb.ToString());
            clauseStarts?.Add(opener);
            opener = false;
            sb.Clear();
        }
    }

    // A decomposed "Zoe\u0308" must stay one word, as the composed "Zoë" is.
    private static bool IsCombiningMark(char c) =>
        char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.NonSpacingMark or System.Globalization.UnicodeCategory.SpacingCombiningMark;

    /// <summary>Non-empty paragraphs: blocks separated by one or more blank (or whitespace-only) lines, trimmed.</summary>
    public static List<string> Paragraphs(string text)
    {
        var paragraphs = new List<string>();
        var current = new StringBuilder();
        foreach (string line in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                Flush();
                continue;
            }
            if (current.Length > 0) current.Append('\n');
            current.Append(line);
        }
        Flush();
        return paragraphs;

        void Flush()
        {
            string p = current.ToString().Trim();
            if (p.Length > 0) paragraphs.Add(p);
            current.Clear();
        }
    }

    private static readonly string[] Abbreviations = ["mr", "mrs", "ms", "dr", "st", "mt"];

    /// <summary>
    /// Sentences of the text (never spanning paragraphs). A sentence ends at ".", "!" or "?" (plus closing quotes)
    /// followed by whitespace and then an upper-case letter, an opening quote or a digit, or by the end of the
    /// paragraph; "Mr." and the like do not end one. So "after 2 a.m. Mina ran" splits after "a.m.", while "after
    /// 2 a.m. the hard way" does not.
    /// </summary>
    public static List<string> Sentences(string text)
    {
        var sentences = new List<string>();
        foreach (string p in Paragraphs(text))
            foreach (var (start, end) in SentenceRanges(p))
                sentences.Add(p[start..end]);
        return sentences;
    }

    /// <summary>Trimmed, non-empty sentence ranges [start, end) within one paragraph (see <see cref="Sentences"/>).</summary>
    public static List<(int Start, int End)> SentenceRanges(string p)
    {
        var ranges = new List<(int, int)>();
        int start = 0;
        for (int i = 0; i < p.Length; i++)
        {
            if (p[i] is not ('.' or '!' or '?')) continue;
            int j = i + 1;
            while (j < p.Length && p[j] is '"' or '\'' or ')' or '\u201d' or '\u2019') j++;
            if (j < p.Length && !char.IsWhiteSpace(p[j])) continue;
            int k = j;
            while (k < p.Length && char.IsWhiteSpace(p[k])) k++;
            bool startsNew = k >= p.Length || char.IsUpper(p[k]) || char.IsDigit(p[k]) || p[k] is '"' or '\u201c';
            if (!startsNew || (p[i] == '.' && EndsWithAbbreviation(p, i))) continue;
            Add(start, j);
            start = k;
            i = k - 1;
        }
        Add(start, p.Length);
        return ranges;

        void Add(int from, int to)
        {
            while (from < to && char.IsWhiteSpace(p[from])) from++;
            while (to > from && char.IsWhiteSpace(p[to - 1])) to--;
            if (to > from) ranges.Add((from, to));
        }
    }

    private static bool EndsWithAbbreviation(string p, int dot)
    {
        int b = dot;
        while (b > 0 && char.IsLetter(p[b - 1])) b--;
        string word = p[b..dot].ToLowerInvariant();
        return Abbreviations.Contains(word, StringComparer.Ordinal) && (b == 0 || !char.IsLetterOrDigit(p[b - 1]));
    }

    /// <summary>
    /// A light suffix-stripping stemmer so that inflections match ("knocks", "knocked", "knocking" → "knock"; "house",
    /// "houses" → "hous"). Deliberately crude and deterministic; it only has to map a spec's words and a story's
    /// inflections of them to the same key.
    /// </summary>
    public static string Stem(string word)
    {
        string w = word;
        if (w.Length > 5 && w.EndsWith("ing", StringComparison.Ordinal)) w = w[..^3];
        else if (w.Length > 4 && (w.EndsWith("ied", StringComparison.Ordinal) || w.EndsWith("ies", StringComparison.Ordinal))) w = w[..^3] + "y";
        else if (w.Length > 4 && (w.EndsWith("ed", StringComparison.Ordinal) || w.EndsWith("es", StringComparison.Ordinal))) w = w[..^2];
        else if (w.Length > 3 && w[^1] == 's' && !w.EndsWith("ss", StringComparison.Ordinal) && !w.EndsWith("us", StringComparison.Ordinal) && !w.EndsWith("is", StringComparison.Ordinal)) w = w[..^1];
        if (w.Length > 3 && w[^1] == 'e') w = w[..^1];
        return w;
    }

    /// <summary>The distinct stems of the content words of <paramref name="phrase"/> (not stop words, not single
    /// characters), in order of first appearance.</summary>
    public static List<string> ContentStems(string phrase)
    {
        var stems = new List<string>();
        foreach (string w in Words(phrase))
        {
            if (w.Length < 2 || StopWords.Contains(w)) continue;
            string s = Stem(w);
            if (!stems.Contains(s, StringComparer.Ordinal)) stems.Add(s);
        }
        return stems;
    }

    /// <summary>True when <paramref name="word"/> stems to <paramref name="stem"/>. Stemming only strips endings (and
    /// may add one "y"), so a cheap prefix test rules out almost every word before the stemmer allocates anything.</summary>
    public static bool StemsTo(string word, string stem)
    {
        int common = Math.Min(stem.Length - 1, word.Length);
        return string.CompareOrdinal(word, 0, stem, 0, common) == 0 && string.Equals(Stem(word), stem, StringComparison.Ordinal);
    }

    /// <summary>True when <paramref name="sequence"/> occurs contiguously in words[start..end).</summary>
    public static bool ContainsSequence(IReadOnlyList<string> words, IReadOnlyList<string> sequence, int start = 0, int end = -1) =>
        Occurrences(words, sequence, start, end).Any();

    /// <summary>Start indices of every contiguous occurrence of <paramref name="sequence"/> in words[start..end).</summary>
    public static IEnumerable<int> Occurrences(IReadOnlyList<string> words, IReadOnlyList<string> sequence, int start = 0, int end = -1)
    {
        if (end < 0) end = words.Count;
        if (sequence.Count == 0) yield break;
        for (int i = start; i + sequence.Count <= end; i++)
            if (MatchLength(words, i, sequence) == sequence.Count) yield return i;
    }

    /// <summary>How many leading words of <paramref name="sequence"/> the words from <paramref name="at"/> on repeat.</summary>
    public static int MatchLength(IReadOnlyList<string> words, int at, IReadOnlyList<string> sequence)
    {
        int k = 0;
        while (k < sequence.Count && at + k < words.Count && string.Equals(words[at + k], sequence[k], StringComparison.Ordinal)) k++;
        return k;
    }
}
