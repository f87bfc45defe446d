namespace HorrorAlign.ML.Data;

/// <summary>
/// The built-in value pools (see <see cref="ValuePools.Default"/>). Rules every value follows, checked by tests:
/// unique within its pool; trimmed, single-line, no full stops except inside a taboo's "a.m."; eerie, never graphic;
/// settings and objects are noun phrases that start with their own article ("a", "an" or "the"), so templates can say
/// "in {setting}" and derive "the …" forms; objects are small, singular things a person can carry; taboos are
/// imperative rules starting with "never", "do not" or "always"; twists are lowercase clauses; no value contains a
/// first name from the name pool. Names are one or two GPT-2 tokens and are not ordinary English words, so that a
/// name in a story is always a character.
/// </summary>
internal static class DefaultValues
{
    internal static readonly string[] Titles =
    [
        "The Door That Wasn't There", "What the Snow Kept", "The Quiet Floor", "Count the Stairs",
        "The House Remembers", "Under the Ninth Bell", "The Visitor at Low Tide", "Nobody Lives in Room Twelve",
        "The Hollow Choir", "The Long Night Shift", "Salt on the Threshold", "The Whispering Archive",
        "A Knock Without a Hand", "The Lantern Keeper's Rule", "The Empty Carriage", "Where the Fog Ends",
        "The Second Shadow", "Hush Before Morning", "The Mirror Room", "The Well Beneath the Orchard",
        "Lights Out at Marrow Hill", "The Stranger in the Photograph", "The Winter Guest", "The Clock That Ran Backward",
        "The Ferry at Midnight", "What Waits in the Attic", "The Locked Ward", "The Unlit Stair",
        "Echoes Below Deck", "The Patient Tide", "The Orchard After Dark", "The Borrowed Face",
        "Footsteps in the Snow", "The Ninth Floor", "The Static Hour", "The Painted Window",
        "The Drowned Bell", "The Still Water", "The Hour Between", "A Room Without Corners",
        "The Cold Chapel", "The Last Passenger", "The Silent Switchboard", "The Sleepwalker's Map",
        "The Hollow Under the Floor", "The Forgotten Tenant", "The Lighthouse Ledger", "The Narrow House",
        "Keep the Candle Lit", "The Humming Field", "The Grey Hallway", "The Night Porter",
        "The Scarecrow's Song", "The Vanishing Platform", "The Portrait in the Hall", "The Thirteenth Step",
        "Down in the Reservoir", "The Frozen Carousel", "The Unmarked Grave", "The Listening Dark",
        "The Paper Moon Motel", "The House on Ash Lane", "A Tide of Lanterns", "The Sealed Letter",
    ];

    internal static readonly string[] Settings =
    [
        "an old apartment building during a winter blackout", "a lighthouse on a fogbound island",
        "an abandoned summer camp after the first frost", "a sleeper car on a night train",
        "a hospital wing closed for renovations", "a seaside hotel in the off-season",
        "a farmhouse at the edge of a cornfield", "a small-town library after closing time",
        "a mountain cabin during a snowstorm", "a boarding school emptied for the holidays",
        "a roadside motel beside a dead highway", "a cathedral crypt beneath the old town",
        "a research station in the polar winter", "a flooded subway tunnel",
        "a manor house with boarded windows", "a ghost town in the desert",
        "the cabin of a riverboat drifting through fog", "a radio station at the edge of town",
        "a childhood home after the funeral", "a shopping mall after closing",
        "an observatory on a silent mountain", "a fishing village on the night of the new moon",
        "a sanatorium in the pine woods", "a museum of antique dolls",
        "a theater closed since the fire", "a monastery high in the mountains",
        "a mining town under constant drizzle", "an island chapel cut off by the tide",
        "an old mill beside a frozen river", "a housing estate where the streetlights have failed",
        "a ski lodge after the last lift has closed", "a greenhouse full of dying orchids",
        "a cinema showing its final film", "a lakeside cottage in late autumn",
        "a bell tower above a sleeping village", "a laundromat that never closes",
        "a canal boat moored in thick fog", "an empty airport terminal during a storm",
        "a derelict amusement park", "a village where every clock has stopped",
        "a farmhouse attic during a heatwave", "a tunnel beneath the old railway",
        "a quiet cul-de-sac on the longest night of the year", "an orphanage turned into a hostel",
        "a rented house near the salt marshes", "a watchtower in an endless forest",
        "an asylum converted into apartments", "a snowbound inn on a mountain pass",
        "a basement archive under the town hall", "a funeral home on a rainy weekend",
        "a water tower above the suburbs", "a sleep clinic during the night shift",
        "a wax museum after the power fails", "an antique shop on a dead-end street",
        "a church hall during a power cut", "a hotel with a floor that is not on any map",
        "a border checkpoint in heavy snow", "a mining camp high in the hills",
        "a marsh cabin during the flood season", "a university dormitory over the winter break",
        "a country estate in the week before demolition", "a tenement stairwell in the rain",
    ];

    internal static readonly string[] Names =
    [
        "Aaron", "Abel", "Ada", "Adam", "Agnes", "Ahmed", "Aiko", "Aisha", "Albert", "Alex", "Ali", "Alice",
        "Amara", "Amina", "Amir", "Amy", "Andrew", "Anil", "Anna", "Anneke", "Anton", "Anya", "Arjun", "Arthur",
        "Beatrice", "Beatrix", "Ben", "Bianca", "Boris", "Bram", "Camila", "Carlos", "Cecilia", "Chen", "Chidi", "Chloe",
        "Clara", "Cyrus", "Dalia", "Daniel", "Darius", "David", "Deepa", "Diana", "Diego", "Dina", "Dmitri", "Dorothy",
        "Edgar", "Edith", "Eleanor", "Elena", "Eleni", "Elias", "Ella", "Elsa", "Emeka", "Emil", "Emma", "Emre",
        "Eric", "Esther", "Ethan", "Eva", "Ezra", "Farah", "Fatima", "Felix", "Femi", "Fiona", "Freya", "Gemma",
        "Gideon", "Gloria", "Greta", "Gustav", "Hamza", "Hana", "Hannah", "Harold", "Haruto", "Hassan", "Heidi", "Helen",
        "Helga", "Henry", "Hiro", "Hugo", "Hyun", "Idris", "Ilse", "Ines", "Ingrid", "Irene", "Isaac", "Isabel",
        "Ivan", "Jacob", "Jamal", "James", "Jane", "Jason", "Jenny", "Jin", "Jonah", "Jonas", "Joost", "Juan",
        "Julia", "Kai", "Karim", "Kemal", "Kenji", "Kevin", "Kira", "Kiran", "Klaus", "Kofi", "Kwame", "Lars",
        "Laura", "Layla", "Leila", "Lena", "Leo", "Leon", "Levi", "Linh", "Lotte", "Louis", "Lucas", "Lucia",
        "Lucy", "Luis", "Malik", "Marco", "Marcus", "Margaret", "Maria", "Marta", "Martin", "Mateo", "Maya", "Meera",
        "Mehmet", "Mei", "Michael", "Mikhail", "Mina", "Minh", "Miriam", "Nadia", "Naomi", "Nathan", "Nikolai", "Nikos",
        "Nils", "Nina", "Noor", "Nora", "Olga", "Oliver", "Omar", "Oona", "Oscar", "Otis", "Pablo", "Paul",
        "Pavel", "Pedro", "Peter", "Pieter", "Priya", "Quinn", "Rachel", "Rafael", "Raj", "Rania", "Rashid", "Ravi",
        "Rebecca", "Robert", "Ruben", "Ruth", "Sakura", "Salma", "Sam", "Samir", "Sanjay", "Sarah", "Sasha", "Selma",
        "Silas", "Simon", "Sofia", "Soo", "Sophie", "Soren", "Sven", "Talia", "Tara", "Teodor", "Tessa", "Thabo",
        "Thanh", "Theo", "Thomas", "Tim", "Tobias", "Tom", "Tomas", "Umar", "Ursula", "Vera", "Viktor", "Vincent",
        "Walter", "Wanda", "Wei", "Wendell", "Xavier", "Yara", "Yasmin", "Yosef", "Yuki", "Yuri", "Yusuf", "Zara",
    ];

    internal static readonly string[] Objects =
    [
        "a brass key", "an old music box", "the lighthouse logbook", "a cracked pocket mirror",
        "a porcelain doll", "a silver locket", "a child's drawing", "a wind-up alarm clock",
        "a reel of film", "a rusted lantern", "a hand-drawn map", "a glass eye",
        "a bundle of letters", "a wedding photograph", "a cassette tape", "an old rotary phone",
        "a candle stub", "a tarnished compass", "a wooden puppet", "a jar of buttons",
        "a hymn book", "a pocket watch", "a black umbrella", "a snow globe",
        "a typewritten note", "an ivory comb", "a child's shoe", "a ring of keys",
        "a violin with one string", "a moth-eaten scarf", "a polaroid camera", "a baby monitor",
        "a walkie-talkie", "a porcelain teacup", "a stopped wristwatch", "a wooden planchette",
        "a page of sheet music", "a numbered room key", "a tin soldier", "a glass marble",
        "a crystal pendulum", "a flashlight with a flickering bulb", "a brass bell", "a handheld radio",
        "a string of black beads", "a diary with a broken clasp", "an unsigned postcard", "a paper lantern",
        "a cameo brooch", "a leather-bound ledger", "a spool of red thread", "a chipped china cup",
        "a pair of reading glasses", "a velvet glove", "a one-eyed stuffed rabbit", "the caretaker's lantern",
        "the family album", "the guest register", "the night porter's whistle", "the old church key",
        "an iron nail", "an hourglass", "an amber bead", "an envelope with no stamp",
        "an heirloom thimble", "a phone with no battery",
    ];

    internal static readonly string[] Taboos =
    [
        "never answer knocks after 2 a.m.", "never say the caretaker's name out loud",
        "never look into a mirror after dark", "never open the cellar door",
        "never let the candle go out", "never follow the singing into the woods",
        "do not count the stairs on the way down", "never pick up the phone when it rings three times",
        "always leave a bowl of salt by the door", "never turn around when someone calls from behind",
        "do not open the curtains before sunrise", "never whistle inside the tunnel",
        "never sleep with the closet door open", "always knock twice before entering the attic",
        "never feed the cat that comes at night", "do not take anything from the graveyard",
        "never step on the painted line in the hallway", "never answer if a voice asks for directions",
        "do not wind the clocks after sunset", "never leave the lights off on the third floor",
        "never sing along with the radio after midnight", "always close the window before the fog comes in",
        "never write your own name in the guest book", "do not go past the last streetlight",
        "never wake someone who is sleepwalking", "never unlock the room at the end of the corridor",
        "do not look at the lake when the bells ring", "never let a stranger cross the threshold",
        "always sleep facing the door", "never open a letter with no return address",
        "do not touch the dolls in the display case", "never walk the maze alone",
        "never take the elevator below the lobby", "always keep a hand on the railing of the stairs",
        "never play the piano in the empty hall", "do not speak to the man in the grey coat",
        "never bring a mirror into the chapel", "never call out when the lights flicker",
        "do not leave food out for the visitors", "never read the last page aloud",
        "always say goodnight to the portraits", "never swim after the tide turns",
        "do not photograph the scarecrow", "never ring the bell twice",
        "never open the trapdoor in the pantry", "never walk across the untouched snow",
        "do not answer the intercom after the porter leaves", "never look through the keyhole of the locked room",
        "never repeat what the wind whispers", "always count heads before locking up",
        "never let the fire burn down to embers", "never go into the greenhouse after rain",
        "do not turn on the television after the station signs off", "never light the lantern in the north window",
    ];

    internal static readonly string[] Twists =
    [
        "the sound is coming from inside the walls", "there was never a second floor",
        "the voice on the phone belongs to someone who died last winter",
        "the reflection in the window moves a moment too late", "the caretaker has been dead for twenty years",
        "every set of footprints in the snow leads back inside", "each photograph shows one more figure than the night before",
        "the fog only lifts when someone new arrives", "the rule was written by the thing it was meant to keep out",
        "the clocks all stopped on the night the well was sealed", "the other guests have been gone for decades",
        "the map shows a room that does not exist", "the knocking was a warning, not a threat",
        "the lights are coming from the bottom of the lake", "the children singing outside leave no footprints",
        "the radio is broadcasting tomorrow's news", "the face in the mirror has started blinking first",
        "the locked door can only be opened from the other side", "the final letter is dated next week",
        "the elevator stops at a floor that was bricked up long ago", "the scarecrow stands somewhere new every morning",
        "the tide brings back everything the village throws away", "the old woman downstairs died before the building was finished",
        "the snow outside the window is falling upward", "the patients never left and only stopped being seen",
        "the breathing on the monitor comes from an empty room", "the visitor has been wearing a borrowed face",
        "the town forgot one name, and it wants to be remembered", "the painting's eyes were added after the painter died",
        "the lighthouse beam is searching for someone", "the staircase has one more step going down than going up",
        "the train has no driver and never had one", "the guest book already holds tomorrow's signatures",
        "the shadow in the corner belongs to no one in the room", "the phone keeps ringing from a disconnected line",
        "the house is slowly rearranging itself to match an old photograph", "the well was sealed to keep something in, not out",
        "the missing hiker has been answering the radio all along", "the dolls change places every time the lights go out",
        "the bell rings once more than there are people in the tower", "the frost on the glass spells out a warning",
        "the neighbors have all been replaced by careful copies", "the echo answers questions no one asked",
        "the river runs backward every midnight", "the forest grows one tree closer to the house each night",
        "the previous tenant never moved out", "there are two moons above the marsh tonight",
        "the final reel shows the people who are watching it", "the wax figures wear a new face every morning",
        "the maze has no exit, only another entrance", "the graves in the churchyard are all dated next year",
        "the voice calling from the woods knows a childhood nickname", "the building has one more window outside than rooms inside",
        "the water in the taps tastes of the sea although the sea is miles away",
    ];
}
