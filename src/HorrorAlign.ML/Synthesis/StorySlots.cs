using System.Text;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Text;

namespace HorrorAlign.ML.Synthesis;

/// <summary>
/// Fills story templates with a spec's values. Every placeholder names a <see cref="FieldForm"/> (capitalised keys
/// capitalise it), and the text comes from <see cref="ValueForms"/>, so templates and field tokens render a value
/// identically and no template can produce "the a brass key", "a.m.." or a lowercase sentence start.
/// </summary>
internal sealed class StorySlots
{
    // Placeholder → form, and whether the key asks for a capital (a sentence start inside a quotation or after a tag).
    private static readonly Dictionary<string, (FieldForm Form, bool Capital)> Keys = new(StringComparer.Ordinal)
    {
        ["P"] = (FieldForm.Protagonist, false),
        ["S"] = (FieldForm.Supporting, false),
        ["P's"] = (FieldForm.ProtagonistPossessive, false),
        ["S's"] = (FieldForm.SupportingPossessive, false),
        ["obj"] = (FieldForm.Object, false),
        ["the obj"] = (FieldForm.ObjectDefinite, false),
        ["The obj"] = (FieldForm.ObjectDefinite, true),
        ["setting"] = (FieldForm.Setting, false),
        ["taboo"] = (FieldForm.Taboo, false),
        ["taboo."] = (FieldForm.TabooSentence, false),
        ["taboo,"] = (FieldForm.TabooQuote, false),
        ["Taboo,"] = (FieldForm.TabooQuote, true),
        ["twist"] = (FieldForm.Twist, false),
        ["twist."] = (FieldForm.TwistSentence, false),
    };

    private readonly ValueForms _forms;

    /// <summary>Forms for <paramref name="spec"/>; <paramref name="protagonistAs"/> renders the protagonist under
    /// another name (used for the wrong-character rejection).</summary>
    public StorySlots(StorySpec spec, string? protagonistAs = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        _forms = new ValueForms(protagonistAs is null ? spec : spec with { Protagonist = protagonistAs });
    }

    /// <summary>Fills a template that starts a sentence; its first letter is capitalised.</summary>
    /// <exception cref="InvalidOperationException">The template holds an unknown or unclosed placeholder.</exception>
    public string Fill(string template)
    {
        var sb = new StringBuilder(template.Length + 64);
        int i = 0;
        while (i < template.Length)
        {
            int open = template.IndexOf('{', i);
            if (open < 0)
            {
                sb.Append(template, i, template.Length - i);
                break;
            }
            int close = template.IndexOf('}', open);
            if (close < 0) throw new InvalidOperationException($"Unclosed placeholder in template: {template}");
            string key = template[(open + 1)..close];
            if (!Keys.TryGetValue(key, out var slot))
                throw new InvalidOperationException($"Unknown placeholder '{{{key}}}' in template: {template}");
            sb.Append(template, i, open - i).Append(_forms.Render(slot.Form, slot.Capital));
            i = close + 1;
        }
        return English.Capitalize(sb.ToString());
    }
}
