using HorrorAlign.ML.Text;

namespace HorrorAlign.ML.Evaluation;

/// <summary>
/// Values that a story starts to copy and then cuts or splices, the way a small model's copy mechanism fails: "never
/// answer a call sign you do not recogn…", "a locket with a broken clkeeper's lantern", "In a lakeside chapel after
/// closing the village from beneath it", two names fused into "Ottolinatius".
/// <para>
/// A copy of a phrase value (setting, object, taboo, twist; at least three words) starts wherever the story holds its
/// first <see cref="AnchorWords"/> words (two for a three-word value). A copy that stops short of the whole value is
/// broken when the word where it stops is a cut or fused form of the value's next word (the same first two letters,
/// another stem, neither a stop word: "recogn" for "recognise"), when the text goes on, at once or after one stop word,
/// with two or more words of a value (any of the four, from any position, one of them not a stop word) instead, or when it ends its sentence on a stop word
/// ("… you do not."). A copy that overlaps a whole occurrence of another value is part of that value (values share
/// words: "the vicar's voice…" and "the vicar's carved crane"). A copy that stops cleanly ("the old apartment building
/// was dark") is a natural short reference. A fused name is a word that is no word of the spec and is a prefix of one character's name followed by a suffix of
/// the other's, each at least <see cref="MinNamePart"/> letters.
/// </para>
/// </summary>
internal static class SplicedValues
{
    /// <summary>How many leading words of a value of four or more words mark a copy of it.</summary>
    public const int AnchorWords = 3;

    /// <summary>Shortest part of a name that counts in a fused name.</summary>
    public const int MinNamePart = 3;

    /// <summary>True when some copy of a value is cut or spliced, or the two names are fused.</summary>
    public static bool Any(StoryAnalysis story, SpecValues values)
    {
        // The value whose whole occurrence covers each word, -1 for none.
        var coveredBy = new int[story.Words.Length];
        Array.Fill(coveredBy, -1);
        foreach (var (start, length, value) in SpecValues.WholeOccurrences(story.Words, values.Phrases))
            Array.Fill(coveredBy, value, start, length);
        return Enumerable.Range(0, values.Phrases.Count).Any(v => HasBrokenCopy(story, values, v, coveredBy)) || HasFusedName(story.Words, values);
    }

    private static bool HasBrokenCopy(StoryAnalysis story, SpecValues values, int v, int[] coveredBy)
    {
        string[] value = values.Phrases[v];
        if (value.Length < 3) return false;
        int anchor = value.Length == 3 ? 2 : AnchorWords;
        string[] w = story.Words;
        for (int i = 0; i + anchor <= w.Length; i++)
        {
            int m = StoryText.MatchLength(w, i, value);
            if (m < anchor || m == value.Length) continue;
            int j = i + m;
            if (coveredBy.AsSpan(i, m).IndexOfAnyExcept(-1, v) >= 0) continue;
            if (j < w.Length && IsCutWord(w[j], value[m])) return true;
            if (j < w.Length && (RunsIntoAValue(w, j, values) || (StoryText.StopWords.Contains(w[j]) && RunsIntoAValue(w, j + 1, values))))
                return true;
            if (story.SentenceBoundaryAt(j) && StoryText.StopWords.Contains(value[m - 1])) return true;
        }
        return false;
    }

    private static bool IsCutWord(string word, string expected) =>
        word.Length >= 2 && expected.Length >= 2 && word[0] == expected[0] && word[1] == expected[1] &&
        !StoryText.StopWords.Contains(word) && !StoryText.StopWords.Contains(expected) &&
        !string.Equals(StoryText.Stem(word), StoryText.Stem(expected), StringComparison.Ordinal);

    private static bool RunsIntoAValue(string[] words, int at, SpecValues values)
    {
        foreach (string[] value in values.Phrases)
            for (int q = 0; q + 1 < value.Length; q++)
            {
                int m = StoryText.MatchLength(words, at, value[q..]);
                if (m >= 2 && words.Skip(at).Take(m).Any(x => !StoryText.StopWords.Contains(x))) return true;
            }
        return false;
    }

    private static bool HasFusedName(string[] words, SpecValues values)
    {
        string[] names = [.. values.Protagonist.Concat(values.SupportingCharacter).Where(n => n.Length >= MinNamePart).Distinct()];
        foreach (string word in words.Where(x => x.Length >= 2 * MinNamePart && !values.AllWords.Contains(x)).Distinct())
            foreach (string head in names)
                foreach (string tail in names)
                    if (!string.Equals(head, tail, StringComparison.Ordinal) && IsFusion(word, head, tail)) return true;
        return false;
    }

    private static bool IsFusion(string word, string head, string tail)
    {
        for (int split = MinNamePart; split <= word.Length - MinNamePart; split++)
            if (split <= head.Length && word.AsSpan(0, split).SequenceEqual(head.AsSpan(0, split)) &&
                word.Length - split <= tail.Length && tail.AsSpan().EndsWith(word.AsSpan(split)))
                return true;
        return false;
    }
}
