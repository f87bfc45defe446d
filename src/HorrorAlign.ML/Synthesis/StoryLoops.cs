using HorrorAlign.ML.Data;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Text;

namespace HorrorAlign.ML.Synthesis;

/// <summary>
/// Injects the repetition loop a small model falls into after copying a value from its prompt, for the
/// <see cref="PairKind.RepeatedSpan"/> rejection. Three patterns, each taken from real generations:
/// <list type="bullet">
/// <item>Restart: right after a spec value (or at the end of a sentence) the text jumps back to an earlier word of the
/// same sentence and repeats the span up to that point, once or twice: "… noticed in a roadside motel beside a dead
/// highway noticed in a roadside motel beside a dead highway was the silence". A jump back to the sentence's first word
/// restarts the sentence: "… beside a dead highway. The first thing Paul noticed in … was the silence".</item>
/// <item>Jump to an earlier copy: after a value's second occurrence the text goes on as it did after the first, so
/// everything between them repeats: "… still waiting for Pieter knows better, and so does whatever is still waiting for
/// Pieter to come back".</item>
/// <item>Repeated sentence: a whole sentence, often the opening one, written twice or three times in a row.</item>
/// </list>
/// A repeated span has at least <see cref="StoryChecks.RepeatedSpanWords"/> words, is copied verbatim and never crosses a
/// paragraph break, so the story fails <c>no_repeated_spans</c> and, with the same words and paragraphs, nothing else;
/// <see cref="StoryWriter.TryWritePair"/> verifies that.
/// </summary>
internal static class StoryLoops
{
    private const int MinSpanWords = StoryChecks.RepeatedSpanWords;
    private const int MaxSpanWords = 16;
    // Bound on the words a loop adds, so a rejected story stays within the training context beside its prompt.
    private const int MaxAddedWords = 36;

    private delegate string? Pattern(StorySpec spec, string story, int repeats, Random rng);

    private static readonly Pattern[] Patterns = [Restart, JumpToEarlierCopy, RepeatSentence];
    // Restart is the commonest loop in samples, a repeated sentence the next.
    private static readonly int[] PatternWeights = [5, 2, 3];

    /// <summary>The story with one loop injected, or null when no pattern fits (a story of short sentences only).</summary>
    public static string? Inject(StorySpec spec, string story, Random rng)
    {
        int first = WeightedIndex(PatternWeights, rng);
        int repeats = rng.Next(3) == 0 ? 2 : 1;
        // The drawn pattern first, then the others in a fixed order, so the result depends only on the rng.
        for (int i = 0; i < Patterns.Length; i++)
        {
            string? looped = Patterns[(first + i) % Patterns.Length](spec, story, repeats, rng);
            if (looped is not null) return looped;
        }
        return null;
    }

    /// <summary>Repeats story[start..end) right after <paramref name="end"/>, each copy after <paramref name="separator"/>.</summary>
    private static string Splice(string story, int start, int end, string separator, int repeats)
    {
        string span = story[start..end];
        int added = StoryText.Words(span).Length;
        if (added * repeats > MaxAddedWords) repeats = 1;
        return string.Concat(story[..end], string.Concat(Enumerable.Repeat(separator + span, repeats)), story[end..]);
    }

    private static string? Restart(StorySpec spec, string story, int repeats, Random rng)
    {
        var sentences = Sentences(story);
        // Where a loop can start: after a value, or after a sentence's last word.
        var ends = ValueEnds(spec, story).Select(v => v.End)
            .Concat(sentences.Select(s => ContentEnd(story, s.Start, s.End)).Where(e => e > 0))
            .Distinct().Order().ToList();
        var candidates = new List<(int Start, int End)>();
        foreach (int end in ends)
        {
            int sentence = sentences.FindIndex(s => s.Start < end && end <= s.End);
            if (sentence < 0) continue;
            foreach (int start in TokenStarts(story, sentences[sentence].Start, end))
                if (StoryText.Words(story[start..end]).Length is >= MinSpanWords and <= MaxSpanWords) candidates.Add((start, end));
        }
        if (candidates.Count == 0) return null;
        var (s, e) = candidates[rng.Next(candidates.Count)];
        bool restartsSentence = sentences.Any(x => x.Start == s);
        // A jump back to the sentence's first word reads as a new sentence; mid-sentence it runs on, sometimes after a comma.
        string separator = restartsSentence ? ". " : rng.Next(3) == 0 ? ", " : " ";
        return Splice(story, s, e, separator, repeats);
    }

    private static string? JumpToEarlierCopy(StorySpec spec, string story, int repeats, Random rng)
    {
        var values = ValueEnds(spec, story);
        var candidates = new List<(int First, int Second)>();
        foreach (var a in values)
            foreach (var b in values)
            {
                if (a.Value != b.Value || a.End >= b.End || story.AsSpan(a.End, b.End - a.End).Contains('\n')) continue;
                // The repeated run is the value plus what lies between: at least MinSpanWords words with the value.
                int between = StoryText.Words(story[a.End..b.End]).Length;
                if (between is >= MinSpanWords - 1 and <= MaxAddedWords) candidates.Add((a.End, b.End));
            }
        if (candidates.Count == 0) return null;
        var (first, second) = candidates[rng.Next(candidates.Count)];
        return Splice(story, first, second, "", repeats);
    }

    private static string? RepeatSentence(StorySpec spec, string story, int repeats, Random rng)
    {
        var sentences = Sentences(story).Where(s => StoryText.Words(story[s.Start..s.End]).Length >= MinSpanWords).ToList();
        if (sentences.Count == 0) return null;
        // Half the time the opening sentence, the one samples most often wrote twice.
        var (start, end) = sentences[0].Start == 0 && rng.Next(2) == 0 ? sentences[0] : sentences[rng.Next(sentences.Count)];
        return Splice(story, start, end, " ", repeats);
    }

    /// <summary>Every sentence as an absolute [start, end) range, its final punctuation included.</summary>
    private static List<(int Start, int End)> Sentences(string story)
    {
        var sentences = new List<(int, int)>();
        int offset = 0;
        foreach (string paragraph in story.Split("\n\n"))
        {
            foreach (var (start, end) in StoryText.SentenceRanges(paragraph)) sentences.Add((offset + start, offset + end));
            offset += paragraph.Length + 2;
        }
        return sentences;
    }

    /// <summary>The end of a sentence's last word (before its closing punctuation and quotes), or 0 when that word is
    /// an abbreviation such as "a.m.".</summary>
    private static int ContentEnd(string story, int start, int end)
    {
        while (end > start && !char.IsLetterOrDigit(story[end - 1])) end--;
        return end > start && IsCleanWordEnd(story, end) ? end : 0;
    }

    /// <summary>Token starts (after whitespace, at a letter or digit, so no quote mark is copied) in [from, to).</summary>
    private static IEnumerable<int> TokenStarts(string story, int from, int to)
    {
        for (int i = from; i < to; i++)
            if (char.IsLetterOrDigit(story[i]) && (i == from || char.IsWhiteSpace(story[i - 1]))) yield return i;
    }

    /// <summary>Where each occurrence of a spec value ends in the story, with the value's index. Values are matched
    /// case-insensitively on word boundaries, the object without its article (so "a brass key" and "the brass key"
    /// are one value) and the taboo and twist without closing punctuation.</summary>
    private static List<(int Value, int End)> ValueEnds(StorySpec spec, string story)
    {
        string obj = English.Definite(spec.Object);
        string[] values =
        [
            spec.Protagonist, spec.SupportingCharacter, English.InSentence(spec.Setting),
            obj.StartsWith("the ", StringComparison.Ordinal) ? obj[4..] : obj,
            spec.Taboo.TrimEnd('.', ',', '!', '?'), spec.Twist.TrimEnd('.', ',', '!', '?'),
        ];
        var ends = new List<(int, int)>();
        for (int v = 0; v < values.Length; v++)
        {
            string value = values[v];
            if (value.Length == 0) continue;
            for (int i = story.IndexOf(value, StringComparison.OrdinalIgnoreCase); i >= 0;
                 i = story.IndexOf(value, i + 1, StringComparison.OrdinalIgnoreCase))
            {
                int end = i + value.Length;
                bool boundaries = (i == 0 || !char.IsLetterOrDigit(story[i - 1])) && (end == story.Length || !char.IsLetterOrDigit(story[end]));
                if (boundaries && char.IsLetterOrDigit(story[end - 1]) && IsCleanWordEnd(story, end)) ends.Add((v, end));
            }
        }
        return ends;
    }

    /// <summary>False when the word ending at <paramref name="end"/> is part of a dotted abbreviation ("a.m"), where a
    /// loop would split the abbreviation.</summary>
    private static bool IsCleanWordEnd(string story, int end)
    {
        for (int i = end - 1; i >= 0 && !char.IsWhiteSpace(story[i]); i--)
            if (story[i] == '.') return false;
        return end >= story.Length || story[end] != '.' || end + 1 >= story.Length || !char.IsLetter(story[end + 1]);
    }

    private static int WeightedIndex(int[] weights, Random rng)
    {
        int r = rng.Next(weights.Sum());
        for (int i = 0; ; i++)
            if ((r -= weights[i]) < 0) return i;
    }
}
