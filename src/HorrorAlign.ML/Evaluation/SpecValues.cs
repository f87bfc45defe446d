using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Text;

namespace HorrorAlign.ML.Evaluation;

/// <summary>
/// A spec's values as word sequences (<see cref="StoryText.Words"/>), the form every check matches them in. The noun
/// phrases (setting, object) drop one leading article or determiner, because a story writes "the brass key" for "a brass
/// key"; the taboo and twist keep every word, because "never" is the rule.
/// </summary>
internal sealed class SpecValues
{
    private static readonly HashSet<string> LeadingDeterminers = new(StringComparer.Ordinal)
        { "a", "an", "the", "this", "that", "these", "those", "my", "your", "his", "her", "its", "our", "their", "some" };

    public SpecValues(StorySpec spec)
    {
        Title = NounPhrase(spec.Title);
        Setting = NounPhrase(spec.Setting);
        Protagonist = StoryText.Words(spec.Protagonist);
        SupportingCharacter = StoryText.Words(spec.SupportingCharacter);
        Object = NounPhrase(spec.Object);
        Taboo = StoryText.Words(spec.Taboo);
        Twist = StoryText.Words(spec.Twist);
        Phrases = [Setting, Object, Taboo, Twist];
        Mentions = [Setting, Object, Taboo, Twist, Protagonist, SupportingCharacter];
        AllWords = new HashSet<string>(new[] { Title, Setting, Protagonist, SupportingCharacter, Object, Taboo, Twist }.SelectMany(w => w),
            StringComparer.Ordinal);
    }

    public string[] Title { get; }
    public string[] Setting { get; }
    public string[] Protagonist { get; }
    public string[] SupportingCharacter { get; }
    public string[] Object { get; }
    public string[] Taboo { get; }
    public string[] Twist { get; }

    /// <summary>The values a story copies as phrases: setting, object, taboo, twist.</summary>
    public IReadOnlyList<string[]> Phrases { get; }

    /// <summary>Everything a story mentions again and again without looping: the <see cref="Phrases"/> and both names
    /// ("María de los Ángeles …" five times is one character, not a loop).</summary>
    public IReadOnlyList<string[]> Mentions { get; }

    /// <summary>Every word of every field.</summary>
    public HashSet<string> AllWords { get; }

    /// <summary>The words of a noun phrase without one leading article or determiner ("a brass key" → "brass key").</summary>
    public static string[] NounPhrase(string phrase)
    {
        string[] words = StoryText.Words(phrase);
        return words.Length > 1 && LeadingDeterminers.Contains(words[0]) ? words[1..] : words;
    }

    /// <summary>Whole occurrences of the <paramref name="phrases"/> (<see cref="Phrases"/> or <see cref="Mentions"/>) of
    /// two or more words in <paramref name="words"/>, longest value first and never overlapping, as (start, length,
    /// index into <paramref name="phrases"/>).</summary>
    public static List<(int Start, int Length, int Value)> WholeOccurrences(IReadOnlyList<string> words, IReadOnlyList<string[]> phrases)
    {
        var taken = new bool[words.Count];
        var found = new List<(int, int, int)>();
        foreach (int v in Enumerable.Range(0, phrases.Count).Where(v => phrases[v].Length >= 2).OrderByDescending(v => phrases[v].Length))
            foreach (int start in StoryText.Occurrences(words, phrases[v]))
            {
                int length = phrases[v].Length;
                if (Enumerable.Range(start, length).Any(i => taken[i])) continue;
                for (int i = start; i < start + length; i++) taken[i] = true;
                found.Add((start, length, v));
            }
        found.Sort();
        return found;
    }
}
