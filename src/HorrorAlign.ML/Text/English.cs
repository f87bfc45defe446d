namespace HorrorAlign.ML.Text;

/// <summary>
/// The few grammar rules needed to insert spec values into sentences without the original generator's artefacts
/// ("the a brass key", "learned the never answer knocks… the hard way"). All culture-invariant.
/// </summary>
internal static class English
{
    // Words that already determine a noun phrase: "the" must not be put in front of them.
    private static readonly string[] Determiners =
        ["the", "this", "that", "these", "those", "my", "your", "his", "her", "its", "our", "their", "some", "every", "each", "no", "one"];

    /// <summary>A noun phrase as it reads inside a sentence: a leading article or determiner is lowercased ("The
    /// lighthouse logbook" → "the lighthouse logbook"); anything else (proper nouns) is left alone.</summary>
    public static string InSentence(string phrase)
    {
        int space = phrase.IndexOf(' ');
        if (space <= 0) return phrase;
        string first = phrase[..space];
        bool isArticle = first is "A" or "An" || Determiners.Contains(first.ToLowerInvariant(), StringComparer.Ordinal);
        return isArticle && char.IsUpper(first[0]) ? char.ToLowerInvariant(first[0]) + phrase[1..] : phrase;
    }

    /// <summary>
    /// The definite form of a noun phrase for a second mention: "a brass key" → "the brass key", "an old music box" →
    /// "the old music box"; phrases that are already determined ("the lighthouse logbook", "her ring", "Mina's diary")
    /// stay as they are; a bare noun gets "the" ("candles" → "the candles").
    /// </summary>
    public static string Definite(string phrase)
    {
        string p = InSentence(phrase);
        int space = p.IndexOf(' ');
        string first = space < 0 ? p : p[..space];
        if (space > 0 && first is "a" or "an") return "the" + p[space..];
        if (Determiners.Contains(first, StringComparer.Ordinal) || first.EndsWith("'s", StringComparison.Ordinal) ||
            first.EndsWith("s'", StringComparison.Ordinal) || (first.Length > 0 && char.IsUpper(first[0])))
            return p;
        return "the " + p;
    }

    // Words that open an imperative rule or a clause and are lowercased when the value continues a sentence; any other
    // first word (a name, "I") keeps its capital.
    private static readonly string[] ClauseOpeners =
        ["never", "do", "don't", "always", "only", "keep", "the", "a", "an", "there", "it", "every", "each", "no", "nobody",
         "someone", "something", "all", "one", "this", "that", "whoever", "whatever", "if", "when", "once"];

    /// <summary>A rule or clause as it reads after a colon or inside a sentence: "Never answer…" → "never answer…",
    /// but "Kai was never there" keeps its capital.</summary>
    public static string LowerStart(string clause)
    {
        int space = clause.IndexOf(' ');
        string first = space < 0 ? clause : clause[..space];
        return first.Length > 0 && char.IsUpper(first[0]) && ClauseOpeners.Contains(first.ToLowerInvariant(), StringComparer.Ordinal)
            ? char.ToLowerInvariant(clause[0]) + clause[1..]
            : clause;
    }

    /// <summary>"a"/"an" for a phrase by the sound of its first word: "an old", "an hourglass", but "a one-eyed", "a
    /// uniform", "a used".</summary>
    public static string IndefiniteArticle(string phrase)
    {
        string w = phrase.ToLowerInvariant();
        if (w.StartsWith("one", StringComparison.Ordinal) || w.StartsWith("uni", StringComparison.Ordinal) ||
            w.StartsWith("use", StringComparison.Ordinal) || w.StartsWith("eu", StringComparison.Ordinal))
            return "a";
        if ("aeiou".Contains(w[0]) || w.StartsWith("hour", StringComparison.Ordinal) || w.StartsWith("heir", StringComparison.Ordinal) ||
            w.StartsWith("honest", StringComparison.Ordinal))
            return "an";
        return "a";
    }

    /// <summary>A phrase with its indefinite article in front: "old key" → "an old key", "brass key" → "a brass key".</summary>
    public static string WithIndefiniteArticle(string phrase) => IndefiniteArticle(phrase) + " " + phrase;

    // Words that Title Case leaves in lower case unless they open the title.
    private static readonly HashSet<string> TitleSmallWords = new(StringComparer.Ordinal)
        { "a", "an", "the", "of", "in", "at", "on", "to", "and", "by", "for" };

    /// <summary>Title Case: capitalises every word except small function words that are not first ("the lantern at
    /// crow fen" → "The Lantern at Crow Fen"); hyphenated words are capitalised part by part ("Upside-Down"). Letters
    /// already in upper case stay so.</summary>
    public static string TitleCase(string title)
    {
        string[] words = title.Split(' ');
        for (int i = 0; i < words.Length; i++)
        {
            if (i > 0 && TitleSmallWords.Contains(words[i])) continue;
            words[i] = string.Join('-', words[i].Split('-').Select(part => part.Length == 0 ? part : char.ToUpperInvariant(part[0]) + part[1..]));
        }
        return string.Join(' ', words);
    }

    /// <summary>Possessive of a name. One rule for all names, sibilant endings included: "Mina's", "James's". A name
    /// that ends in a relative clause takes the possessive on the name before it ("old Yannick, who counts the boats" →
    /// "old Yannick's", not "…the boats's"); an apposition keeps it at the end ("the caretaker, Wanda" → "…Wanda's").</summary>
    public static string Possessive(string name)
    {
        int clause = RelativeClauseStart(name);
        return (clause > 0 ? name[..clause].TrimEnd(' ', ',') : name) + "'s";
    }

    private static readonly string[] RelativePronouns = [" who ", " whose ", " which ", " that "];

    /// <summary>Where a relative clause starts in <paramref name="name"/> ("the man who …"), or -1.</summary>
    private static int RelativeClauseStart(string name)
    {
        int first = -1;
        foreach (string pronoun in RelativePronouns)
        {
            int at = name.IndexOf(pronoun, StringComparison.OrdinalIgnoreCase);
            if (at > 0 && (first < 0 || at < first)) first = at;
        }
        return first;
    }

    /// <summary>Upper-cases the first letter (skipping opening quotes), for text that starts a sentence.</summary>
    public static string Capitalize(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsLetter(text[i]))
                return char.IsUpper(text[i]) ? text : string.Concat(text.AsSpan(0, i), char.ToUpperInvariant(text[i]).ToString(), text.AsSpan(i + 1));
            if (text[i] is not ('"' or '\'' or ' ')) return text;
        }
        return text;
    }

    /// <summary>Ends a clause as a sentence: adds a full stop unless it already ends with ".", "!" or "?" (so
    /// "after 2 a.m." does not become "a.m..").</summary>
    public static string EndSentence(string clause) =>
        clause.Length > 0 && clause[^1] is '.' or '!' or '?' ? clause : clause + ".";

    /// <summary>Ends a quoted clause that a speech tag follows: "…2 a.m.," but "…is it?" (no comma after ? or !).</summary>
    public static string EndQuote(string clause) =>
        clause.Length > 0 && clause[^1] is '!' or '?' ? clause : clause + ",";
}
