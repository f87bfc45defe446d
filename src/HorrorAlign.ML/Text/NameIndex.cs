namespace HorrorAlign.ML.Text;

/// <summary>Known character names prepared for fast lookup in a story's words: single-word names through a set, the
/// rare multi-word names by sequence search.</summary>
internal sealed class NameIndex
{
    private readonly Dictionary<string, string> _singleWord = new(StringComparer.Ordinal);
    private readonly List<(string Name, string[] Words)> _multiWord = [];

    public NameIndex(IEnumerable<string> names)
    {
        foreach (string name in names)
        {
            string[] words = StoryText.Words(name);
            if (words.Length == 1) _singleWord.TryAdd(words[0], name);
            else if (words.Length > 1) _multiWord.Add((name, words));
        }
    }

    /// <summary>The known names occurring in <paramref name="words"/>, each once, in order of first occurrence
    /// (multi-word names after single-word ones).</summary>
    public List<string> FindIn(IReadOnlyList<string> words)
    {
        var found = new List<string>();
        foreach (string w in words)
            if (_singleWord.TryGetValue(w, out string? name) && !found.Contains(name, StringComparer.Ordinal)) found.Add(name);
        foreach (var (name, nameWords) in _multiWord)
            if (StoryText.ContainsSequence(words, nameWords) && !found.Contains(name, StringComparer.Ordinal)) found.Add(name);
        return found;
    }
}
