namespace HorrorAlign.ML.Specs;

/// <summary>
/// One way a spec value reads inside a story: a field and its grammatical surface form. A model trained with field
/// tokens reads each value of its prompt as the token of the field's first form (the title as <see cref="Title"/>),
/// writes one token per form instead of spelling a value, and <see cref="ValueForms"/> renders it exactly.
/// A form at a sentence start is capitalised there ("The brass key…", "Never answer…"), so capitalised twins of the
/// forms are not needed.
/// </summary>
internal enum FieldForm
{
    /// <summary>The protagonist's name: "Mina".</summary>
    Protagonist,
    /// <summary>The protagonist's possessive: "Mina's", "James's".</summary>
    ProtagonistPossessive,
    /// <summary>The supporting character's name.</summary>
    Supporting,
    /// <summary>The supporting character's possessive.</summary>
    SupportingPossessive,
    /// <summary>The object as given, a leading article lowercased: "a brass key", "grandmother's rosary".</summary>
    Object,
    /// <summary>The object's definite form for a second mention: "the brass key", "grandmother's rosary".</summary>
    ObjectDefinite,
    /// <summary>The setting as it reads after "in": "an old apartment building during a winter blackout".</summary>
    Setting,
    /// <summary>The taboo as a clause: "never answer knocks after 2 a.m.".</summary>
    Taboo,
    /// <summary>The taboo ending a sentence (a full stop unless it ends in ".", "!" or "?").</summary>
    TabooSentence,
    /// <summary>The taboo ending a quotation a speech tag follows: "never answer knocks after 2 a.m.," (no comma after "?" or "!").</summary>
    TabooQuote,
    /// <summary>The twist as a clause.</summary>
    Twist,
    /// <summary>The twist ending a sentence.</summary>
    TwistSentence,
    /// <summary>The title: read in the prompt only, never written in a story.</summary>
    Title,
}
