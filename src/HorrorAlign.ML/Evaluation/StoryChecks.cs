using System.Text.RegularExpressions;
using HorrorAlign.ML.Data;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Text;

namespace HorrorAlign.ML.Evaluation;

/// <summary>
/// Constraint checks of a story against its spec: the poster's "constraint-based evaluation" (paragraph count, taboo
/// mention, twist inclusion, ending implication) plus the artefacts its samples and the trained models showed. They read
/// only the spec and the text, never generator metadata, so they grade model generations and template stories alike,
/// and they are meant to be as strict as a human reader: a value that is cut or spliced does not count as used.
/// <para>
/// All matching is on words (maximal runs of letters, digits and combining marks, so "Zoë", "Bjørn" and "Siobhán" are
/// one word and "Jean-Luc" two), lowercased with the invariant culture, so it is case-insensitive, ignores punctuation
/// and respects word boundaries ("Kai's" holds "kai"; "Kaiser" and "clkeeper's" hold neither "kai" nor "clasp"). The
/// setting and object are matched without one leading article or determiner (<see cref="SpecValues"/>). The rules:
/// </para>
/// <list type="bullet">
/// <item><c>paragraph_count</c>: 2 to 4 paragraphs, a paragraph being a block between blank lines that holds at least
/// one full sentence: 4 or more words ending in ".", "!", "?" or "…" (closing quotes allowed). A block such as "Mina."
/// or a few words without an end does not count.</item>
/// <item><c>protagonist_named</c>, <c>supporting_character_named</c>: the name's words occur in sequence.</item>
/// <item><c>object_used</c>: the object's words occur whole and in sequence, its last word possibly inflected (same
/// stem): "a brass key" is used by "the brass keys", "two brass keys on a red string" needs every word.</item>
/// <item><c>taboo_honoured</c>: the taboo's words occur whole and in sequence ("never answer knocks after 2 a.m." in
/// "\"Never answer knocks after 2 a.m.,\" Kai said"). A paraphrase does not count.</item>
/// <item><c>twist_paid_off</c>: the twist's words occur whole and in sequence.</item>
/// <item><c>unsettling_ending</c>: the last block holds an unsettling cue (waiting, still, again, behind, cold…)
/// and no resolution or comfort cue (relieved, laughed, safe and sound, harmless, coincidence…).</item>
/// <item><c>not_graphic</c>: no word from the gore lexicon (blood, severed, entrails…).</item>
/// <item><c>no_wrong_character</c>: no first name from the known names (default: every pool name, held-out ones
/// included) other than the spec's two characters and names that occur in the spec's other fields.</item>
/// <item><c>no_end_markers</c>: no <c>&lt;|…|&gt;</c> token, <c>&lt;/s&gt;</c>, <c>&lt;s&gt;</c>, <c>&lt;eos&gt;</c>,
/// <c>&lt;pad&gt;</c>, <c>&lt;unk&gt;</c> or <c>[EOS]</c>.</item>
/// <item><c>no_repeated_spans</c>: no loop (<see cref="Repetition"/>): no run of 8 tokens occurs twice, each whole
/// occurrence of the setting, object, taboo, twist or a name counting as one token; and no run of 3 or more words is followed
/// at once by itself, unless both copies are whole sentences of fewer than 8 words.</item>
/// <item><c>no_doubled_articles</c>: no "the a", "a the", "the the", "an the"… ("a.m." is not an article).</item>
/// <item><c>taboo_not_inverted</c>: the taboo is never stated the wrong way round (<see cref="TabooInversion"/>):
/// "Always look into the mirror" for "never look into the mirror", "Answer the door." for "do not answer the door".</item>
/// <item><c>no_spliced_values</c>: no copy of the setting, object, taboo or twist is cut or spliced, and no word fuses
/// the two characters' names (<see cref="SplicedValues"/>).</item>
/// <item><c>no_prompt_text</c>: no field label, instruction or constraint text, or title of three or more words from the
/// prompt (<see cref="PromptText"/>).</item>
/// </list>
/// </summary>
public static partial class StoryChecks
{
    /// <summary>Length of the shortest word span that counts as a repetition.</summary>
    public const int RepeatedSpanWords = 8;

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
        var values = new SpecValues(spec);
        string[] words = analysis.Words;
        var unexpected = UnexpectedNames(values, words, knownNames);

        var passed = new bool[StoryCheckNames.Checks.Count];
        passed[(int)StoryCheck.ParagraphCount] = analysis.ParagraphCount is >= 2 and <= 4;
        passed[(int)StoryCheck.ProtagonistNamed] = StoryText.ContainsSequence(words, values.Protagonist);
        passed[(int)StoryCheck.SupportingCharacterNamed] = StoryText.ContainsSequence(words, values.SupportingCharacter);
        passed[(int)StoryCheck.ObjectUsed] = HasObject(words, values.Object);
        passed[(int)StoryCheck.TabooHonoured] = StoryText.ContainsSequence(words, values.Taboo);
        passed[(int)StoryCheck.TwistPaidOff] = StoryText.ContainsSequence(words, values.Twist);
        passed[(int)StoryCheck.UnsettlingEnding] = analysis.BlockCount > 0 && UnsettlingEnding(words, analysis.LastParagraphStart);
        passed[(int)StoryCheck.NotGraphic] = !words.Any(StoryLexicon.Gore.Contains);
        passed[(int)StoryCheck.NoWrongCharacter] = unexpected.Count == 0;
        passed[(int)StoryCheck.NoEndMarkers] = !EndMarker().IsMatch(story);
        passed[(int)StoryCheck.NoRepeatedSpans] = !Repetition.HasLoop(analysis, values);
        passed[(int)StoryCheck.NoDoubledArticles] = !DoubledArticle().IsMatch(story);
        passed[(int)StoryCheck.TabooNotInverted] = !TabooInversion.IsInverted(values.Taboo, analysis);
        passed[(int)StoryCheck.NoSplicedValues] = !SplicedValues.Any(analysis, values);
        passed[(int)StoryCheck.NoPromptText] = !PromptText.Any(story, words, values);
        return new StoryCheckResult(passed, analysis.ParagraphCount, unexpected);
    }

    /// <summary>True when the object's words occur in sequence, the last one possibly inflected ("brass keys").</summary>
    private static bool HasObject(string[] words, string[] obj)
    {
        if (obj.Length == 0) return true;
        string lastStem = StoryText.Stem(obj[^1]);
        for (int i = 0; i + obj.Length <= words.Length; i++)
            if (StoryText.MatchLength(words, i, obj) >= obj.Length - 1 && StoryText.StemsTo(words[i + obj.Length - 1], lastStem))
                return true;
        return false;
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

    private static List<string> UnexpectedNames(SpecValues values, string[] words, NameIndex knownNames)
    {
        var found = knownNames.FindIn(words);
        // Names that are part of the spec itself (its characters, or a word of its title, object…) are expected.
        found.RemoveAll(name => StoryText.Words(name).All(values.AllWords.Contains));
        return found;
    }
}
