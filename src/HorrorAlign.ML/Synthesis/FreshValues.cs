using HorrorAlign.ML.Data;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Text;
using HorrorAlign.ML.Tokenization;

namespace HorrorAlign.ML.Synthesis;

/// <summary>
/// Combinatorially generated spec values that no pool holds: made-up first names built from syllables, and titles,
/// settings, objects, taboos and twists assembled from word lists in several grammatical patterns. Each field has far
/// more than 10^4 possible values, so a model trained on them cannot memorise them and has to copy the spec's values
/// from the prompt (see <see cref="DatasetOptions.FreshValueShare"/>).
/// <para>
/// The values follow the rules of the built-in pools (see <see cref="ValuePools"/>): settings and objects are noun
/// phrases that start with their own, correct article ("a", "an" or "the"); objects are small, singular, carryable
/// things whose head noun comes before any preposition; taboos are imperatives starting with "never", "do not" or
/// "always"; twists are lowercase clauses; titles are in Title Case; no value holds a full stop or any other sentence
/// punctuation, a gore word, a comfort cue or a first name of <see cref="ValuePools.Default"/>. Taboos and twists
/// always carry at least two key content words (not stop or rule words), so each says something a story must state.
/// </para>
/// <para>
/// Deterministic: every draw comes from the caller's <see cref="Random"/>, in a fixed order, from word lists in a fixed
/// order (the files <c>Data/Words/FreshValues.*.txt</c>, embedded in the assembly and read through
/// <see cref="WordLists"/>); the same seeded generator gives the same values on every machine. Articles and Title Case
/// follow <see cref="English"/>.
/// </para>
/// </summary>
internal static class FreshValues
{
    // ---- Objects: small carryable things, grouped by what they can be made of ----------------------------------

    private static readonly string[] HardThings = WordLists.Load("FreshValues.HardThings");
    private static readonly string[] HardMaterials = WordLists.Load("FreshValues.HardMaterials");
    private static readonly string[] SoftThings = WordLists.Load("FreshValues.SoftThings");
    private static readonly string[] SoftMaterials = WordLists.Load("FreshValues.SoftMaterials");
    private static readonly string[] PaperThings = WordLists.Load("FreshValues.PaperThings");
    private static readonly string[] PaperAdjectives = WordLists.Load("FreshValues.PaperAdjectives");
    private static readonly string[] ThingAdjectives = WordLists.Load("FreshValues.ThingAdjectives");

    // At most four words each, so that with an article, an adjective and the thing an object stays within six words.
    private static readonly string[] ThingDetails = WordLists.Load("FreshValues.ThingDetails");

    private static readonly string[] Owners = WordLists.Load("FreshValues.Owners");

    // ---- Settings: a place, dressed with a state and a time or a location ----------------------------------------

    private static readonly string[] Places = WordLists.Load("FreshValues.Places");
    private static readonly string[] PlaceAdjectives = WordLists.Load("FreshValues.PlaceAdjectives");
    private static readonly string[] PlaceTimes = WordLists.Load("FreshValues.PlaceTimes");
    private static readonly string[] PlaceLocations = WordLists.Load("FreshValues.PlaceLocations");

    // Relative clauses, so that training also shows settings that go on after a "that", "where" or "whose" (the copy
    // must continue past a word that, anywhere else in a story, starts the template's own clause).
    private static readonly string[] PlaceClauses = WordLists.Load("FreshValues.PlaceClauses");

    private static readonly string[] PlaceParts = WordLists.Load("FreshValues.PlaceParts");

    // ---- Taboos: actions on things, movements through places, offerings, words not to say ------------------------

    /// <summary>Verbs for "never"/"do not", verbs for "always", and the things both apply to.</summary>
    private sealed record ActionGroup(string[] NeverVerbs, string[] AlwaysVerbs, string[] Things);

    // In this order: ActionGroups[0] (doors and lids) and [5] (flames) are also used on their own below.
    private static readonly ActionGroup[] ActionGroups = [.. new[] { "Doors", "Telephones", "Instruments", "Images", "Visitors", "Flames" }.Select(LoadActionGroup)];

    private static ActionGroup LoadActionGroup(string group) => new(
        WordLists.Load($"FreshValues.ActionGroups.{group}.NeverVerbs"), WordLists.Load($"FreshValues.ActionGroups.{group}.AlwaysVerbs"),
        WordLists.Load($"FreshValues.ActionGroups.{group}.Things"));

    private static readonly string[] NeverWhen = WordLists.Load("FreshValues.NeverWhen");

    // For rules that already say "before …" once.
    private static readonly string[] WhenNotBefore = [.. NeverWhen.Where(w => !w.StartsWith("before ", StringComparison.Ordinal))];

    private static readonly string[] AlwaysWhen = WordLists.Load("FreshValues.AlwaysWhen");
    private static readonly string[] Numbers = WordLists.Load("FreshValues.Numbers");
    private static readonly string[] MovementVerbs = WordLists.Load("FreshValues.MovementVerbs");
    private static readonly string[] MovementPrepositions = WordLists.Load("FreshValues.MovementPrepositions");
    private static readonly string[] StillVerbs = WordLists.Load("FreshValues.StillVerbs");
    private static readonly string[] StillPrepositions = WordLists.Load("FreshValues.StillPrepositions");
    private static readonly string[] Landmarks = WordLists.Load("FreshValues.Landmarks");
    private static readonly string[] Offerings = WordLists.Load("FreshValues.Offerings");
    private static readonly string[] OfferingPlaces = WordLists.Load("FreshValues.OfferingPlaces");
    private static readonly string[] Utterances = WordLists.Load("FreshValues.Utterances");
    private static readonly string[] KnockRooms = WordLists.Load("FreshValues.KnockRooms");

    // ---- Twists --------------------------------------------------------------------------------------------------

    private static readonly string[] People = WordLists.Load("FreshValues.People");
    private static readonly string[] PeopleStates = WordLists.Load("FreshValues.PeopleStates");
    private static readonly string[] AllAlong = WordLists.Load("FreshValues.AllAlong");
    private static readonly string[] Sounds = WordLists.Load("FreshValues.Sounds");
    private static readonly string[] SoundSources = WordLists.Load("FreshValues.SoundSources");
    private static readonly string[] PlaceSubjects = WordLists.Load("FreshValues.PlaceSubjects");

    // Roles that an adjective can qualify ("the blind ferryman"), on top of the fixed people above.
    private static readonly string[] Roles = WordLists.Load("FreshValues.Roles");

    // Possessive twists ("the ferryman's eyes …"): the stories' templates end sentences on a possessive noun ("without
    // once meeting Mara's eyes."), so training must also show values that go on after one.
    private static readonly string[] PluralPossessions = WordLists.Load("FreshValues.PluralPossessions");
    private static readonly string[] SingularPossessions = WordLists.Load("FreshValues.SingularPossessions");

    private static readonly string[] PossessionPredicates =
    [
        "{0} never really there", "still move after dark", "belonged to someone else all along", "had been borrowed from a stranger",
        "turned up in the lake last spring", "{0} copied from an older photograph", "had not changed in forty years",
        "{1} always one step behind", "followed whoever held the key", "{0} the first thing to change",
    ];

    private static string PossessionTwist(Random rng)
    {
        bool plural = rng.Next(2) == 0;
        string possession = Pick(plural ? PluralPossessions : SingularPossessions, rng);
        string predicate = Pick(PossessionPredicates, rng);
        if (!plural && predicate == "still move after dark") predicate = "still moves after dark";
        return $"the {Pick(Roles, rng)}'s {possession} " +
            predicate.Replace("{0}", plural ? "were" : "was", StringComparison.Ordinal).Replace("{1}", plural ? "are" : "is", StringComparison.Ordinal);
    }

    private static readonly string[] RoleAdjectives = WordLists.Load("FreshValues.RoleAdjectives");
    private static readonly string[] PlaceNeverStates = WordLists.Load("FreshValues.PlaceNeverStates");
    private static readonly string[] PersonNeverStates = WordLists.Load("FreshValues.PersonNeverStates");
    private static readonly string[] PlaceIsStates = WordLists.Load("FreshValues.PlaceIsStates");
    private static readonly string[] EveryThings = WordLists.Load("FreshValues.EveryThings");
    private static readonly string[] EveryPredicates = WordLists.Load("FreshValues.EveryPredicates");
    private static readonly string[] OneMoreThings = WordLists.Load("FreshValues.OneMoreThings");
    private static readonly string[] OneMorePeople = WordLists.Load("FreshValues.OneMorePeople");
    private static readonly string[] OneMorePlaces = WordLists.Load("FreshValues.OneMorePlaces");
    private static readonly string[] ObjectPredicates = WordLists.Load("FreshValues.ObjectPredicates");
    private static readonly string[] Crowds = WordLists.Load("FreshValues.Crowds");
    private static readonly string[] CrowdPlaces = WordLists.Load("FreshValues.CrowdPlaces");
    private static readonly string[] CrowdPredicates = WordLists.Load("FreshValues.CrowdPredicates");

    // ---- Titles --------------------------------------------------------------------------------------------------

    private static readonly string[] TitleNouns = WordLists.Load("FreshValues.TitleNouns");
    private static readonly string[] TitleAdjectives = WordLists.Load("FreshValues.TitleAdjectives");
    private static readonly string[] TitleVerbsPast = WordLists.Load("FreshValues.TitleVerbsPast");
    private static readonly string[] TitlePredicates = WordLists.Load("FreshValues.TitlePredicates");
    private static readonly string[] TitleVerbs = WordLists.Load("FreshValues.TitleVerbs");
    private static readonly string[] TitlePlacePrefixes = WordLists.Load("FreshValues.TitlePlacePrefixes");
    private static readonly string[] TitlePlaceKinds = WordLists.Load("FreshValues.TitlePlaceKinds");

    // ---- Names ---------------------------------------------------------------------------------------------------

    private static readonly string[] NameOnsets =
        ["", "b", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "dr", "tr", "th", "sh", "j"];
    private static readonly string[] NameVowels = ["a", "e", "i", "o", "u", "a", "e", "o", "a", "i", "ai", "ei"];
    private static readonly string[] NameCodas = ["", "", "", "", "", "n", "l", "r", "s", "m"];
    private static readonly string[] NameInnerOnsets = ["l", "m", "n", "r", "s", "t", "v", "d", "k", "b", "th", "sh"];
    private static readonly string[] NameInnerVowels = ["a", "e", "i", "o", "a", "i"];
    // Endings that read as names, not English words: no silent "e", no adjective "-y", no "-er"/"-or"/"-al"/"-s".
    private static readonly string[] NameEndings = ["a", "o", "i", "a", "o", "ia", "u"];
    private static readonly string[] NameFinalCodas = ["", "", "", "n", "n", "th", "k", "s"];

    /// <summary>Longest made-up name, in letters: long names split into many GPT-2 tokens.</summary>
    internal const int MaxNameLength = 7;

    /// <summary>Most GPT-2 tokens in a made-up name (with its leading space); a few per cent of drawn names spell out
    /// into four and are drawn again.</summary>
    internal const int MaxNameTokens = 3;

    // Prefixes that make a capitalised name read like a sentence opener or a function word ("Thenor", "Wasko").
    private static readonly string[] AwkwardNameStarts =
        ["the", "and", "but", "not", "was", "his", "her", "she", "you", "all", "any", "one", "our", "out", "who", "why",
         "how", "its", "for", "nor", "yet", "can", "did", "has", "had", "may", "are", "were", "then", "than", "them"];

    private static readonly HashSet<string> PoolNames =
        new(ValuePools.Default.Names.Select(n => n.ToLowerInvariant()), StringComparer.Ordinal);

    private static readonly HashSet<string> ListWords = new(
        new[] { HardThings, HardMaterials, SoftThings, SoftMaterials, PaperThings, PaperAdjectives, ThingAdjectives, Places,
                PlaceAdjectives, PlaceParts, Landmarks, Sounds, EveryThings, Roles, RoleAdjectives, PlaceSubjects, OneMoreThings, OneMorePeople, Crowds, TitleNouns,
                TitleAdjectives, TitlePlacePrefixes, TitlePlaceKinds, Numbers }
            .SelectMany(list => list).SelectMany(v => v.ToLowerInvariant().Split(' ', '-', '\'')),
        StringComparer.Ordinal);

    // ---- Public draws --------------------------------------------------------------------------------------------

    /// <summary>A fresh title in Title Case, e.g. "The Lantern at Crow Fen" or "What the Orchard Remembered".</summary>
    public static string Title(Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        string title = rng.Next(8) switch
        {
            0 => $"the {Pick(TitleAdjectives, rng)} {Pick(TitleNouns, rng)}",
            1 => $"the {Pick(TitleNouns, rng)} of the {Pick(TitleAdjectives, rng)} {Pick(TitleNouns, rng)}",
            2 => $"the {Pick(TitleNouns, rng)} at {Pick(TitlePlacePrefixes, rng)} {Pick(TitlePlaceKinds, rng)}",
            3 => $"what the {MaybeTitleAdjective(rng)}{Pick(TitleNouns, rng)} {Pick(TitleVerbsPast, rng)}",
            4 => $"the {MaybeTitleAdjective(rng)}{Pick(TitleNouns, rng)} That {Pick(TitlePredicates, rng)}",
            5 => $"do not {Pick(TitleVerbs, rng)} the {Pick(TitleAdjectives, rng)} {Pick(TitleNouns, rng)}",
            6 => English.WithIndefiniteArticle($"{Pick(TitleNouns, rng)} Without {English.WithIndefiniteArticle(Pick(TitleNouns, rng))}"),
            _ => $"beneath the {Pick(TitleAdjectives, rng)} {Pick(TitleNouns, rng)}",
        };
        return English.TitleCase(title);
    }

    private static string MaybeTitleAdjective(Random rng) => rng.Next(2) == 0 ? "" : Pick(TitleAdjectives, rng) + " ";

    /// <summary>A fresh setting: a noun phrase with its article that reads after "in", e.g. "a shuttered cannery
    /// during the spring tide", "the boiler room of an abandoned ski chalet" or "a bathhouse that nobody rents
    /// anymore".</summary>
    public static string Setting(Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        return rng.Next(5) switch
        {
            4 => $"{English.WithIndefiniteArticle(rng.Next(2) == 0 ? Pick(Places, rng) : $"{Pick(PlaceAdjectives, rng)} {Pick(Places, rng)}")} {Pick(PlaceClauses, rng)}",
            0 => $"{English.WithIndefiniteArticle($"{Pick(PlaceAdjectives, rng)} {Pick(Places, rng)}")} {Pick(PlaceTimes, rng)}",
            1 => $"the {Pick(PlaceParts, rng)} of {English.WithIndefiniteArticle(Pick(Places, rng))} {(rng.Next(2) == 0 ? Pick(PlaceLocations, rng) : Pick(PlaceTimes, rng))}",
            2 => $"the {Pick(PlaceParts, rng)} of {English.WithIndefiniteArticle($"{Pick(PlaceAdjectives, rng)} {Pick(Places, rng)}")}",
            _ => $"{English.WithIndefiniteArticle($"{Pick(PlaceAdjectives, rng)} {Pick(Places, rng)}")} {Pick(PlaceLocations, rng)}",
        };
    }

    /// <summary>A fresh object: a small, singular, carryable thing with its article, e.g. "a dented pewter thimble",
    /// "a postcard from a drowned village" or "the organist's brass tuning fork". Its head noun always comes before any
    /// preposition, as the object check expects.</summary>
    public static string Object(Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        string value;
        // Long objects repeat as 8-word spans when a story mentions them twice: keep them to six words.
        do value = DrawObject(rng); while (StoryText.Words(value).Length > MaxObjectWords);
        return value;
    }

    /// <summary>Most words (as the checks count them, "keeper's" being two) in a fresh object.</summary>
    internal const int MaxObjectWords = 6;

    private static string DrawObject(Random rng)
    {
        // Which kind of thing (hard, soft, paper) decides which materials or adjectives fit it.
        int kind = rng.Next(3);
        string[] things = kind switch { 0 => HardThings, 1 => SoftThings, _ => PaperThings };
        string thing = Pick(things, rng);
        string material = kind switch
        {
            0 => Pick(HardMaterials, rng),
            1 => Pick(SoftMaterials, rng),
            _ => Pick(PaperAdjectives, rng),
        };
        return rng.Next(5) switch
        {
            0 => English.WithIndefiniteArticle($"{Pick(ThingAdjectives, rng)} {material} {thing}"),
            1 => $"{English.WithIndefiniteArticle($"{material} {thing}")} {Pick(ThingDetails, rng)}",
            2 => $"{English.WithIndefiniteArticle($"{Pick(ThingAdjectives, rng)} {thing}")} {Pick(ThingDetails, rng)}",
            3 => $"the {Pick(Owners, rng)} {material} {thing}",
            _ => $"the {Pick(Owners, rng)} {Pick(ThingAdjectives, rng)} {thing}",
        };
    }

    /// <summary>A fresh taboo rule: an imperative starting with "never", "do not" or "always", e.g. "never dust the
    /// music box while the fog is in" or "always leave a saucer of honey on the landing at dusk".</summary>
    public static string Taboo(Random rng) => WithKeyContent(DrawTaboo, rng);

    /// <summary>Redraws a taboo or twist until it has two key content words (not stop or rule words), so it says something
    /// a story must state. The word lists make a redraw rare.</summary>
    private static string WithKeyContent(Func<Random, string> draw, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        string value;
        do value = draw(rng); while (StoryText.ContentStems(value).Count < 2);
        return value;
    }

    private static string DrawTaboo(Random rng)
    {
        string never = rng.Next(3) == 0 ? "do not" : "never";
        switch (rng.Next(7))
        {
            case 0:
            case 1:
            {
                var group = Pick(ActionGroups, rng);
                string rule = $"{never} {Pick(group.NeverVerbs, rng)} {Pick(group.Things, rng)}";
                return rng.Next(5) == 0 ? rule : $"{rule} {Pick(NeverWhen, rng)}";
            }
            case 2:
            {
                var group = Pick(ActionGroups, rng);
                return $"always {Pick(group.AlwaysVerbs, rng)} {Pick(group.Things, rng)} {Pick(AlwaysWhen, rng)}";
            }
            case 3:
            {
                string rule = rng.Next(2) == 0
                    ? $"{never} {Pick(MovementVerbs, rng)} {Pick(MovementPrepositions, rng)} {Pick(Landmarks, rng)}"
                    : $"{never} {Pick(StillVerbs, rng)} {Pick(StillPrepositions, rng)} {Pick(Landmarks, rng)}";
                return rng.Next(2) == 0 ? rule : $"{rule} {Pick(NeverWhen, rng)}";
            }
            case 4:
                return $"always leave {Pick(Offerings, rng)} {Pick(OfferingPlaces, rng)} {Pick(AlwaysWhen, rng)}";
            case 5:
                return rng.Next(3) switch
                {
                    0 => $"{never} say {Pick(Utterances, rng)} {Pick(StillPrepositions, rng)} {Pick(Landmarks, rng)}",
                    1 => $"{never} say {Pick(Utterances, rng)} {Pick(NeverWhen, rng)}",
                    _ => $"{never} say {Pick(Utterances, rng)} {Pick(StillPrepositions, rng)} {Pick(Landmarks, rng)} {Pick(NeverWhen, rng)}",
                };
            default:
                return rng.Next(3) switch
                {
                    0 => $"always knock {Pick(Numbers, rng)} times before entering {Pick(KnockRooms, rng)} {Pick(WhenNotBefore, rng)}",
                    1 => $"always count to {Pick(Numbers, rng)} before opening {Pick(ActionGroups[0].Things, rng)} {Pick(WhenNotBefore, rng)}",
                    _ => $"{never} let {Pick(ActionGroups[5].Things, rng)} go out {Pick(rng.Next(2) == 0 ? NeverWhen : AlwaysWhen, rng)}",
                };
        }
    }

    /// <summary>A fresh twist: a lowercase clause, e.g. "the ferryman had been a reflection all along" or "every
    /// clock in the lodge stopped at the same minute".</summary>
    public static string Twist(Random rng) => WithKeyContent(DrawTwist, rng);

    private static string DrawTwist(Random rng)
    {
        return rng.Next(10) switch
        {
            9 => PossessionTwist(rng),
            0 => $"{Person(rng)} had been {Pick(PeopleStates, rng)} {Pick(AllAlong, rng)}",
            1 => $"the {Pick(Sounds, rng)} {(rng.Next(2) == 0 ? "is" : "was")} coming from " +
                (Plain(rng) ? Pick(SoundSources, rng) : $"the {Pick(PlaceParts, rng)} of the {Pick(Places, rng)}"),
            2 => $"{PlaceSubject(rng)} was never {Pick(PlaceNeverStates, rng)}",
            3 => PersonNever(Person(rng), Pick(PersonNeverStates, rng)),
            4 => $"{PlaceSubject(rng)} is {Pick(PlaceIsStates, rng)}",
            5 => $"every {Pick(EveryThings, rng)} in {PlaceSubject(rng)} {Pick(EveryPredicates, rng)}",
            6 => $"there is always one more {Pick(OneMoreThings, rng)} in the {MaybePlaceAdjective(rng)}{Pick(OneMorePlaces, rng)} " +
                $"than there are {Pick(OneMorePeople, rng)}",
            7 => $"the {MaybeThingAdjective(rng)}{Pick(AllThings, rng)} {Pick(ObjectPredicates, rng)}",
            _ => $"the {Pick(Crowds, rng)} " +
                $"{(Plain(rng) ? Pick(CrowdPlaces, rng) : $"in the {Pick(PlaceAdjectives, rng)} {Pick(Places, rng)}")} " +
                Pick(CrowdPredicates, rng),
        };
    }

    private static readonly string[] AllThings = [.. HardThings, .. SoftThings, .. PaperThings];

    // The twist parts below take their plain, small-list form only one time in three, so that the twists' few
    // hundred plain combinations do not repeat among a few thousand draws.
    private static bool Plain(Random rng) => rng.Next(3) == 0;

    private static string Person(Random rng) =>
        Plain(rng) ? Pick(People, rng) : $"the {Pick(RoleAdjectives, rng)} {Pick(Roles, rng)}";

    private static string PlaceSubject(Random rng) => Plain(rng)
        ? $"the {Pick(rng.Next(2) == 0 ? PlaceSubjects : Places, rng)}"
        : $"the {Pick(PlaceAdjectives, rng)} {Pick(rng.Next(2) == 0 ? PlaceSubjects : Places, rng)}";

    private static string MaybePlaceAdjective(Random rng) => Plain(rng) ? "" : Pick(PlaceAdjectives, rng) + " ";

    private static string MaybeThingAdjective(Random rng) => Plain(rng) ? "" : Pick(ThingAdjectives, rng) + " ";

    // The few plural subjects among the people take "were".
    private static string PersonNever(string person, string state) =>
        $"{person} {(person is "the other guests" or "the neighbors" ? "were" : "was")} never {state}";

    /// <summary>A fresh first name: two or three made-up syllables, capitalised, at most <see cref="MaxNameLength"/>
    /// letters, e.g. "Tarmu", "Mithik" or "Vamesha". Never an English word, never a name of <see cref="ValuePools.Default"/>,
    /// never starting like a function word; one to <see cref="MaxNameTokens"/> GPT-2 tokens.</summary>
    public static string Name(Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        while (true)
        {
            string name = DrawSyllables(rng);
            if (!IsUsableName(name)) continue;
            name = char.ToUpperInvariant(name[0]) + name[1..];
            // As it follows "Protagonist:" or a word in a story, with its leading space.
            if (Gpt2Tokenizer.Shared.Encode(" " + name).Length <= MaxNameTokens) return name;
        }
    }

    /// <summary>
    /// A complete spec of fresh values (two distinct names). Fields are drawn in prompt order; a value found in
    /// <paramref name="avoid"/> (compared as the set compares, e.g. every pool value, so fresh values never coincide with
    /// training or held-out ones) is drawn again.
    /// </summary>
    public static StorySpec Spec(Random rng, IReadOnlySet<string>? avoid = null)
    {
        ArgumentNullException.ThrowIfNull(rng);
        string Draw(Func<Random, string> draw)
        {
            string value;
            do value = draw(rng); while (avoid is not null && avoid.Contains(value));
            return value;
        }

        string title = Draw(Title);
        string setting = Draw(Setting);
        string protagonist = Draw(Name);
        string supporting;
        do supporting = Draw(Name); while (string.Equals(supporting, protagonist, StringComparison.OrdinalIgnoreCase));
        return new StorySpec(title, setting, protagonist, supporting, Draw(Object), Draw(Taboo), Draw(Twist)).Validate();
    }

    // ---- Helpers -------------------------------------------------------------------------------------------------

    private static T Pick<T>(T[] items, Random rng) => items[rng.Next(items.Length)];

    /// <summary>Two or three syllables: onset + vowel (+ coda), optionally an inner syllable, then a name-like ending.
    /// After a coda the next onset is a single consonant, so clusters stay pronounceable.</summary>
    private static string DrawSyllables(Random rng)
    {
        string first = Pick(NameOnsets, rng) + Pick(NameVowels, rng);
        string coda = Pick(NameCodas, rng);
        string name = first + coda;
        if (coda.Length == 0 && rng.Next(3) == 0) name += NextOnset(coda, rng) + Pick(NameInnerVowels, rng);
        string lastCoda = name[^1] is 'a' or 'e' or 'i' or 'o' or 'u' ? "" : coda;
        string ending = Pick(NameEndings, rng);
        string finalCoda = Pick(NameFinalCodas, rng);
        // "-ias", "-iath" and "-us" read (and tokenize) badly; "-s" after other vowels reads as a plural.
        name += NextOnset(lastCoda, rng) + ending + (ending is "ia" or "u" || finalCoda == "s" && ending != "i" ? "" : finalCoda);
        return name;
    }

    private static string NextOnset(string previousCoda, Random rng)
    {
        string onset;
        do onset = Pick(NameInnerOnsets, rng);
        while (previousCoda.Length > 0 && (onset.Length > 1 || onset == previousCoda[^1..]));
        return onset;
    }

    /// <summary>Whether a drawn (lowercase) name is usable: short, no tripled or awkward vowel runs, not an English
    /// word or a word of these lists, not a pool name, not opening like a function word.</summary>
    internal static bool IsUsableName(string name)
    {
        if (name.Length < 3 || name.Length > MaxNameLength) return false;
        if (HasVowelRun(name, 3)) return false;
        if (EnglishWords.Contains(name) || ListWords.Contains(name) || PoolNames.Contains(name)) return false;
        if (StoryText.StopWords.Contains(name)) return false;
        return !AwkwardNameStarts.Any(s => name.StartsWith(s, StringComparison.Ordinal));
    }

    private static bool HasVowelRun(string s, int length)
    {
        int run = 0;
        foreach (char c in s)
        {
            run = "aeiouy".Contains(c) ? run + 1 : 0;
            if (run >= length) return true;
        }
        return false;
    }

    // Every word of an American English word list (3 to 7 letters, proper nouns lowercased) that the syllable pattern
    // can spell, matched against a regular expression of the pattern (so a superset): such a "name" would read as a
    // word, a place or a famous person ("Satan", "Osaka"), not as a made-up character.
    private static readonly HashSet<string> EnglishWords = new(WordLists.Load("FreshValues.EnglishWords"), StringComparer.Ordinal);
}
