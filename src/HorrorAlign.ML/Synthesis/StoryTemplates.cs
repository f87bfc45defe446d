namespace HorrorAlign.ML.Synthesis;

/// <summary>
/// Sentence templates of the chosen (preferred) stories, one array per story part. Placeholders (see
/// <see cref="StorySlots"/>): <c>{P}</c>, <c>{S}</c> the characters, <c>{P's}</c>, <c>{S's}</c> their possessives,
/// <c>{obj}</c> the object as given (first mention), <c>{the obj}</c>/<c>{The obj}</c> its definite form,
/// <c>{setting}</c>, <c>{taboo.}</c>/<c>{Taboo.}</c> the taboo ending a sentence, <c>{Taboo,}</c>/<c>{taboo,}</c> the
/// taboo ending a quotation that a speech tag follows, <c>{twist.}</c> the twist ending a sentence.
/// <para>
/// Rules the tests enforce: every template starts a sentence; openers name <c>{P}</c> and hold <c>{setting}</c>;
/// taboo statements name <c>{S}</c>; the first middle sentence holds <c>{obj}</c>; endings name <c>{P}</c> and carry
/// an unsettling cue; no template holds a happy cue, a gore word or a pool name, and the taboo and twist are always
/// rendered as whole rules/clauses (never "learned the never …").
/// </para>
/// </summary>
internal static class StoryTemplates
{
    public static readonly string[] Openers =
    [
        "{P} had agreed to spend one night in {setting}, mostly because {S} had asked so quietly.",
        "The first thing {P} noticed in {setting} was the silence, thick and patient, like a held breath.",
        "Nobody else was awake in {setting} when {P} and {S} arrived, and nobody came to meet them.",
        "{P} and {S} had been in {setting} for less than an hour when the air began to change.",
        "It was {S} who brought {P} to {setting}, and it was {S} who locked up behind them.",
        "In {setting}, {P} tried hard to believe that every noise had an ordinary cause.",
        "{P} told {S} that a single night in {setting} could not possibly hurt anyone.",
        "Nobody had stayed in {setting} for years until {P} came, carrying a borrowed suitcase and a bad feeling.",
        "{P} took the job in {setting} because it paid well and asked no questions.",
        "The evening {P} arrived in {setting}, the wind dropped to nothing, as if something had told it to listen.",
        "{P} had been warned about {setting}, but the warning had sounded like a story for children.",
    ];

    public static readonly string[] TabooStatements =
    [
        "{S} had only one rule, and repeated it until it sounded like a prayer: {taboo.}",
        "\"{Taboo,}\" {S} had warned, without once meeting {P's} eyes.",
        "The rule was simple, {S} said: {taboo.}",
        "{S} wrote the rule on a scrap of paper and pressed it into {P's} palm: {taboo.}",
        "\"Whatever you hear tonight, {taboo,}\" {S} whispered.",
        "Before the evening was over, {S} made {P} repeat the rule twice: {taboo.}",
        "{S} said it flatly, the way other people talk about the weather: {taboo.}",
        "Everyone who had ever stayed there learned the same rule from {S}: {taboo.}",
        "\"{Taboo,}\" {S} said, and would not explain why.",
        "{S} had grown up with one rule and had never once broken it: {taboo.}",
    ];

    public static readonly string[] ObjectSentences =
    [
        "Near midnight {P} found {obj} where nobody had left it, and it was colder than the room around it.",
        "{S} pressed {obj} into {P's} hands and said to keep it close, no matter what.",
        "On the table sat {obj}, though neither of them remembered bringing it.",
        "{P} kept {obj} close all evening, because it was the only thing in the place that felt familiar.",
        "Sometime after dusk {obj} turned up on the floor beside {P}, placed there with great care.",
        "{P} kept turning {obj} in {P's} hands; it seemed heavier every time.",
        "The only thing the last visitors had left behind was {obj}, waiting on the windowsill.",
        "{S} would not touch {obj}, and would not say why.",
        "When {P} woke from a short, uneasy sleep, {obj} lay on the pillow, though nobody had put it there.",
        "At some point in the evening, {obj} started to feel as if it were listening.",
    ];

    public static readonly string[] Escalations =
    [
        "The hours stretched, and the silence grew heavier, as if the whole place were holding its breath.",
        "Twice {P} heard slow footsteps stop just outside, and twice nobody came in.",
        "{S} stopped answering questions and began listening to something {P} could not hear.",
        "Every time {P} turned away, {the obj} seemed to have moved a little closer.",
        "Something in the walls settled with a long, low creak, and then settled again, nearer.",
        "{The obj} grew cold in {P's} hands, then colder, as if it were counting down to something.",
        "The air smelled of wet stone and old paper, and the temperature kept falling.",
        "Once, very faintly, someone hummed a tune that {P} had not heard since childhood.",
        "{P} checked the time again and again, and each time it was a little earlier than before.",
        "{S} kept glancing at {the obj} as though it might speak first.",
    ];

    public static readonly string[] TwistReveals =
    [
        "That was when {P} finally understood: {twist.}",
        "The truth arrived all at once, quiet and certain: {twist.}",
        "Only then did the pieces fit together: {twist.}",
        "It took {P} far too long to see it, but there was no mistaking it now: {twist.}",
        "{S} said it at last, in a voice that did not sound like {S} at all: {twist.}",
        "Somewhere between one breath and the next, {P} knew: {twist.}",
        "There was no other explanation left: {twist.}",
        "{The obj} had been trying to show them all night: {twist.}",
        "And then {P} realized what {S} had been hiding: {twist.}",
        "By the grey half-light before morning, the answer was plain: {twist.}",
    ];

    public static readonly string[] Endings =
    [
        "{P} is still there, waiting, and every night it comes a little closer.",
        "{P} never told anyone what happened, but some nights {the obj} is warm again, and {P} knows it is waiting.",
        "The next morning {P} found {the obj} on the pillow, and {S's} side of the room was empty and cold.",
        "Behind {P}, something that had learned {S's} voice said {P's} name, very softly, and waited.",
        "{P} left before dawn and has not gone back, but {the obj} keeps turning up again, each time a little nearer.",
        "Now, in the quiet hours, {P} hears it again, patient as ever, and no longer pretends it is only the wind.",
        "{P} still keeps {the obj} in a drawer, and some nights, from inside the drawer, something knocks back.",
        "When {P} finally glanced at the dark glass, it held two reflections, and the second stood just behind {P's} shoulder.",
        "{P} has stopped sleeping with the lights off, because in the dark {S} is always standing a little nearer than before.",
        "Some nights {P} still wakes to {S's} voice, calling from a room that no longer exists.",
        "Everyone says the place is empty now, but {P} knows better, and so does whatever is still waiting for {P} to come back.",
    ];
}
