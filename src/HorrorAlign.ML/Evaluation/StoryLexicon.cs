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

    /// <summary>Function words and rule words: not key content of a taboo or twist, and no evidence that a copied value
    /// was cut or spliced.</summary>
    public static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "and", "or", "but", "nor", "of", "to", "in", "on", "at", "by", "for", "from", "with", "into",
        "onto", "out", "up", "down", "over", "under", "off", "as", "so", "than", "then", "that", "this", "these",
        "those", "there", "here", "it", "its", "is", "are", "was", "were", "be", "been", "being", "has", "have", "had",
        "do", "does", "did", "done", "don", "dont", "not", "no", "never", "always", "ever", "only", "just", "all", "any",
        "each", "every", "some", "one", "who", "whom", "whose", "what", "which", "when", "where", "while", "why", "how",
        "you", "your", "yours", "yourself", "they", "them", "their", "he", "she", "him", "her", "his", "we", "us", "our",
        "i", "me", "my", "if", "after", "before", "again", "still", "too", "very", "own", "same", "can", "will",
        "would", "should", "could", "must", "may", "might", "let", "more", "most", "once", "until", "because", "about",
        "around", "across", "along", "through", "during", "without", "within", "anyone", "anything", "someone",
        "something", "nothing", "nobody", "am", "pm",
    };
}
