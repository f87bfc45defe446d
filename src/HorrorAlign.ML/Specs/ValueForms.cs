using HorrorAlign.ML.Text;

namespace HorrorAlign.ML.Specs;

/// <summary>
/// The text of every <see cref="FieldForm"/> of one spec, derived once with the rules of <see cref="English"/>: the
/// template writer fills its slots from here, and field tokens expand to exactly the same text.
/// </summary>
internal sealed class ValueForms
{
    /// <summary>Every form, in <see cref="FieldForm"/> order.</summary>
    public static readonly FieldForm[] All = Enum.GetValues<FieldForm>();

    private readonly string[] _text;

    public ValueForms(StorySpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string taboo = English.LowerStart(spec.Taboo), twist = English.LowerStart(spec.Twist);
        _text = new string[All.Length];
        _text[(int)FieldForm.Protagonist] = spec.Protagonist;
        _text[(int)FieldForm.ProtagonistPossessive] = English.Possessive(spec.Protagonist);
        _text[(int)FieldForm.Supporting] = spec.SupportingCharacter;
        _text[(int)FieldForm.SupportingPossessive] = English.Possessive(spec.SupportingCharacter);
        _text[(int)FieldForm.Object] = English.InSentence(spec.Object);
        _text[(int)FieldForm.ObjectDefinite] = English.Definite(spec.Object);
        _text[(int)FieldForm.Setting] = English.InSentence(spec.Setting);
        _text[(int)FieldForm.Taboo] = taboo;
        _text[(int)FieldForm.TabooSentence] = English.EndSentence(taboo);
        _text[(int)FieldForm.TabooQuote] = English.EndQuote(taboo);
        _text[(int)FieldForm.Twist] = twist;
        _text[(int)FieldForm.TwistSentence] = English.EndSentence(twist);
        _text[(int)FieldForm.Title] = spec.Title;
    }

    /// <summary>The text of <paramref name="form"/> inside a sentence.</summary>
    public string this[FieldForm form] => _text[(int)form];

    /// <summary>The text of <paramref name="form"/> at <paramref name="sentenceStart"/>: capitalised there.</summary>
    public string Render(FieldForm form, bool sentenceStart) => sentenceStart ? English.Capitalize(_text[(int)form]) : _text[(int)form];
}
