namespace HorrorAlign.ML.Evaluation;

/// <summary>One pass over a story: its words (lowercased), the sentence each word belongs to, the paragraph count and
/// where the last paragraph starts. The checks then work on word indices without re-reading the text.</summary>
internal sealed class StoryAnalysis
{
    public StoryAnalysis(string story)
    {
        var words = new List<string>();
        var sentenceOf = new List<int>();
        var paragraphs = StoryText.Paragraphs(story);
        int sentence = 0;
        foreach (string p in paragraphs)
        {
            LastParagraphStart = words.Count;
            foreach (var (start, end) in StoryText.SentenceRanges(p))
            {
                int before = words.Count;
                StoryText.AppendWords(p, start, end, words);
                for (int i = before; i < words.Count; i++) sentenceOf.Add(sentence);
                sentence++;
            }
        }
        Words = [.. words];
        SentenceOf = [.. sentenceOf];
        SentenceCount = sentence;
        ParagraphCount = paragraphs.Count;
    }

    /// <summary>All words, lowercased.</summary>
    public string[] Words { get; }

    /// <summary>Sentence index of each word.</summary>
    public int[] SentenceOf { get; }

    /// <summary>Number of sentences.</summary>
    public int SentenceCount { get; }

    /// <summary>Number of non-empty paragraphs.</summary>
    public int ParagraphCount { get; }

    /// <summary>Index of the first word of the last paragraph.</summary>
    public int LastParagraphStart { get; }

    /// <summary>True when some sentence holds at least <paramref name="need"/> of the distinct <paramref name="stems"/>
    /// (at most 64 are considered).</summary>
    public bool OneSentenceHolds(IReadOnlyList<string> stems, int need)
    {
        int n = Math.Min(stems.Count, 64);
        var found = new ulong[SentenceCount];
        for (int i = 0; i < Words.Length; i++)
            for (int j = 0; j < n; j++)
                if (StoryText.StemsTo(Words[i], stems[j])) found[SentenceOf[i]] |= 1UL << j;
        return found.Any(mask => System.Numerics.BitOperations.PopCount(mask) >= need);
    }

    /// <summary>True when some word stems to <paramref name="stem"/>.</summary>
    public bool HasStem(string stem) => Words.Any(w => StoryText.StemsTo(w, stem));

    /// <summary>True when some run of <paramref name="span"/> words occurs twice (hash of the run, confirmed word by word).</summary>
    public bool HasRepeatedSpan(int span)
    {
        var starts = new Dictionary<ulong, List<int>>();
        int[] ids = WordIds();
        for (int i = 0; i + span <= ids.Length; i++)
        {
            ulong h = 14695981039346656037UL; // FNV-1a over the run's word ids
            for (int k = 0; k < span; k++) h = (h ^ (ulong)ids[i + k]) * 1099511628211UL;
            if (!starts.TryGetValue(h, out var list)) starts[h] = list = [];
            foreach (int other in list)
                if (ids.AsSpan(other, span).SequenceEqual(ids.AsSpan(i, span))) return true;
            list.Add(i);
        }
        return false;
    }

    private int[] WordIds()
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var result = new int[Words.Length];
        for (int i = 0; i < Words.Length; i++)
        {
            if (!ids.TryGetValue(Words[i], out int id)) ids[Words[i]] = id = ids.Count;
            result[i] = id;
        }
        return result;
    }
}
