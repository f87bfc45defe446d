using System.Text.RegularExpressions;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Text;

namespace HorrorAlign.ML.Evaluation;

/// <summary>
/// Text of the prompt that does not belong in a story: the field labels, the instruction and constraint lines, and the
/// title. A story fails when it holds
/// <list type="bullet">
/// <item>a label of the prompt ("Title", "Setting", "Protagonist", "Supporting character", "Important object", "Taboo
/// rule", "Twist", "Constraints", "Story") followed by ":", capitalised as in the prompt anywhere, in any case at the
/// start of a line;</item>
/// <item>from one instruction or constraint line ("You are a creative writing assistant.", "Keep it suspenseful and
/// eerie, not graphic." …), a run of <see cref="MinLineRunWords"/> of its words, or two adjacent words of it one of which
/// only the instructions use ("not graphic", "4 paragraphs", "unsettling implication");</item>
/// <item>the title's words in sequence, when the title has <see cref="MinTitleWords"/> or more words after a leading
/// article and they are not part of another field (a short title such as "The Door" can occur naturally, and "The
/// Cellar Door" may be the taboo's own words).</item>
/// </list>
/// </summary>
internal static class PromptText
{
    /// <summary>Shortest run of an instruction line's words that counts as copied.</summary>
    public const int MinLineRunWords = 4;

    /// <summary>Fewest title words (after a leading article) for the title to count as prompt text.</summary>
    public const int MinTitleWords = 3;

    // Words of the instruction lines that a story has no use for.
    private static readonly HashSet<string> InstructionOnly = new(StringComparer.Ordinal)
        { "paragraphs", "suspenseful", "graphic", "implication", "specification", "assistant", "constraints" };

    private static readonly string[] Labels = [.. StorySpec.Fields.Select(f => f.Label), "Constraints", "Story"];

    private static readonly string LabelAlternatives = string.Join('|', Labels.Select(Regex.Escape));

    private static readonly Regex LabelInText = new($@"(?<![\p{{L}}\p{{N}}])(?:{LabelAlternatives})\s*:", RegexOptions.CultureInvariant);

    private static readonly Regex LabelAtLineStart = new($@"^[\s""'\u201c-]*(?:{LabelAlternatives})\s*:",
        RegexOptions.IgnoreCase | RegexOptions.Multiline | RegexOptions.CultureInvariant);

    private static readonly string[][] InstructionLines =
    [
        .. (StorySpec.PromptHeader + StorySpec.PromptFooter).Split('\n')
            .Select(StoryText.Words).Where(w => w.Length > 0 && !(w.Length == 1 && Labels.Contains(w[0], StringComparer.OrdinalIgnoreCase))),
    ];

    /// <summary>True when <paramref name="story"/> holds any prompt text described above.</summary>
    public static bool Any(string story, string[] words, SpecValues values) =>
        LabelInText.IsMatch(story) || LabelAtLineStart.IsMatch(story) || HasInstructionRun(words) || HasTitle(words, values);

    private static bool HasInstructionRun(string[] words)
    {
        foreach (string[] line in InstructionLines)
            for (int i = 0; i < words.Length; i++)
                for (int q = 0; q < line.Length; q++)
                {
                    int m = StoryText.MatchLength(words, i, line[q..]);
                    if (m >= MinLineRunWords || (m >= 2 && (InstructionOnly.Contains(line[q]) || InstructionOnly.Contains(line[q + 1]))))
                        return true;
                }
        return false;
    }

    private static bool HasTitle(string[] words, SpecValues values)
    {
        string[] title = values.Title;
        if (title.Length < MinTitleWords) return false;
        string[][] others = [values.Setting, values.Protagonist, values.SupportingCharacter, values.Object, values.Taboo, values.Twist];
        return !others.Any(o => StoryText.ContainsSequence(o, title)) && StoryText.ContainsSequence(words, title);
    }
}
