using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Tokenization;

namespace HorrorAlign.ML.Data;

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
/// order; the same seeded generator gives the same values on every machine.
/// Articles and Title Case follow <see cref="English"/>.
/// </para>
/// </summary>
public static class FreshValues
{
    // ---- Objects: small carryable things, grouped by what they can be made of ----------------------------------

    private static readonly string[] HardThings =
    [
        "key", "locket", "thimble", "compass", "lantern", "spoon", "button", "whistle", "bell", "comb", "brooch", "ring",
        "coin", "marble", "hand mirror", "teacup", "candlestick", "matchbox", "snuffbox", "hairpin", "pendant", "amulet",
        "figurine", "music box", "toy soldier", "spinning top", "harmonica", "tuning fork", "metronome", "snow globe",
        "paperweight", "inkwell", "fountain pen", "padlock", "doorknob", "cufflink", "wristwatch", "stopwatch",
        "pocket watch", "chess piece", "domino", "puzzle box", "trinket box", "vial", "flask", "perfume bottle",
        "cigarette case", "spyglass", "bracelet", "medal", "badge", "token", "letter opener", "nutcracker", "salt shaker",
        "teaspoon", "rattle", "hand bell", "napkin ring", "bottle stopper", "birdcall", "sewing tin", "pillbox",
    ];

    private static readonly string[] HardMaterials =
    [
        "brass", "copper", "pewter", "tin", "iron", "silver", "bronze", "steel", "glass", "porcelain", "wooden", "oak",
        "walnut", "ebony", "bone", "ivory", "amber", "jade", "enamel", "crystal", "clay", "slate", "horn", "nickel",
        "gilt", "cast-iron", "soapstone", "obsidian",
    ];

    private static readonly string[] SoftThings =
    [
        "glove", "mitten", "scarf", "ribbon", "handkerchief", "bonnet", "slipper", "shawl", "veil", "rag doll",
        "teddy bear", "coin purse", "pouch", "armband", "headscarf", "hair ribbon", "bookmark", "pincushion",
        "glasses case", "baby bootee", "sleeping mask", "tobacco pouch", "toy rabbit", "hand puppet",
    ];

    private static readonly string[] SoftMaterials =
    [
        "velvet", "lace", "woollen", "silk", "linen", "felt", "leather", "cotton", "satin", "tweed", "knitted",
        "corduroy", "canvas", "moleskin", "crocheted",
    ];

    private static readonly string[] PaperThings =
    [
        "postcard", "photograph", "envelope", "notebook", "ledger", "diary", "hymnal", "letter", "ticket", "receipt",
        "map", "playing card", "tarot card", "birthday card", "telegram", "sketchbook", "address book", "recipe card",
        "luggage tag", "library card", "train ticket", "newspaper clipping", "prayer card", "school report",
        "calendar page", "seed packet", "paper crane", "valentine", "programme", "census form",
    ];

    private static readonly string[] PaperAdjectives =
    [
        "faded", "yellowed", "water-stained", "dog-eared", "unsigned", "unopened", "torn", "creased", "crumpled",
        "folded", "handwritten", "typewritten", "sealed", "blank", "damp", "scorched", "misprinted", "undated",
        "unaddressed", "smudged",
    ];

    private static readonly string[] ThingAdjectives =
    [
        "old", "tiny", "cracked", "rusted", "tarnished", "chipped", "dented", "crooked", "hollow", "heavy", "broken",
        "bent", "warped", "scorched", "frozen", "damp", "dusty", "silent", "humming", "ticking", "painted", "carved",
        "engraved", "polished", "mended", "battered", "worn", "weathered", "miniature", "antique", "unmarked", "ornate",
        "empty", "lopsided", "nameless", "icy", "unfamiliar", "secondhand", "mismatched", "heirloom", "forgotten",
    ];

    // At most four words each, so that with an article, an adjective and the thing an object stays within six words.
    private static readonly string[] ThingDetails =
    [
        "with a broken clasp", "with a cracked face", "with unfamiliar initials", "with a tiny keyhole",
        "with a scratched name", "with a red thread", "with no markings", "with a date inside", "with a smudged thumbprint",
        "with a faded label", "with one corner missing", "with a hidden compartment", "with a lock of hair",
        "with a missing piece", "with a foreign stamp", "from a drowned village", "from the lost property",
        "from a burned house", "from the last century", "from a locked drawer", "from an empty grave",
        "from under the floorboards", "from a sunken ship", "from the old asylum", "from the church basement",
        "from a stranger's pocket",
    ];

    private static readonly string[] Owners =
    [
        "caretaker's", "ferryman's", "organist's", "gardener's", "lodger's", "stationmaster's", "lighthouse keeper's",
        "housekeeper's", "night nurse's", "previous tenant's", "vicar's", "drowned sailor's", "missing girl's",
        "old schoolteacher's", "watchmaker's", "gravedigger's", "landlady's", "postman's", "piano tuner's",
        "second cousin's", "night porter's", "last guest's", "miller's", "choirmaster's",
    ];

    // ---- Settings: a place, dressed with a state and a time or a location ----------------------------------------

    private static readonly string[] Places =
    [
        "lighthouse", "cannery", "orphanage", "ferry terminal", "bus depot", "parking garage", "lumber mill",
        "textile mill", "greenhouse", "observatory", "chapel", "monastery", "boarding house", "guesthouse", "motel",
        "hotel", "hostel", "laundromat", "bowling alley", "roller rink", "cinema", "planetarium", "aquarium", "museum",
        "library", "post office", "telephone exchange", "signal box", "railway station", "weather station",
        "fire lookout", "ranger station", "hunting lodge", "ski chalet", "farmhouse", "barn", "grain silo", "windmill",
        "water mill", "dairy", "tenement", "apartment block", "dormitory", "sanatorium", "convent", "village school",
        "swimming baths", "bathhouse", "shipyard", "fish market", "icehouse", "boathouse", "houseboat", "trawler",
        "cable car station", "mine shaft", "salt mine", "pumping station", "power station", "bunker", "parsonage",
        "rectory", "manor", "cottage", "caravan park", "campsite", "truck stop", "diner", "bakery", "toy shop",
        "clock shop", "pawnshop", "bookshop", "dance hall", "ballroom", "opera house", "courthouse", "prison",
        "lock keeper's cottage", "waxworks", "puppet theater", "funeral parlor", "hospice", "nursing home",
        "radio tower", "ferry", "night bus", "sleeper train", "school bus", "hedge maze", "walled garden",
    ];

    private static readonly string[] PlaceAdjectives =
    [
        "abandoned", "shuttered", "derelict", "half-built", "flooded", "snowbound", "fogbound", "forgotten", "crumbling",
        "condemned", "empty", "deserted", "silent", "boarded-up", "rented", "unlit", "overgrown", "windowless", "locked",
        "run-down", "isolated", "remote", "quiet", "old", "disused", "vacant", "storm-battered", "mildewed", "sinking",
        "half-demolished", "unheated", "echoing", "half-flooded", "leaning",
    ];

    private static readonly string[] PlaceTimes =
    [
        "during a thunderstorm", "during a heatwave", "during a blizzard", "during a power cut", "during a long drought",
        "during a week of rain", "during the night shift", "during the harvest festival", "during the spring tide",
        "after midnight", "after the last train", "after the evacuation", "after the floods", "after closing time",
        "after the funeral", "after the auction", "after the river froze", "after the first snow", "in the small hours",
        "in the dead of winter", "in late November", "in the off-season", "in the first week of spring",
        "in the last days of summer", "on the eve of demolition", "on the shortest day of the year", "on a moonless night",
        "on the last night of the season", "on a foggy Sunday", "at the turn of the year", "at dusk in early March",
        "before the morning bell", "while the town sleeps", "under a week of snow",
    ];

    private static readonly string[] PlaceLocations =
    [
        "beside a frozen canal", "at the edge of a pine forest", "at the end of a gravel road", "under a railway bridge",
        "above a flooded quarry", "on a cliff above the sea", "behind the old quarry", "in the middle of a salt marsh",
        "deep in the moors", "on an island in a black lake", "below a silent dam", "at the bottom of a steep valley",
        "beside a dried-up river", "on the edge of a sleeping town", "near the old border", "beyond the last bus stop",
        "on a hill of leafless trees", "across from a closed cemetery", "at the foot of a glacier", "by a drained reservoir",
    ];

    // Relative clauses, so that training also shows settings that go on after a "that", "where" or "whose" (the copy
    // must continue past a word that, anywhere else in a story, starts the template's own clause).
    private static readonly string[] PlaceClauses =
    [
        "that nobody rents anymore", "that stays open all night", "where the lights never go out", "that the town forgot",
        "that was never finished", "where nobody answers the door", "that still smells of smoke", "whose clocks all run slow",
        "that floods every spring", "where the radio only plays static", "that closed the year the mine did",
        "that nobody will buy", "where the heating never works", "that keeps its shutters down", "that sleeps under the snow",
        "where the stairs creak on their own", "that no map shows", "whose owner vanished in the spring",
    ];

    private static readonly string[] PlaceParts =
    [
        "basement", "attic", "top floor", "east wing", "boiler room", "stairwell", "cellar", "back room", "loading dock",
        "projection room", "kitchen", "laundry room", "waiting room", "bell tower", "lower deck", "storeroom",
        "service corridor", "west wing", "night office", "cold store",
    ];

    // ---- Taboos: actions on things, movements through places, offerings, words not to say ------------------------

    /// <summary>Verbs for "never"/"do not", verbs for "always", and the things both apply to.</summary>
    private sealed record ActionGroup(string[] NeverVerbs, string[] AlwaysVerbs, string[] Things);

    private static readonly ActionGroup[] ActionGroups =
    [
        new(["open", "unlock", "touch", "knock on", "look behind", "paint", "prop open", "oil"],
            ["close", "lock", "bolt", "check", "chalk a cross on", "salt the edges of"],
            ["the cellar door", "the attic hatch", "the wardrobe", "the linen cupboard", "the back gate", "the trapdoor",
             "the bottom drawer", "the shutters", "the garden gate", "the coal chute", "the dumbwaiter",
             "the bathroom window", "the sea chest", "the piano lid", "the fuse box", "the boathouse door",
             "the bell tower door", "the pantry door", "the cabinet in the study", "the skylight"]),
        new(["answer", "reply to", "touch", "unplug", "listen to"],
            ["unplug", "cover", "switch off", "check"],
            ["the telephone in the hall", "the intercom", "the old radio", "the switchboard", "the baby monitor",
             "the walkie-talkie", "the answering machine", "the payphone by the road", "the ship's radio",
             "the speaking tube", "the two-way radio", "the party line"]),
        new(["touch", "dust", "move", "listen to", "hum along with", "stop", "polish"],
            ["silence", "cover", "check", "dust"],
            ["the piano", "the gramophone", "the church bell", "the music box", "the organ", "the wind chimes",
             "the dinner gong", "the ship's bell", "the cuckoo clock", "the grandfather clock", "the harp in the parlor",
             "the hand bell", "the old accordion", "the metronome"]),
        new(["look into", "cover", "stare at", "speak to", "wave at", "touch", "clean", "photograph"],
            ["cover", "drape", "check", "dust"],
            ["the mirrors", "the portraits", "the photographs on the stairs", "the painting in the hall", "the windows",
             "the well", "the pond", "the statue in the garden", "the glass cabinet", "the television screen",
             "the scarecrow", "the wax figures", "the dolls", "the mannequins", "the bathroom mirror"]),
        new(["feed", "follow", "answer", "invite", "speak to", "look at", "wave back at", "open the door to", "thank", "name"],
            ["count", "greet", "feed", "bow to"],
            ["the cat that scratches at the door", "the crows", "the grey dog", "the moths", "the children who knock",
             "the man in the long coat", "the woman at the gate", "the visitors", "the lodger from upstairs",
             "the stranger on the road", "the voice at the window", "the hitchhikers", "the carol singers",
             "the girl by the well", "the old men on the bench", "the swans on the lake"]),
        new(["light", "relight", "touch", "stare into", "put out", "blow on"],
            ["light", "trim", "tend", "check"],
            ["the candles", "the lantern in the window", "the porch light", "the stove", "the furnace", "the oil lamp",
             "the night light", "the bonfire", "the lamp on the landing", "the gas lamps", "the fire in the grate",
             "the lighthouse lamp"]),
    ];

    private static readonly string[] NeverWhen =
    [
        "after dark", "after midnight", "after sundown", "before sunrise", "before dawn", "at dusk", "while it is snowing",
        "while it rains", "when the wind changes", "during a thunderstorm", "on a moonless night",
        "while the lights are flickering", "when the dogs stop barking", "when the tide is out",
        "after the last bus has gone", "after the church bell rings", "while the fog is in", "when the radio goes quiet",
        "once the fire has gone out", "in the hour before dawn", "on the night of the full moon", "after the first frost",
        "when someone knocks twice", "when the house is quiet", "after the porter goes home", "while you are alone",
        "on the third night", "when the power fails", "while the kettle is singing", "when the crows go quiet",
    ];

    // For rules that already say "before …" once.
    private static readonly string[] WhenNotBefore = [.. NeverWhen.Where(w => !w.StartsWith("before ", StringComparison.Ordinal))];

    private static readonly string[] AlwaysWhen =
    [
        "before dark", "before you sleep", "before the lights go out", "before the fog comes in", "before the last bus leaves",
        "before anyone knocks", "before the tide turns", "before you leave the room", "before the church bell stops",
        "before the snow starts", "before sundown", "before the radio goes quiet", "at dusk", "every night",
        "each evening at nine", "before the house goes quiet", "before the first frost", "when the wind drops",
        "as soon as the power fails", "before the kettle boils",
    ];

    private static readonly string[] Numbers = ["two", "three", "four", "five", "six", "seven", "nine", "eleven", "twelve", "thirteen"];

    private static readonly string[] MovementVerbs = ["go", "walk", "wander", "run", "cycle", "stray", "hurry", "drive"];
    private static readonly string[] MovementPrepositions = ["past", "into", "across", "beyond", "toward", "down to", "around", "through"];
    private static readonly string[] StillVerbs = ["sleep", "whistle", "sing", "hum", "speak", "call out", "linger", "sit down", "fall asleep", "look back", "kneel", "count aloud"];
    private static readonly string[] StillPrepositions = ["in", "near", "inside", "under", "beside", "behind", "by"];

    private static readonly string[] Landmarks =
    [
        "the boathouse", "the old well", "the frozen pond", "the tree line", "the orchard", "the boiler room",
        "the chapel", "the lower field", "the railway cutting", "the stone bridge", "the quarry", "the greenhouse",
        "the bell tower", "the marsh", "the churchyard", "the lighthouse", "the pier", "the east wing",
        "the service stairs", "the laundry room", "the cold store", "the pumping station", "the hedge maze",
        "the signal box", "the empty lido", "the birch wood", "the weir", "the old mine", "the sheep pens",
        "the dry fountain", "the ice house", "the ruined abbey",
    ];

    private static readonly string[] Offerings =
    [
        "a bowl of milk", "a cup of salt", "a lit candle", "a slice of bread", "a saucer of honey", "three copper coins",
        "a folded note", "a glass of water", "a sprig of rosemary", "a single red ribbon", "an apple", "a spoonful of sugar",
        "a pair of shoes", "a lock of your hair", "a handful of grain", "a wooden spoon", "an empty chair", "a spare key",
    ];

    private static readonly string[] OfferingPlaces =
    [
        "on the back step", "on the windowsill", "by the cellar door", "at the foot of the stairs", "on the landing",
        "at the end of the pier", "beside the well", "outside the bedroom door", "under the kitchen table",
        "on the garden wall", "at the crossroads", "in the empty room", "on the top stair", "by the chimney",
    ];

    private static readonly string[] Utterances =
    [
        "your own name", "goodbye", "thank you", "the old name of the house", "the name of the drowned village",
        "the date out loud", "the number thirteen", "the last line of the lullaby", "the word winter",
        "the name of the last tenant", "where you sleep", "your mother's name", "the word door", "the prayer backward",
        "the names of the dead", "how many of you there are", "the rhyme about the ferryman", "your age",
        "the word home", "what you dreamed", "the name of the missing boy", "the hymn out loud", "the word lantern",
        "the time aloud", "where the key is hidden", "the first line of the letter",
    ];

    private static readonly string[] KnockRooms =
    [
        "the attic", "the nursery", "the spare room", "the chapel", "the boiler room", "the old study", "the music room",
        "the east bedroom", "the linen room", "the dark room", "the sewing room", "the signal box", "the icehouse",
    ];

    // ---- Twists --------------------------------------------------------------------------------------------------

    private static readonly string[] People =
    [
        "the caretaker", "the night porter", "the old man next door", "the woman in the photograph", "the ferryman",
        "the landlady", "the boy at the window", "the girl on the stairs", "the voice on the radio", "the lodger upstairs",
        "the doctor", "the vicar", "the bus driver", "the other guests", "the neighbors", "the stationmaster",
        "the housekeeper", "the piano teacher", "the lighthouse keeper", "the choir", "the family in the portrait",
        "the hitchhiker", "the night nurse", "the postman", "the tour guide", "the last tenant", "the child next door",
        "the search party", "the man who sold them the house", "the woman who answered the phone",
    ];

    private static readonly string[] PeopleStates =
    [
        "dead", "a reflection", "sleepwalking", "waiting for them", "counting the days", "living in the walls",
        "the one knocking", "writing the letters", "trapped in the house", "a memory the house kept",
        "nothing but a shadow", "answering in their voice", "the first to vanish", "asleep in the cellar",
        "part of the building", "watching from the attic", "buried under the orchard", "walking in circles",
        "the thing under the stairs", "a stranger wearing a familiar coat", "drowned in the lake",
        "speaking for someone else",
    ];

    private static readonly string[] AllAlong = ["all along", "for years", "since the flood", "the whole time", "since the fire", "for a century"];

    private static readonly string[] Sounds =
    [
        "knocking", "ticking", "singing", "whispering", "humming", "ringing", "scratching", "crying", "voice", "whistling",
        "music", "breathing", "tapping", "rustling", "dripping", "counting", "praying", "piano", "lullaby", "heartbeat", "hymn",
    ];

    private static readonly string[] SoundSources =
    [
        "inside the wardrobe", "beneath the floorboards", "the bottom of the well", "the locked room upstairs",
        "the empty flat next door", "inside the piano", "under the frozen lake", "the back of the mirror",
        "the sealed chimney", "inside the music box", "the cellar that was bricked up", "the grave behind the chapel",
        "the other end of a disconnected line", "the attic nobody can reach", "behind the wallpaper",
        "inside their own suitcase", "the bottom of the garden", "the room with no door", "a radio that is unplugged",
        "the flooded basement", "the closed coffin in the parlor", "under their own bed",
    ];

    private static readonly string[] PlaceSubjects =
    [
        "house", "hotel", "village", "station", "island", "lodge", "school", "hospital", "chapel", "farm", "lighthouse",
        "ferry", "train", "road", "motel", "street", "mill", "orphanage",
    ];

    // Roles that an adjective can qualify ("the blind ferryman"), on top of the fixed people above.
    private static readonly string[] Roles =
    [
        "caretaker", "ferryman", "organist", "gardener", "lodger", "stationmaster", "housekeeper", "night nurse", "vicar",
        "landlady", "postman", "piano tuner", "watchmaker", "gravedigger", "miller", "choirmaster", "lighthouse keeper",
        "night porter", "doctor", "bus driver", "hitchhiker", "tour guide", "schoolteacher", "milkman", "boatman",
        "ticket collector", "lift operator", "projectionist", "shepherd", "locksmith",
    ];

    // Possessive twists ("the ferryman's eyes …"): the stories' templates end sentences on a possessive noun ("without
    // once meeting Mara's eyes."), so training must also show values that go on after one.
    private static readonly string[] PluralPossessions = ["eyes", "hands", "footsteps", "initials"];
    private static readonly string[] SingularPossessions = ["voice", "shadow", "reflection", "handwriting", "portrait"];

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

    private static readonly string[] RoleAdjectives =
    [
        "old", "young", "new", "quiet", "blind", "tall", "grey-haired", "silent", "polite", "nervous", "pale", "patient",
        "elderly", "soft-spoken", "gentle", "limping", "whistling",
    ];

    private static readonly string[] PlaceNeverStates =
    [
        "empty", "really there", "on any map", "finished", "locked from the outside", "abandoned", "meant to be found",
        "as empty as it looked", "built by anyone living", "meant to let anyone leave", "rebuilt after the fire",
    ];

    private static readonly string[] PersonNeverStates =
    [
        "alone", "asleep", "allowed to leave", "really there", "human", "the one who called", "a stranger",
        "a guest", "the real owner", "born", "buried", "looking at them", "on the passenger list", "seen leaving",
        "in any photograph", "the one writing the notes", "told the truth about the well", "able to leave the grounds",
        "awake when they spoke", "paid for their work",
    ];

    private static readonly string[] PlaceIsStates =
    [
        "slowly forgetting them", "older than the town around it", "alive and listening",
        "moving a little further from the road every night", "a copy of one that burned down",
        "built on top of another one just like it", "keeping everyone who sleeps in it", "repeating the same night",
        "only there when the fog is in", "growing a new room each winter", "under the lake", "waiting for its last guest",
        "hungry in a patient way", "remembering them wrong", "drawing them back one by one",
    ];

    private static readonly string[] EveryThings =
    [
        "clock", "mirror", "photograph", "door", "window", "portrait", "doll", "candle", "key", "chair", "bed",
        "calendar", "compass", "lamp", "map",
    ];

    private static readonly string[] EveryPredicates =
    [
        "points toward the cellar", "stopped at the same minute", "faces the same window", "remembers the people who left",
        "belonged to the same missing family", "shows the room one minute later", "was made by a man who never existed",
        "hums when someone is about to leave", "turns to face whoever is sleeping", "is older than the walls around it",
        "carries the same thumbprint", "knows their names", "goes cold when the ferry comes in",
    ];

    private static readonly string[] OneMoreThings =
    [
        "chair", "bed", "coat", "shadow", "voice", "plate", "toothbrush", "candle", "name on the list", "pair of boots",
        "footstep", "key on the hook", "cup on the table", "reflection",
    ];

    private static readonly string[] OneMorePeople = ["guests", "people", "children", "tenants", "passengers", "patients", "sleepers", "travelers"];

    private static readonly string[] OneMorePlaces = ["house", "hotel", "dormitory", "carriage", "ward", "cabin", "lodge", "boat"];

    private static readonly string[] ObjectPredicates =
    [
        "has been in the family for three hundred years", "belongs to someone who has not been born yet",
        "was buried with its last owner", "keeps finding its way back to the house", "was hiding, not lost",
        "is older than the house", "remembers every hand that held it", "was what called them there",
        "was placed there for them years ago", "has been counting down since they arrived", "belongs to the drowned girl",
        "is the only thing the fire did not take",
    ];

    private static readonly string[] Crowds = ["guests", "children", "villagers", "neighbors", "passengers", "patients", "tenants", "choirboys", "fishermen", "nuns"];

    private static readonly string[] CrowdPlaces =
    [
        "in the photograph", "at the end of the lane", "on the night train", "in the east wing", "in the old village",
        "on the ferry", "in the hotel", "in the painting", "across the street", "in the churchyard",
    ];

    private static readonly string[] CrowdPredicates =
    [
        "have no reflections", "have not aged in fifty years", "cast no shadows", "all share the same face",
        "never blink", "only appear when it snows", "are counting the days until someone leaves", "sleep standing up",
        "have been waiting for a new neighbor", "stop talking whenever the bell rings", "are all wearing the same coat",
        "have been dead since the winter of the flood", "know what happens on the last night",
    ];

    // ---- Titles --------------------------------------------------------------------------------------------------

    private static readonly string[] TitleNouns =
    [
        "Bell", "Lantern", "Orchard", "Tide", "Choir", "Stair", "Well", "Lodger", "Ferry", "Harbor", "Mirror", "Attic",
        "Cellar", "Garden", "Hallway", "Caretaker", "Signal", "Station", "Chapel", "Lighthouse", "Marsh", "Winter",
        "Hour", "Visitor", "Window", "Archive", "Reservoir", "Carousel", "Furnace", "Shutter", "Keeper", "Tenant",
        "Quarry", "Frost", "Chimney", "Threshold", "Portrait", "Mill", "Harvest", "Ferryman", "Lullaby", "Candle",
        "Curtain", "Compass", "Locket", "Hymn", "Sleeper", "Ward", "Bridge", "Pier", "Lake", "Field", "Road", "Meadow",
        "Gatehouse", "Doll", "Organ", "Telegram", "Radio", "Switchboard", "Lodge", "Crossing", "Tunnel", "Tower", "Flood",
        "Fog", "Silence", "Echo", "Shadow", "Guest", "Passenger", "Neighbor", "Music Box", "Snow", "Night Train",
        "Wallpaper", "Scarecrow", "Weathervane", "Boathouse", "Parlor",
    ];

    private static readonly string[] TitleAdjectives =
    [
        "Quiet", "Hollow", "Drowned", "Silent", "Frozen", "Empty", "Crooked", "Forgotten", "Unlit", "Sleeping", "Patient",
        "Borrowed", "Grey", "Long", "Last", "Second", "Narrow", "Painted", "Locked", "Whispering", "Listening", "Sunken",
        "Broken", "Waiting", "Humming", "Midnight", "Pale", "Vanishing", "Nameless", "Restless", "Buried", "Faded",
        "Cold", "Lonely", "Hidden", "Distant", "Endless", "Upside-Down", "Unfinished", "Weeping", "Thirteenth", "Other",
    ];

    private static readonly string[] TitleVerbsPast =
    [
        "Kept", "Remembered", "Swallowed", "Saw", "Heard", "Buried", "Carried", "Whispered", "Took", "Forgot",
        "Left Behind", "Knew", "Hid", "Wanted", "Counted", "Dreamed",
    ];

    private static readonly string[] TitlePredicates =
    [
        "Rang Twice", "Would Not Stop", "Knew Their Names", "Came Back", "Never Closed", "Ran Backward", "Sang at Night",
        "Was Not There", "Kept Counting", "Stayed Awake", "Remembered Everything", "Followed Them Home", "Nobody Opened",
        "Forgot to Sleep", "Waited", "Never Melted", "Called Twice",
    ];

    private static readonly string[] TitleVerbs =
    [
        "Wake", "Open", "Answer", "Follow", "Feed", "Count", "Ring", "Light", "Trust", "Wind", "Disturb", "Name", "Cross",
        "Touch", "Unlock",
    ];

    private static readonly string[] TitlePlacePrefixes =
    [
        "Ash", "Elm", "Crow", "Raven", "Thorn", "Briar", "Wither", "Cinder", "Mire", "Fern", "Salt", "Stone", "Black",
        "Grey", "Cold", "Still", "Low", "Bitter", "Moth", "Candle", "Bell", "Heron", "Rook", "Sorrow", "Hollow", "Frost",
    ];

    private static readonly string[] TitlePlaceKinds =
    [
        "Hill", "Lane", "Creek", "Fen", "Bay", "Point", "Row", "End", "Cross", "Moor", "Ridge", "Wood", "Green",
        "Street", "Landing", "Heath", "Marsh", "Hollow", "Water", "Court",
    ];

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
        if (StoryLexicon.StopWords.Contains(name)) return false;
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
    private static readonly HashSet<string> EnglishWords = new((
        "ada adan adana adas adela adidas ado adonis aida aileron ainu airman aisha akin akita akiva ala alamo alan alana " +
        "alas alba albania albino albinos aldan aldo ali alias alibi alibis alisa alisha alison alkali alkalis allan " +
        "allison alma alnitak also alta altaba altho alto alton altos alva alvaro alvin ama amado amalia amaru amati " +
        "ameba amebas amelia amino amman ammo ammonia amnesia amok amos ana ananias andaman andiron anemia ani animus " +
        "anita ankara anna anon anorak anshan ansi ansis anti antis anton antonia anus ara arabia arabian arena arenas " +
        "aria arias armada armadas armani armenia arno aroma aromas aron arron arson artemis artisan asama asia asian " +
        "asmara asoka assisi astana aston astoria atari athena ava avalon avian avila avis avon baidu baku balaton bali " +
        "balkan balsa balsas bamako bambi banana bananas bandana bani bantu bantus barbara barman baroda baron barrera " +
        "barron barton baseman basho basin basis basra bassi basso bassos bathos batik baton batu bavaria bela belarus " +
        "bella bellini benin benita benito benson benton beria berlin bernini berra berta bertha beta betas bikini " +
        "bikinis biko bilbo bimbo bimbos bimini biro bismuth bison bola bolas bolero boleros bolivia bolton bonbon bonita " +
        "bonito bonitos bono bonus bordon boris borodin boron boru bosnia boston bosun brandi brando brandon bravado " +
        "bravo bravos brenda brendan brennan brenton breton brillo briton bronson bruno brutus bulimia bunin burka burkas " +
        "burma burris burrito burro burros bursa burton bushido dada dado dados dakota dakotan dakotas dali dalian dallas " +
        "dalton damian damon damson dana danton darin darla darrin darvon dashiki data davis debian debora deimos delano " +
        "deli delia deliria delis della deloris delta deltas deltona demo demon demos dena denis dennis dentin denton " +
        "dermis derrida devi devin devon dido dillon dina dino diva divan divas dodo dodoma dodos domino dominos dona " +
        "donna donovan dora dorian doris doritos dothan drama dramas drano dristan duluth dumas dumbo dunedin dunno duran " +
        "durban dustin ebola edema edison edith elba eldon elena eli elias elisa elisha ella ellis ellison elma elmira " +
        "elmo elnath elnora elsa eltanin elton elva elvia elvin elvira elvis emilia emma emo emos emu emus enema enemas " +
        "enkidu enos enron era eras erato erebus erik erika erin eris erma erna eros errata erratas ervin eskimo eskimos " +
        "esteban estela estonia eta ethan ethos eton eva evan evian evita fabian falasha farina farsi fatima fedora " +
        "fedoras fellini felon femora fenian fermi ferrari ferraro ferris feta fetus fido finis fireman fonda fondu " +
        "fondus fora foreman formosa fulani fulton fushun fustian futon gabon gaiman gala galas galatia galena galibi " +
        "gallo gallon galvani gambia gamin gamma gammas ganesha garbo gatun gavin geisha geishas gelatin gemini geminis " +
        "gena genaro genera genesis geneva gentian genus german gila gilda gillian gina gino ginsu gismo gismos gobi " +
        "godiva golan golda goliath gondola gonna gordian gordon gumbo gumbos gunman guru gurus gustavo gusto haiku " +
        "hairdo hairdos haiti haitian halo halon halos haman hamlin hamsun hanna hanson harbin hardin harlan harmon " +
        "harris havana havanas heidi heisman helena hello hellos henna hennas henri henson hera herero hereto herman " +
        "hernia hernias hero heroku heron heros herrera hessian heston hilda hilton hindi hindu hindus hinton hobo hobos " +
        "hollis holman honda honshu horton horus hula hulas human humeri humerus hummus humus huron huston hutu ibadan " +
        "iberia iberian ibis ibo ida ikon ila illus imo imus ina india indian indira indus inonu into ira iran iranian " +
        "iras iris irma iron irvin isis iso italian ito iva ivan jami jana janis janna janus jarvis jason jataka java " +
        "javas javelin jedi jello jellos jenna jeri jerkin jerri jesus jilin jillian jinan jinni jinnis jivaro jodi " +
        "jolson jonas joni jonson jordan jovian judas judith judo julia julian jumbo jumbos juno junta juntas justin kali " +
        "kama kannada kano kansan kansas kantian kara kari karin karina karla karma karo katina keisha kelli kelvin " +
        "kennan kennith kenosha kenton keratin keri kerri keto kevin kilo kilos kiloton kimono kimonos kinda kodak kodiak " +
        "kokomo koran kossuth kudos kurtis laban labia lakisha lakota lama lamas lana landon lanka lanolin lara laredo " +
        "larson larva larvas lassa lasso lassos latasha lateran latin latina latino latinos latisha lava lebanon leda " +
        "leila lela lelia lemma lemmas lemon lena lenin lennon leno lenora lesa lesbian lesotho lesson leta letha letitia " +
        "levi liberia libido libidos lidia lila lilia lilian lilith lillian lima limbo limbos limo limos lina linda " +
        "lineman linton linus lira liras lisa lisbon liston livia livonia lodi loki lola lolita london lora lorena lori " +
        "lorna lotus lula lulu luna luria lusaka madera madison mailman maiman malabo malaria mali malian malibu malta " +
        "malthus mama mamas mambo mambos mamma mammas mammon mammoth manama mandela mani mania manias manikin manila " +
        "manilas mankato manna manson mantis mara maratha marathi marduk mari maria marian marin marina marinas maris " +
        "marisa marla marlin marlon marmara marsala marsha marta martha martian martin martina martini marva marvin " +
        "masada maseru mason mathias mathis mavin mavis medan media median medias medina melanin melba melisa mellon " +
        "melon melton melva melvin memo memos menelik mensa menu menus merak merino merinos merlin merman merton mervin " +
        "mesa mesabi mesas meta midas milan militia milo milton mimi mimosa mimosas mindoro mini minibus minima minis " +
        "minivan minos mintaka minus mira miro misdo miskito mitosis moldova molina mombasa momma mommas mona monera mono " +
        "montana moran moravia moreno morin morison morita mormon moro moron moroni morris morton mubarak multan multi " +
        "munro muslin nadia nairobi namath namibia nanak narmada narnia nasa natalia natasha nathan nato nelda nelson " +
        "nemesis nero neva nevada nevadan nevis nikita nikon nimbi nimbus nina nirvana nisan nissan nita nokia nola nolan " +
        "nona nora norma norman norris norton nova novas nubia nubian nunki obama oberon odin odis ola olin olivia olson " +
        "oman omnibus ono onto onus ora oran orbison orin orlon ormolu osaka osha osiris oslo osman osmosis otis ova " +
        "ovarian pamela panama panamas panda pandas pandora pardon pareto paris parka parkas parsi parson parthia parvenu " +
        "pasha pashas pasta pastas pathos patina patinas pelvis pena penis pennon permian peron persia persian person " +
        "persona peru peseta pesetas peso pesos pinto pintos pisa pissaro piston pita piton podia polaris polka polkas " +
        "polo poltava pomona porno porrima portia potato puma pumas purana purina puritan purus pusan putin rabin radon " +
        "raisin rama ramada ramadan rambo ramiro ramon ramona ramos randi rankin rasta reba rebus redis redo remus rena " +
        "reno reran rerun resin retina retinas reva rita ritalin rivas rivera robeson robin rodin roku roman romania " +
        "romano romero ronda rosa rosin rossini rubik rubin rumania rumba rumbas ruskin russia russian russo rutan sabik " +
        "sabin sabina saki saladin salado salami salamis salas salinas saliva salmon salon salsa salsas salton salvo " +
        "salvos samara samba sambas samson sana sanka sankara santa santana santos sara saran sari saris sarto sasha " +
        "satan satin sedan seiko selena selma semi semis senna sera serbia serbian serena sermon serra serrano servo " +
        "servos seton severus shaka shaman shana shanna shannon shari sharia sharon sharron shasta shavian sheba shebeli " +
        "sheila sheldon shelia shelton sheri sherman sherri shikoku shinto shintos shiva shula siberia silas silo silos " +
        "silva silvan silvia simenon simian simon sinus situ siva sivan soda sodas solaria soli solis solo solomon solon " +
        "solos somali somalia somalis sonata sonatas sonia sorta sosa soto subaru sudan sudoku sulla sultan sultana " +
        "sumeria summon sumo sundas sunni suntan susan susana sushi suva tabatha tabitha tabu tabus taliban talon tamara " +
        "tameka tamera tami tamika tammi tamra tania tanisha tannin tara taro taros tartan tasha tasman tendon tennis " +
        "tenon teresa teri termini terra terran terri tesla tessa testis tetanus thalami thalia thelma theresa thereto " +
        "thermos theron thesis theta thimbu thomas thomson thurman tibetan tibia tibias timon tina tirana tiro tiros " +
        "tisha titan titania titian tito titus toledo toledos tomas tomato tomlin toni tonia tonto tornado torsi torso " +
        "torsos tortola torus toshiba toto travis trellis tremolo trenton trevino trina trisha tristan triton trivia " +
        "truman tuba tubas tulsa tuna tunas tunis tunisia turban turin tutu tutus tuvalu ulna ulnas umiak undo unison " +
        "unitas unman unto urania uranus urban urdu uris ursa usa usda uso uteri uterus valeria veda vedas vela velma " +
        "venison venus vera verbena verdi verdun vermin verna vernon verona versus vesta veteran veto vila villa villas " +
        "villon vilma vinson virus visa visalia visas vista vistas vitamin vito vitus viva vivas vivian volta volvo vonda " +
        "vulva vulvas zairian zambia zambian zamboni zamora zara zebu zebus zelma zenith zeno zero zeros zeroth zeta zibo " +
        "zinnia zinnias zola zomba zombi zombis zorro zosma zulu zulus zuni ").Split(' ', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
}
