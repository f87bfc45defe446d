namespace HorrorAlign.ML.Data;

/// <summary>
/// The built-in value pools (see <see cref="ValuePools.Default"/>), one file per pool: <c>Data/Words/DefaultValues.*.txt</c>
/// (see <see cref="WordLists"/>). Rules every value follows, checked by tests:
/// unique within its pool; trimmed, single-line, no full stops except inside a taboo's "a.m."; eerie, never graphic;
/// settings and objects are noun phrases that start with their own article ("a", "an" or "the"), so templates can say
/// "in {setting}" and derive "the …" forms; objects are small, singular things a person can carry; taboos are
/// imperative rules starting with "never", "do not" or "always"; twists are lowercase clauses; no value contains a
/// first name from the name pool. Names are one or two GPT-2 tokens and are not ordinary English words, so that a
/// name in a story is always a character.
/// </summary>
internal static class DefaultValues
{
    internal static readonly string[] Titles = WordLists.Load("DefaultValues.Titles");
    internal static readonly string[] Settings = WordLists.Load("DefaultValues.Settings");
    internal static readonly string[] Names = WordLists.Load("DefaultValues.Names");
    internal static readonly string[] Objects = WordLists.Load("DefaultValues.Objects");
    internal static readonly string[] Taboos = WordLists.Load("DefaultValues.Taboos");
    internal static readonly string[] Twists = WordLists.Load("DefaultValues.Twists");
}
