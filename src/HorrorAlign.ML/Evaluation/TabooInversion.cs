using HorrorAlign.ML.Text;

namespace HorrorAlign.ML.Evaluation;

/// <summary>
/// A taboo stated the wrong way round: "never look into the mirror" written as "Always look into the mirror". The taboo's
/// content is its words after its first negation ("never", "not", the "t" of "don't", "no", "nor", "cannot"); it needs
/// at least two words. For a prohibition, an occurrence of the content is inverted when none of the three words before
/// it in its sentence is a negation and it opens a clause (an imperative: sentence start, or after ":", ";", a quote,
/// a dash) or follows "always", "do", "must" or "should". A taboo without a negation ("always keep a candle lit") is
/// inverted when its content, after leading "always"/"do"/"must"/"you", follows a clause-opening "never", "do not" or
/// "don't". Narration of the rule being broken ("Mina looked into the mirror") is not an inversion.
/// </summary>
internal static class TabooInversion
{
    private static readonly HashSet<string> Negations = new(StringComparer.Ordinal) { "never", "not", "t", "no", "nor", "cannot", "dont" };
    private static readonly HashSet<string> Affirmations = new(StringComparer.Ordinal) { "always", "do", "must", "should" };
    private const int NegationReach = 3;

    /// <summary>True when the story holds the taboo <paramref name="taboo"/> (its words) inverted.</summary>
    public static bool IsInverted(string[] taboo, StoryAnalysis story)
    {
        int negation = Array.FindIndex(taboo, Negations.Contains);
        if (negation >= 0)
        {
            string[] content = taboo[(negation + 1)..];
            return content.Length >= 2 && StoryText.Occurrences(story.Words, content).Any(i => !NegatedBefore(story, i) && ReadsAsARule(story, i));
        }
        int skip = 0;
        while (skip < taboo.Length && (Affirmations.Contains(taboo[skip]) || taboo[skip] == "you")) skip++;
        string[] positive = taboo[skip..];
        return positive.Length >= 2 && StoryText.Occurrences(story.Words, positive).Any(i => ProhibitedBefore(story, i));
    }

    private static bool NegatedBefore(StoryAnalysis story, int i)
    {
        for (int k = i - 1; k >= Math.Max(0, i - NegationReach) && story.SentenceOf[k] == story.SentenceOf[i]; k--)
            if (Negations.Contains(story.Words[k])) return true;
        return false;
    }

    private static bool ReadsAsARule(StoryAnalysis story, int i) =>
        story.ClauseStart[i] || (i > 0 && story.SentenceOf[i - 1] == story.SentenceOf[i] && Affirmations.Contains(story.Words[i - 1]));

    private static bool ProhibitedBefore(StoryAnalysis story, int i)
    {
        string[] w = story.Words;
        bool OpensAt(int k) => k >= 0 && story.ClauseStart[k] && story.SentenceOf[k] == story.SentenceOf[i];
        return (OpensAt(i - 1) && w[i - 1] is "never" or "dont") ||
               (OpensAt(i - 2) && w[i - 2] is "do" or "don" && w[i - 1] is "not" or "t");
    }
}
