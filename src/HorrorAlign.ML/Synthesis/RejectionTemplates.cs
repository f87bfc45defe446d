namespace HorrorAlign.ML.Synthesis;

/// <summary>
/// Templates for rejected stories (placeholders as in <see cref="StoryTemplates"/>). The hard kinds replace one part of
/// the chosen story with a sentence that keeps everything else intact: <see cref="TabooFree"/> replaces the taboo
/// statement (and still names <c>{S}</c>), <see cref="TwistFree"/> the twist reveal, <see cref="HappyEndings"/> the
/// ending (still naming <c>{P}</c>), <see cref="Graphic"/> the escalation. The wholesome parts build the original
/// pipeline's contrastive rejection.
/// </summary>
internal static class RejectionTemplates
{
    public static readonly string[] TabooFree =
    [
        "{S} had come along to keep {P} company, and spent most of the evening pacing.",
        "{S} talked too quickly about nothing at all, the way people do when they are frightened.",
        "{S} unpacked in silence and chose the chair farthest from the hallway.",
        "\"Get some sleep,\" {S} said, though {S} did not seem to mean it.",
        "{S} kept busy with small, pointless tasks and flinched at every creak of the floorboards.",
        "{S} said very little that night, and what {S} did say made no sense until much later.",
        "{S} checked the locks twice and then sat down to wait, saying nothing.",
        "For a while {S} tried to make conversation, then gave up and simply listened.",
    ];

    public static readonly string[] TwistFree =
    [
        "Then, as suddenly as it had started, everything went quiet, and {P} never learned why.",
        "{P} almost understood something then, but the thought slipped away before it could take shape.",
        "Whatever was happening, it did not explain itself, and {P} was too tired to ask.",
        "The night went on, long and shapeless, and nothing about it made any more sense.",
        "{S} began to say something important, then stopped mid-word and would not go on.",
        "For a long time nothing else happened, which was somehow worse.",
        "Thoughts piled up in {P's} mind, and none of them led anywhere.",
        "The strangeness simply went on, unexplained, like a word on the tip of the tongue.",
    ];

    public static readonly string[] HappyEndings =
    [
        "By morning the trouble had passed, and {P} and {S} laughed about it over breakfast, relieved that it was finally over.",
        "In the end it was only the old pipes and a restless wind, and {P} slept soundly for the first time in weeks.",
        "When the sun came up, everything was fine again, and {P} felt safe and sound at last.",
        "{P} and {S} left the next day, happy and unharmed, and soon the whole night felt like a half-remembered dream.",
        "The whole thing turned out to have a simple explanation, and {P} smiled at how silly the fear had been.",
        "Once the power came back, the place felt cosy and ordinary, and {P} was grateful for a quiet, peaceful night.",
        "{P} and {S} shared a pot of tea as the sun rose, and all was well.",
        "Thinking it over later, {P} could only laugh; there had been nothing to fear at all.",
    ];

    public static readonly string[] Graphic =
    [
        "Blood sprayed across the wall as something tore through the floorboards, leaving mangled remains in its wake.",
        "In the hallway lay a severed hand, its torn tendons still twitching in a pool of blood.",
        "Something had been butchered in the kitchen; entrails hung from the cupboards and the floor was slick with gore.",
        "A body lay at the foot of the stairs, its skull split open and its guts spilling across the rug.",
        "The walls were splattered with blood, and the stench of slaughtered animals filled every room.",
        "Through a gap in the floorboards {P} saw a mutilated body, dismembered and stacked like firewood.",
    ];

    public static readonly string[] WholesomeOpeners =
    [
        "{P} and {S} spent a cheerful evening in {setting}, swapping stories and sharing snacks.",
        "{P} had always wanted to visit {setting}, and {S} came along to make a holiday of it.",
        "The trip to {setting} was {S's} idea, and {P} loved every minute of it.",
        "{P} and {S} arrived in {setting} with a picnic basket and a board game, ready for a lovely weekend.",
        "In {setting}, {P} and {S} found a comfortable spot by the window and settled in for a relaxing night.",
        "{P} was delighted to spend a quiet night in {setting} with an old friend, {S}.",
    ];

    public static readonly string[] TabooJokes =
    [
        "{S} joked that the only house rule was \"{taboo,}\" and they both laughed.",
        "When {P} read the old sign that said \"{taboo,}\" it sounded so silly that they giggled for ages.",
        "A faded note by the door said \"{taboo,}\" which {S} decided was clearly a prank.",
        "{S} pretended to take the rule \"{taboo}\" seriously, then burst out laughing.",
        "There was a funny old rule about the place, \"{taboo,}\" and {P} promised to obey it with a wink.",
    ];

    public static readonly string[] WholesomeObjects =
    [
        "{P} found {obj} on a shelf and turned it over happily; it was a charming little thing.",
        "{S} had brought {obj} as a gift, and {P} thought it was the nicest present ever.",
        "They admired {obj} together and made up cheerful stories about where it came from.",
        "{The obj}, as it turned out, was simply a keepsake left by a kind previous guest.",
    ];

    public static readonly string[] TwistCoincidences =
    [
        "When {P} noticed that {twist}, {S} pointed out it was just a harmless coincidence.",
        "For a moment it seemed that {twist}, but it turned out to be a harmless coincidence.",
        "{S} read aloud an old rumor that {twist}, and they agreed it was only a harmless coincidence.",
        "Even the story that {twist} turned out to be nothing more than a harmless coincidence.",
    ];

    public static readonly string[] CosyEndings =
    [
        "By morning they were drinking hot cocoa by the window, and {P} felt completely safe and sound.",
        "{P} slept soundly that night, and the next day they went home happy, with a funny story to tell.",
        "It was the coziest night {P} could remember, and everyone went home smiling.",
        "In the end {P} and {S} agreed it had been the perfect getaway, warm and peaceful and full of laughter.",
    ];
}
