using System.Text.RegularExpressions;
using HorrorAlign.ML.Data;
using HorrorAlign.ML.Specs;

namespace HorrorAlign.ML.Evaluation;

/// <summary>
/// Constraint checks of a story against its spec: the poster's "constraint-based evaluation" (paragraph count, taboo
/// mention, twist inclusion, ending implication) plus the artefacts its samples showed. They read only the spec and the
/// text, never generator metadata, so they grade model generations and template stories alike.
/// <para>
/// All matching is on words (maximal letter/digit runs), case-insensitive, so word boundaries hold. The rules:
/// </para>
/// <list type="bullet">
/// <item><c>paragraph_count</c>: 2 to 4 non-empty paragraphs separated by blank lines.</item>
/// <item><c>protagonist_named</c>, <c>supporting_character_named</c>: the name's words occur in sequence.</item>
/// <item><c>object_used</c>: the object's head noun occurs (stemmed): the last word after dropping the article and
/// anything from the first preposition on, so "a diary with a broken clasp" needs "diary".</item>
/// <item><c>taboo_honoured</c> and <c>twist_paid_off</c>: the phrase's key content words are its words minus stop and
/// rule words ("never", "do", "not", "always", …), stemmed. Some single sentence must hold all of them when there are
/// at most two, else at least two thirds (rounded up). Requiring one sentence, not the whole story, means scattered
/// common words ("door" here, "open" there) do not count as stating "never open the cellar door".</item>
/// <item><c>unsettling_ending</c>: the last paragraph holds an unsettling cue (waiting, still, again, behind, cold…)
/// and no resolution or comfort cue (relieved, laughed, safe and sound, harmless, coincidence…).</item>
/// <item><c>not_graphic</c>: no word from the gore lexicon (blood, severed, entrails…).</item>
/// <item><c>no_wrong_character</c>: no first name from the known names (default: every pool name, held-out ones
/// included) other than the spec's two characters and names that occur in the spec's other fields.</item>
/// <item><c>no_end_markers</c>: no <c>&lt;|…|&gt;</c> token, <c>&lt;/s&gt;</c>, <c>&lt;s&gt;</c>, <c>&lt;eos&gt;</c>,
/// <c>&lt;pad&gt;</c>, <c>&lt;unk&gt;</c> or <c>[EOS]</c>.</item>
/// <item><c>no_repeated_spans</c>: no run of 8 words occurs twice (the original samples repeated 20-word spans).</item>
/// <item><c>no_doubled_articles</c>: no "the a", "a the", "the the", "an the"… ("a.m." is not an article).</item>
/// </list>
/// </summary>
public static partial class StoryChecks
{
    /// <summary>Length of the shortest word span that counts as a repetition.</summary>
    public const int RepeatedSpanWords = 8;

    private static readonly HashSet<string> ObjectDeterminers = new(StringComparer.Ordinal)
        { "a", "an", "the", "this", "that", "my", "your", "his", "her", "its", "our", "their", "some", "one" };

    private static readonly HashSet<string> Prepositions = new(StringComparer.Ordinal)
        { "of", "with", "from", "in", "on", "at", "for", "to", "without", "by", "under", "behind", "that", "which", "who" };

    [GeneratedRegex(@"<\|[^|<>\s]{1,40}\|>|</?s>|<(?:eos|bos|pad|unk)>|\[(?:eos|end|pad)\]", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex EndMarker();

    [GeneratedRegex(@"\b(?:a|an|the)\s+(?:a|an|the)\b(?!\.)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DoubledArticle();

    private static readonly NameIndex DefaultNames = new(ValuePools.Default.Names);

    /// <summary>Checks <paramref name="story"/> against <paramref name="spec"/>, treating every name of
    /// <see cref="ValuePools.Default"/> as a possible wrong character.</summary>
    /// <exception cref="SpecValidationException">The spec is invalid.</exception>
    public static StoryCheckResult Check(StorySpec spec, string story) => Check(spec, story, DefaultNames);

    /// <summary>Checks <paramref name="story"/> against <paramref name="spec"/>, with <paramref name="knownNames"/> as
    /// the names that must not appear besides the spec's characters.</summary>
    public static StoryCheckResult Check(StorySpec spec, string story, IEnumerable<string> knownNames) =>
        Check(spec, story, new NameIndex(knownNames ?? throw new ArgumentNullException(nameof(knownNames))));

    internal static StoryCheckResult Check(StorySpec spec, string story, NameIndex knownNames)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(story);
        spec.Validate();

        var analysis = new StoryAnalysis(story);
        string[] words = analysis.Words;
        var unexpected = UnexpectedNames(spec, words, knownNames);

        var passed = new bool[StoryCheckNames.Checks.Count];
        passed[(int)StoryCheck.ParagraphCount] = analysis.ParagraphCount is >= 2 and <= 4;
        passed[(int)StoryCheck.ProtagonistNamed] = StoryText.ContainsSequence(words, StoryText.Words(spec.Protagonist));
        passed[(int)StoryCheck.SupportingCharacterNamed] = StoryText.ContainsSequence(words, StoryText.Words(spec.SupportingCharacter));
        passed[(int)StoryCheck.ObjectUsed] = ObjectHead(spec.Object) is not { } head || analysis.HasStem(StoryText.Stem(head));
        passed[(int)StoryCheck.TabooHonoured] = KeyContentInOneSentence(spec.Taboo, analysis);
        passed[(int)StoryCheck.TwistPaidOff] = KeyContentInOneSentence(spec.Twist, analysis);
        passed[(int)StoryCheck.UnsettlingEnding] = analysis.ParagraphCount > 0 && UnsettlingEnding(words, analysis.LastParagraphStart);
        passed[(int)StoryCheck.NotGraphic] = !words.Any(StoryLexicon.Gore.Contains);
        passed[(int)StoryCheck.NoWrongCharacter] = unexpected.Count == 0;
        passed[(int)StoryCheck.NoEndMarkers] = !EndMarker().IsMatch(story);
        passed[(int)StoryCheck.NoRepeatedSpans] = !analysis.HasRepeatedSpan(RepeatedSpanWords);
        passed[(int)StoryCheck.NoDoubledArticles] = !DoubledArticle().IsMatch(story);
        return new StoryCheckResult(passed, analysis.ParagraphCount, unexpected);
    }

    /// <summary>The head noun of an object phrase: drop leading determiners, cut at the first preposition, take the
    /// last word ("an old music box" → "box", "a reel of film" → "reel", "the caretaker's lantern" → "lantern").</summary>
    internal static string? ObjectHead(string objectPhrase)
    {
        var w = StoryText.Words(objectPhrase).ToList();
        while (w.Count > 1 && ObjectDeterminers.Contains(w[0])) w.RemoveAt(0);
        int cut = w.FindIndex(1, x => Prepositions.Contains(x));
        if (cut > 0) w.RemoveRange(cut, w.Count - cut);
        return w.Count == 0 ? null : w[^1];
    }

    /// <summary>How many of a phrase's key content stems one sentence must hold: all of them up to two, else two thirds.</summary>
    internal static int RequiredMatches(int contentWords) => contentWords <= 2 ? contentWords : (2 * contentWords + 2) / 3;

    private static bool KeyContentInOneSentence(string phrase, StoryAnalysis story)
    {
        var stems = StoryText.ContentStems(phrase);
        // A phrase made only of stop words has no key content: fall back to the phrase itself.
        if (stems.Count == 0) return StoryText.ContainsSequence(story.Words, StoryText.Words(phrase));
        return story.OneSentenceHolds(stems, RequiredMatches(stems.Count));
    }

    private static readonly CueSet UnsettlingCues = new(StoryLexicon.UnsettlingCues);
    private static readonly CueSet HappyCues = new(StoryLexicon.HappyCues);

    private static bool UnsettlingEnding(string[] words, int lastParagraphStart) =>
        UnsettlingCues.AnyIn(words, lastParagraphStart) && !HappyCues.AnyIn(words, lastParagraphStart);

    /// <summary>Cue words in a set, multi-word cues searched as sequences.</summary>
    private sealed class CueSet(IEnumerable<string> cues)
    {
        private readonly HashSet<string> _single = new(cues.Where(c => !c.Contains(' ')), StringComparer.Ordinal);
        private readonly string[][] _multi = [.. cues.Where(c => c.Contains(' ')).Select(c => c.Split(' '))];

        public bool AnyIn(string[] words, int start)
        {
            for (int i = start; i < words.Length; i++)
                if (_single.Contains(words[i])) return true;
            return _multi.Any(cue => StoryText.ContainsSequence(words, cue, start));
        }
    }

    private static List<string> UnexpectedNames(StorySpec spec, string[] words, NameIndex knownNames)
    {
        var found = knownNames.FindIn(words);
        if (found.Count == 0) return found;
        // Names that are part of the spec itself (its characters, or a word of its title, object…) are expected.
        var specWords = new HashSet<string>(StoryText.Words(string.Join(' ', StorySpec.Fields.Select(f => f.Get(spec)))), StringComparer.Ordinal);
        found.RemoveAll(name => StoryText.Words(name).All(specWords.Contains));
        return found;
    }

    /// <summary>Pass rate of every check (and of all checks together) over many results, e.g. a model's generations.</summary>
    public static StoryCheckSummary Summarize(IEnumerable<StoryCheckResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var list = results.ToList();
        double Rate(Func<StoryCheckResult, bool> f) => list.Count == 0 ? 0 : list.Count(f) / (double)list.Count;
        var rates = StoryCheckNames.Checks.Select(c => new KeyValuePair<StoryCheck, double>(c, Rate(r => r.Passed(c)))).ToList();
        return new StoryCheckSummary(list.Count, Rate(r => r.AllPassed), rates);
    }
}

/// <summary>Pass rates of the checks over a set of stories.</summary>
/// <param name="Count">Number of stories.</param>
/// <param name="AllPassedRate">Share of stories that passed every check.</param>
/// <param name="PassRates">Share of stories passing each check, in <see cref="StoryCheck"/> order.</param>
public sealed record StoryCheckSummary(int Count, double AllPassedRate, IReadOnlyList<KeyValuePair<StoryCheck, double>> PassRates);
