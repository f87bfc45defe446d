using HorrorAlign.ML.Text;

namespace HorrorAlign.ML.Evaluation;

/// <summary>One pass over a story: its words (lowercased), the sentence each word belongs to, which words open a clause,
/// the paragraph counts and where the last paragraph starts. The checks then work on word indices without re-reading
/// the text.</summary>
internal sealed class StoryAnalysis
{
    /// <summary>Fewest words a sentence needs to make the paragraph holding it count.</summary>
    public const int FullSentenceWords = 4;

    public StoryAnalysis(string story)
    {
        var words = new List<string>();
        var sentenceOf = new List<int>();
        var clauseStarts = new List<bool>();
        var paragraphs = StoryText.Paragraphs(story);
        int sentence = 0;
        foreach (string p in paragraphs)
        {
            LastParagraphStart = words.Count;
            bool full = false;
            foreach (var (start, end) in StoryText.SentenceRanges(p))
            {
                int before = words.Count;
                StoryText.AppendWords(p, start, end, words, clauseStarts);
                for (int i = before; i < words.Count; i++) sentenceOf.Add(sentence);
                sentence++;
                full |= words.Count - before >= FullSentenceWords && EndsSentence(p, start, end);
            }
            if (full) ParagraphCount++;
        }
        Words = [.. words];
        SentenceOf = [.. sentenceOf];
        ClauseStart = [.. clauseStarts];
        BlockCount = paragraphs.Count;
    }

    /// <summary>All words, lowercased.</summary>
    public string[] Words { get; }

    /// <summary>Sentence index of each word.</summary>
    public int[] SentenceOf { get; }

    /// <summary>Whether each word opens a clause: first in its sentence, or after ":", ";", a double quote, a dash or
    /// "(".</summary>
    public bool[] ClauseStart { get; }

    /// <summary>Number of non-empty blocks separated by blank lines.</summary>
    public int BlockCount { get; }

    /// <summary>Number of paragraphs that count: blocks holding at least one full sentence (<see cref="FullSentenceWords"/>
    /// or more words, ending in ".", "!", "?" or "…", closing quotes allowed).</summary>
    public int ParagraphCount { get; }

    /// <summary>Index of the first word of the last non-empty block.</summary>
    public int LastParagraphStart { get; }

    /// <summary>True when the word at <paramref name="i"/> opens a sentence or <paramref name="i"/> is past the end.</summary>
    public bool SentenceBoundaryAt(int i) => i <= 0 || i >= Words.Length || SentenceOf[i] != SentenceOf[i - 1];

    private static bool EndsSentence(string p, int start, int end)
    {
        while (end > start && p[end - 1] is '"' or '\'' or ')' or '\u201d' or '\u2019') end--;
        return end > start && p[end - 1] is '.' or '!' or '?' or '\u2026';
    }
}
