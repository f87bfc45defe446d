using HorrorAlign.ML.Text;

namespace HorrorAlign.ML.Evaluation;

/// <summary>
/// The word lists behind the heuristic checks. All entries are lowercase words as <see cref="StoryText.Words"/>
/// produces them (multi-word cues are space-separated and matched as contiguous word sequences). They are small on
/// purpose: a check should fire on clear evidence, so each list holds words that almost never appear in the other
/// role (a gore word in an eerie story, a happy cue in an unsettling ending).
/// </summary>
internal static class StoryLexicon
{
    /// <summary>Graphic-violence words. Eerie stories may have a body or a grave, but never these.</summary>
    public static readonly HashSet<string> Gore = new(StringComparer.Ordinal)
    {
        "blood", "bloody", "bloodied", "bloodstained", "gore", "gory", "guts", "entrails", "intestines", "innards",
        "viscera", "severed", "dismember", "dismembered", "decapitated", "beheaded", "disemboweled", "disembowelled",
        "mutilated", "mangled", "butchered", "eviscerated", "slaughtered", "splattered", "spurting", "tendons",
    };

    /// <summary>Cues of unease: lingering presence, waiting, watching, cold, dark, absence, "again".</summary>
    public static readonly string[] UnsettlingCues =
    [
        "still", "again", "waiting", "waits", "waited", "watching", "watches", "listening", "listens", "whisper",
        "whispers", "whispered", "whispering", "breath", "breathing", "dark", "darkness", "shadow", "shadows", "cold",
        "colder", "silence", "silent", "wrong", "behind", "beneath", "closer", "nearer", "someone", "something", "nobody",
        "no one", "never", "forever", "empty", "missing", "vanished", "gone", "footsteps", "knock", "knocks", "knocking",
        "knocked", "scratching", "echo", "alone", "no longer", "anymore", "unseen",
    ];

    /// <summary>Cues of resolution or comfort. Any of them in the last paragraph means the ending is not unsettling.</summary>
    public static readonly string[] HappyCues =
    [
        "happy", "happily", "happiness", "relief", "relieved", "laugh", "laughed", "laughing", "laughter", "smiled",
        "smiling", "grinned", "giggled", "cosy", "cozy", "coziest", "cosiest", "safe and sound", "felt safe",
        "were safe", "was safe", "all was well", "everything was fine", "nothing to fear", "nothing to be afraid of",
        "peaceful", "peacefully", "soundly", "harmless", "coincidence", "joke", "joked", "cheerful", "cheerfully",
        "grateful", "contented", "at peace", "delighted", "lovely", "perfect getaway",
    ];
}
