namespace HorrorAlign.ML.Evaluation;

/// <summary>
/// The loops a small model falls into. Two shapes: a run of <see cref="StoryChecks.RepeatedSpanWords"/> tokens that
/// occurs twice anywhere, where each whole occurrence of a spec phrase or name counts as ONE token (so a twelve-word
/// object or a five-word name mentioned twice is not a loop, but the words around it still are); and a run of at least
/// <see cref="MinTandemWords"/> words followed at once by itself ("said Mina's name aloud's name aloud"), except a short
/// sentence said twice as two whole sentences ("Let me in. Let me in.").
/// </summary>
internal static class Repetition
{
    /// <summary>Shortest run that counts when immediately repeated.</summary>
    public const int MinTandemWords = 3;

    /// <summary>True when the story holds either kind of loop.</summary>
    public static bool HasLoop(StoryAnalysis story, SpecValues values) =>
        HasRepeatedRun(Tokens(story.Words, values), StoryChecks.RepeatedSpanWords) || HasTandem(story);

    /// <summary>Word ids, each whole spec-phrase occurrence collapsed into one id of its own.</summary>
    private static int[] Tokens(string[] words, SpecValues values)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var tokens = new List<int>(words.Length);
        var occurrences = SpecValues.WholeOccurrences(words, values.Mentions);
        int next = 0;
        for (int i = 0; i < words.Length; i++)
        {
            if (next < occurrences.Count && occurrences[next].Start == i)
            {
                // Negative ids cannot collide with word ids.
                tokens.Add(-1 - occurrences[next].Value);
                i += occurrences[next++].Length - 1;
                continue;
            }
            if (!ids.TryGetValue(words[i], out int id)) ids[words[i]] = id = ids.Count;
            tokens.Add(id);
        }
        return [.. tokens];
    }

    /// <summary>True when some run of <paramref name="span"/> tokens occurs twice (hash of the run, confirmed token by token).</summary>
    private static bool HasRepeatedRun(int[] tokens, int span)
    {
        var starts = new Dictionary<ulong, List<int>>();
        for (int i = 0; i + span <= tokens.Length; i++)
        {
            ulong h = 14695981039346656037UL; // FNV-1a over the run's tokens
            for (int k = 0; k < span; k++) h = (h ^ (ulong)(uint)tokens[i + k]) * 1099511628211UL;
            if (!starts.TryGetValue(h, out var list)) starts[h] = list = [];
            foreach (int other in list)
                if (tokens.AsSpan(other, span).SequenceEqual(tokens.AsSpan(i, span))) return true;
            list.Add(i);
        }
        return false;
    }

    private static bool HasTandem(StoryAnalysis story)
    {
        string[] w = story.Words;
        for (int length = MinTandemWords; 2 * length <= w.Length; length++)
            for (int i = 0; i + 2 * length <= w.Length; i++)
            {
                int k = 0;
                while (k < length && string.Equals(w[i + k], w[i + length + k], StringComparison.Ordinal)) k++;
                if (k == length && !IsSentenceSaidTwice(story, i, length)) return true;
            }
        return false;
    }

    // A short line repeated as two whole sentences reads as deliberate; a loop of a long sentence is caught as a repeated run.
    private static bool IsSentenceSaidTwice(StoryAnalysis story, int start, int length) =>
        length < StoryChecks.RepeatedSpanWords && story.SentenceBoundaryAt(start) && story.SentenceBoundaryAt(start + length) &&
        story.SentenceBoundaryAt(start + 2 * length);
}
