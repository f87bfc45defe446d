namespace HorrorAlign.ML.Data;

/// <summary>
/// Spec values kept out of every pool (training AND held-out), out of the fresh-value word lists and out of all SFT
/// data, in the style of the built-in pools: a spec drawn from <see cref="Pools"/> is new to a trained model in every
/// field, exactly as a held-out spec is, without touching the held-out pools the evaluation draws from.
/// <para>
/// Why: on-policy DPO pairs only fix the failures they contain. Specs that differ from training specs in their names
/// alone made the SFT model fail in ways held-out specs do not (and missed the ways they do); mining on specs drawn
/// from the held-out pools themselves (an experiment, never shipped) gave pairs that lifted the held-out pass rate by
/// 3.5-4.7 points. These pools give the same kind of spec legitimately.
/// </para>
/// </summary>
public static class ProbeValues
{
    private static readonly string[] Titles =
    [
        "The Glass Orchard", "The Tollkeeper's Daughter", "What the Kiln Remembers", "The Salt Choir", "Below the Weir",
        "The Midnight Apiary", "A Lantern for the Drowned", "The Quarry Bells", "The Tenth Tenant", "The Hush of Crowmere",
        "The Weaver's Lament", "The Cartographer's Error", "The Shuttered Conservatory", "What the Beekeeper Heard",
        "The Velvet Stair", "The Sexton's Ledger", "The Pale Aviary", "Under the Gantry", "The Ninefold Door",
        "The Marionette Hour", "The Harbour Without Ships", "The Copper Hymn", "The Ossuary Garden", "The Fourth Lamp",
    ];

    private static readonly string[] Settings =
    [
        "a shuttered planetarium on the edge of the moor", "a decommissioned weather station on a sea stack",
        "an apiary behind a derelict convent", "a glassblower's workshop during a power cut",
        "a clock repair shop above a closed tram depot", "a taxidermist's studio in the old quarter",
        "a drained swimming baths under a shopping arcade", "a tollhouse on a flooded causeway",
        "an ice rink closed since the accident", "a bell foundry in the week before Easter",
        "a sunken garden behind a boarding house", "the gatehouse of a demolished asylum",
        "a printing press in a basement off the harbour", "a puppet theatre above a pawn shop",
        "an orangery in a frozen botanical garden", "a dairy farm during a week of thick mist",
        "a lock keeper's cottage on a silent canal", "a shipbreaking yard at low tide",
        "a wool mill with one loom still running", "an abandoned ropewalk beside the docks",
        "a cable car station above the cloud line", "a wine cellar beneath a burned chateau",
        "a lending library on a sinking barge", "a quarantine island in the estuary",
        "a signal box on a closed branch line", "a cold storage warehouse on a holiday weekend",
        "the crypt chapel of a drowned parish", "a radio telescope array in the desert",
        "a pottery kiln shed on a wet hillside", "a bathhouse in a mountain spa town",
        "a toll bridge tower in the rain", "a hatchery beside a still reservoir",
    ];

    private static readonly string[] Objects =
    [
        "a pewter thimble", "a bone crochet hook", "a cracked opera glass", "a brass sextant", "a wax seal stamp",
        "a clay whistle", "a mother-of-pearl button", "a tortoiseshell hairpin", "a copper kettle lid",
        "a slate chalkboard", "a stuffed wren", "a rosary of glass beads", "a tin of tooth powder", "a cork float",
        "an enamel badge", "an abacus bead", "an organ stop knob", "an oyster knife", "an ink-stained quill",
        "the bellringer's glove", "the ferryman's token", "the curate's spectacles", "the lockkeeper's windlass",
        "a folded paper crane", "a pressed violet", "a celluloid negative", "a cigar box of old keys",
        "a knitted mitten", "a sealed jam jar", "a plaster hand", "a tarot card", "a lace handkerchief",
    ];

    private static readonly string[] Taboos =
    [
        "never hum along when the kettle starts to sing", "never feed the goats after the chapel bell",
        "do not wind the music box in the nursery", "never polish the silver on a Friday",
        "always cover the birdcage before dusk", "never leave the gate latch half open",
        "do not open the piano lid while it rains", "never count the crows on the fence",
        "always hang the brass bell on the back door", "never sweep the dust out past the threshold",
        "do not whistle near the beehives at night", "never step into the chalk circle in the yard",
        "always turn the mirrors to face the wall", "never drink from the tap in the east wing",
        "do not unwrap the parcels left on the porch", "never row past the third buoy",
        "always leave one lamp burning in the hallway", "never name the dog that follows you home",
        "do not sit in the rocking chair by the stove", "never play the record with the blank label",
        "always bolt the coal hatch before supper", "never answer the telegraph after it stops",
        "do not climb the ladder to the hayloft", "never bring lilies into the parlour",
        "always pour the first cup out onto the soil", "never look up while crossing the footbridge",
        "do not feed the fish in the ornamental pond", "never thread a needle after midnight",
        "always put the knitting away before the fire dies", "never open the dumbwaiter on the top floor",
        "do not scrape the frost off the nursery window", "never ring the shop bell with a wet hand",
        "always salt the windowsills on a new moon", "never climb the spiral stair past the library",
        "do not lift the dust sheets in the ballroom", "never hang laundry out under a red sky",
        "always leave the cellar stool turned upside down", "never chase the lights along the towpath",
        "do not borrow a coat from the cloakroom", "never mend the clock that strikes thirteen",
    ];

    private static readonly string[] Twists =
    [
        "the beekeeper has been wearing the same smile for forty years", "the swans on the pond are counting the guests",
        "the kettle sings a different tune for every person who will leave", "the ferry tickets are stamped with tomorrow's date",
        "the doll's house upstairs changes to match the real rooms", "the gardener buries something new under each rosebush",
        "the puppets were once the theatre's missing actors", "the organ keeps playing the hymn after the organist has gone",
        "the frost on the window spells out the names of the guests", "the lighthouse beam sweeps across the town's empty bedrooms",
        "the church register lists every visitor a year before they arrive", "the echo in the well answers questions nobody asked",
        "the taxidermied fox has moved closer to the door each night", "the postman delivers letters written by the dead tenants",
        "the town's bells ring out for a funeral that has not happened", "the footbridge has one plank more when you cross back",
        "the orchard's apples all have teeth marks from the inside", "the wallpaper pattern is a map of the cellar tunnels",
        "the shadows in the photographs are standing in the wrong places", "the quarry lake freezes only where someone has drowned",
        "the landlady's canary sings in the voice of her late husband", "the weather vane points towards whoever will vanish next",
        "the wax figures breathe when the gallery lights are switched off", "the choir rehearses every night for a service of one",
        "the telegraph messages arrive before anyone has sent them", "the scarecrow in the lower field wears the missing farmer's coat",
        "the lanterns on the quay light themselves for ships that sank", "the nursery rhymes describe what will happen in the house",
        "the ice in the rink holds the faces of the skaters who fell", "the sleepwalker has been mapping a door that is not there",
        "the hotel guestbook fills in its own entries overnight", "the carousel horses are warm to the touch at dawn",
        "the family portrait gains a new face after every storm", "the stationmaster has been waiting for a train that crashed",
        "the tide tables were written for a sea that drained long ago", "the bell in the foundry rings whenever a lie is told",
        "the mannequins in the shop window wear yesterday's clothes of passers-by", "the dumbwaiter brings up plates from a kitchen bricked up decades ago",
        "the kiln fires itself on the anniversary of the collapse", "the hedge maze grows a new path toward whoever sleeps",
    ];

    /// <summary>
    /// The probe pools: <see cref="ProbeNames.All"/> for the characters and the values above for every other field,
    /// each minus any value of <see cref="ValuePools.Default"/> (compared ignoring case), so no probe value is a training
    /// or held-out value whatever the pools hold.
    /// </summary>
    public static ValuePools Pools { get; } = new(
        Except(Titles, ValuePools.Default.Titles), Except(Settings, ValuePools.Default.Settings), ProbeNames.All,
        Except(Objects, ValuePools.Default.Objects), Except(Taboos, ValuePools.Default.Taboos), Except(Twists, ValuePools.Default.Twists));

    private static string[] Except(string[] values, IReadOnlyList<string> pool) => [.. values.Except(pool, StringComparer.OrdinalIgnoreCase)];
}
