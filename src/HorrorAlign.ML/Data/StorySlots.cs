using System.Text;
using HorrorAlign.ML.Specs;

namespace HorrorAlign.ML.Data;

/// <summary>
/// The spec's values in the grammatical forms templates need, and the filler that substitutes them. Every form is
/// derived here once, so no template can produce "the a brass key", "a.m.." or a lowercase sentence start.
/// </summary>
internal sealed class StorySlots
{
    private readonly Dictionary<string, string> _forms;

    /// <summary>Forms for <paramref name="spec"/>; <paramref name="protagonistAs"/> renders the protagonist under
    /// another name (used for the wrong-character rejection).</summary>
    public StorySlots(StorySpec spec, string? protagonistAs = null)
    {
        string p = protagonistAs ?? spec.Protagonist;
        string s = spec.SupportingCharacter;
        string obj = English.InSentence(spec.Object);
        string taboo = English.LowerStart(spec.Taboo);
        string twist = English.LowerStart(spec.Twist);
        _forms = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["P"] = p,
            ["S"] = s,
            ["P's"] = English.Possessive(p),
            ["S's"] = English.Possessive(s),
            ["obj"] = obj,
            ["the obj"] = English.Definite(spec.Object),
            ["The obj"] = English.Capitalize(English.Definite(spec.Object)),
            ["setting"] = English.InSentence(spec.Setting),
            ["taboo"] = taboo,
            ["taboo."] = English.EndSentence(taboo),
            ["taboo,"] = English.EndQuote(taboo),
            ["Taboo,"] = English.EndQuote(English.Capitalize(taboo)),
            ["twist"] = twist,
            ["twist."] = English.EndSentence(twist),
        };
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
            if (!_forms.TryGetValue(key, out string? value))
                throw new InvalidOperationException($"Unknown placeholder '{{{key}}}' in template: {template}");
            sb.Append(template, i, open - i).Append(value);
            i = close + 1;
        }
        return English.Capitalize(sb.ToString());
    }
}
