using System.Text;
using HorrorAlign.ML.Specs;

namespace HorrorAlign.ML.Tokenization;

/// <summary>
/// Field tokens (delexicalized responses): in a response, every occurrence of a spec value becomes one marker per
/// <see cref="FieldForm"/>, and the marker expands back to the exact value text. A model trained on such responses
/// never spells a value, so a value of any length, script or tokenization comes out whole and cannot splice into
/// another. The model reads its prompt the same way (<see cref="PromptTemplate"/>): a value it has never seen cannot
/// throw it off, because it never sees a value.
/// <para>
/// Markers are the private-use characters U+E000…U+E00C, one per form. <see cref="Delexicalize"/> finds each form's
/// text in a story: longest form first (a taboo that names the protagonist stays one taboo), at word boundaries, with
/// the case of the first letter ignored (a form at a sentence start is capitalised), and where several forms have the
/// same text, the one the templates use at that place (see <c>Choose</c>). <see cref="Expand"/> writes
/// each form's text back, capitalised at a sentence start, so <c>Expand(Delexicalize(story)) == story</c> for every
/// story the template writer produces.
/// </para>
/// </summary>
internal static class FieldTokens
{
    /// <summary>Number of field tokens (one per <see cref="FieldForm"/>).</summary>
    public static int Count => ValueForms.All.Length;

    private const char FirstMarker = '\uE000';

    /// <summary>The fields a story must name: each needs at least one of its forms.</summary>
    internal static readonly (string Field, FieldForm[] Forms)[] Fields =
    [
        ("protagonist", [FieldForm.Protagonist, FieldForm.ProtagonistPossessive]),
        ("supporting_character", [FieldForm.Supporting, FieldForm.SupportingPossessive]),
        ("object", [FieldForm.Object, FieldForm.ObjectDefinite]),
        ("setting", [FieldForm.Setting]),
        ("taboo", [FieldForm.Taboo, FieldForm.TabooSentence, FieldForm.TabooQuote]),
        ("twist", [FieldForm.Twist, FieldForm.TwistSentence]),
    ];

    /// <summary>
    /// The spec prompt as a field-token model reads it: the original's format with each value replaced by its
    /// field's marker, the same for every spec.
    /// </summary>
    public static string PromptTemplate { get; } = new StorySpec(
        Marker(FieldForm.Title).ToString(), Marker(FieldForm.Setting).ToString(), Marker(FieldForm.Protagonist).ToString(),
        Marker(FieldForm.Supporting).ToString(), Marker(FieldForm.Object).ToString(), Marker(FieldForm.Taboo).ToString(),
        Marker(FieldForm.Twist).ToString()).ToPrompt();

    /// <summary>The marker character of <paramref name="form"/>.</summary>
    internal static char Marker(FieldForm form) => (char)(FirstMarker + (int)form);

    /// <summary>True when <paramref name="c"/> is a field marker; <paramref name="form"/> is its form.</summary>
    internal static bool IsMarker(char c, out FieldForm form)
    {
        form = (FieldForm)(c - FirstMarker);
        return c >= FirstMarker && c < FirstMarker + Count;
    }

    /// <summary>
    /// Replaces every occurrence of a value of <paramref name="spec"/> in <paramref name="story"/> with its field
    /// marker. <paramref name="missing"/> lists the fields (JSON names, <see cref="Fields"/> order) no form of which was
    /// found. Marker characters already in the story are replaced by U+FFFD, so text cannot forge a field token.
    /// </summary>
    public static string Delexicalize(StorySpec spec, string story, out IReadOnlyList<string> missing)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(story);
        var forms = new ValueForms(spec);
        // Longest first; equal texts keep FieldForm order, so the choice is deterministic.
        var candidates = ValueForms.All.Where(f => f != FieldForm.Title).Select(f => (Form: f, Text: forms[f])).Where(c => c.Text.Length > 0)
            .OrderByDescending(c => c.Text.Length).ThenBy(c => c.Form).ToArray();
        var found = new bool[Count];
        var tied = new List<FieldForm>(3);
        var sb = new StringBuilder(story.Length);
        int i = 0;
        while (i < story.Length)
        {
            char c = story[i];
            if (IsMarker(c, out _))
            {
                sb.Append('\uFFFD');
                i++;
                continue;
            }
            int matched = -1;
            if (i == 0 || !char.IsLetterOrDigit(story[i - 1]))
            {
                // Every form of the longest length that matches here: they have the same text (see Choose).
                tied.Clear();
                foreach (var (form, text) in candidates)
                {
                    if (matched > 0 && text.Length < matched) break;
                    if (!MatchesAt(story, i, text)) continue;
                    tied.Add(form);
                    matched = text.Length;
                }
                if (matched > 0)
                {
                    var form = Choose(tied, story, i + matched, found);
                    sb.Append(Marker(form));
                    found[(int)form] = true;
                }
            }
            if (matched > 0) i += matched;
            else
            {
                sb.Append(c);
                i++;
            }
        }
        missing = [.. Fields.Where(f => !f.Forms.Any(form => found[(int)form])).Select(f => f.Field)];
        return sb.ToString();
    }

    /// <summary>
    /// The form a text stands for when several forms have that same text ("grandmother's rosary" is both the object and
    /// its definite form; a taboo ending in "?" is its own sentence and quotation form): the one a template would have
    /// written there, so that one slot of a template is always trained with one token. A mention after the first is
    /// definite; a quotation form closes a quote; a sentence form ends at a space or the end of the story.
    /// </summary>
    private static FieldForm Choose(List<FieldForm> tied, string story, int end, bool[] found)
    {
        if (tied.Count == 1) return tied[0];
        bool objectSeen = found[(int)FieldForm.Object] || found[(int)FieldForm.ObjectDefinite];
        char next = end < story.Length ? story[end] : ' ';
        int Preference(FieldForm form) => form switch
        {
            FieldForm.ObjectDefinite => objectSeen ? 2 : 0,
            FieldForm.Object => objectSeen ? 0 : 1,
            FieldForm.TabooQuote => next is '"' or '\u201D' ? 2 : 0,
            FieldForm.TabooSentence or FieldForm.TwistSentence => char.IsWhiteSpace(next) ? 1 : 0,
            _ => 0,
        };
        var best = tied[0];
        foreach (var form in tied)
            if (Preference(form) > Preference(best)) best = form;
        return best;
    }

    // The form's text at story[at..], first letter compared without case, ending at a word boundary.
    private static bool MatchesAt(string story, int at, string text)
    {
        if (at + text.Length > story.Length) return false;
        if (char.ToLowerInvariant(story[at]) != char.ToLowerInvariant(text[0])) return false;
        if (string.CompareOrdinal(story, at + 1, text, 1, text.Length - 1) != 0) return false;
        int end = at + text.Length;
        return end == story.Length || !char.IsLetterOrDigit(text[^1]) || !char.IsLetterOrDigit(story[end]);
    }

    /// <summary>Writes every field marker of <paramref name="text"/> as its value text for <paramref name="spec"/>,
    /// capitalised at a sentence start.</summary>
    public static string Expand(StorySpec spec, string text)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(text);
        if (!ContainsMarker(text)) return text;
        var forms = new ValueForms(spec);
        var sb = new StringBuilder(text.Length + 256);
        foreach (char c in text)
        {
            if (IsMarker(c, out var form)) sb.Append(forms.Render(form, AtSentenceStart(sb)));
            else sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>Removes every field marker (text of a prompt that is not a spec, where no value is known).</summary>
    internal static string Strip(string text) =>
        ContainsMarker(text) ? string.Concat(text.Where(c => !IsMarker(c, out _))) : text;

    private static bool ContainsMarker(string text)
    {
        foreach (char c in text)
            if (IsMarker(c, out _)) return true;
        return false;
    }

    /// <summary>
    /// True when text appended to <paramref name="before"/> starts a sentence: nothing before it but spaces, or a
    /// sentence end (". ", "! ", "? ", a line break), optionally followed by an opening quote.
    /// </summary>
    internal static bool AtSentenceStart(StringBuilder before)
    {
        int i = before.Length - 1;
        while (i >= 0 && before[i] == ' ') i--;
        // An opening quote (at the start or after whitespace) continues the sentence start before it.
        if (i >= 0 && before[i] is '"' or '\u201C' or '\'' && (i == 0 || char.IsWhiteSpace(before[i - 1])))
        {
            i--;
            while (i >= 0 && before[i] == ' ') i--;
        }
        return i < 0 || before[i] is '.' or '!' or '?' or '\n';
    }
}
