using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using HorrorAlign.ML.IO;

namespace HorrorAlign.ML.Specs;

/// <summary>
/// A structured story specification: what the model conditions on. <see cref="ToPrompt"/> renders it byte for byte in
/// the original pipeline's instruction format, and <see cref="FromPrompt"/> reads such a prompt back. The JSON form
/// (System.Text.Json) uses snake_case names: <c>title, setting, protagonist, supporting_character, object, taboo,
/// twist</c> plus an optional <c>id</c>.
/// </summary>
/// <param name="Title">Story title, e.g. "The Door That Wasn't There".</param>
/// <param name="Setting">Where it happens, as a noun phrase with its article, e.g. "an old apartment building during a winter blackout".</param>
/// <param name="Protagonist">First name of the main character.</param>
/// <param name="SupportingCharacter">First name of the second character (never the protagonist).</param>
/// <param name="Object">The important object, as a noun phrase with its article, e.g. "a brass key".</param>
/// <param name="Taboo">The rule the story must respect, as an imperative, e.g. "never answer knocks after 2 a.m.".</param>
/// <param name="Twist">What the story reveals, as a clause, e.g. "the sound is coming from inside the walls".</param>
public sealed record StorySpec(
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("setting")] string Setting,
    [property: JsonPropertyName("protagonist")] string Protagonist,
    [property: JsonPropertyName("supporting_character")] string SupportingCharacter,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("taboo")] string Taboo,
    [property: JsonPropertyName("twist")] string Twist)
{
    /// <summary>Longest allowed field value, in characters.</summary>
    public const int MaxFieldLength = 200;

    /// <summary>The prompt's opening instruction (two lines and a blank line).</summary>
    public const string PromptHeader =
        "You are a creative writing assistant.\nWrite a short horror story that follows this story specification.\n\n";

    /// <summary>The prompt's closing constraints block, ending with the marker after which the story begins.</summary>
    public const string PromptFooter =
        "\nConstraints:\n- 2 to 4 paragraphs.\n- Keep it suspenseful and eerie, not graphic.\n- End with an unsettling implication.\n\nStory:\n";

    /// <summary>Optional identifier (not part of the prompt).</summary>
    [JsonPropertyName("id")]
    [JsonPropertyOrder(-1)]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Id { get; init; }

    /// <summary>The seven fields in prompt order: JSON name, prompt label and accessor. One table drives validation,
    /// the prompt, prompt parsing and JSON, so they cannot drift apart.</summary>
    internal static readonly IReadOnlyList<(string Json, string Label, Func<StorySpec, string> Get)> Fields =
    [
        ("title", "Title", s => s.Title),
        ("setting", "Setting", s => s.Setting),
        ("protagonist", "Protagonist", s => s.Protagonist),
        ("supporting_character", "Supporting character", s => s.SupportingCharacter),
        ("object", "Important object", s => s.Object),
        ("taboo", "Taboo rule", s => s.Taboo),
        ("twist", "Twist", s => s.Twist),
    ];

    private static StorySpec FromValues(IReadOnlyList<string> v) => new(v[0], v[1], v[2], v[3], v[4], v[5], v[6]);

    /// <summary>
    /// Checks every field: present, non-blank, trimmed, single-line, at most <see cref="MaxFieldLength"/> characters,
    /// valid Unicode (no unpaired surrogate), free of special-token text (<c>&lt;|...|&gt;</c>, e.g. <c>&lt;|endoftext|&gt;</c>);
    /// and the supporting character differs from the protagonist (ordinal, ignoring case).
    /// </summary>
    /// <returns>This spec, for chaining.</returns>
    /// <exception cref="SpecValidationException">The first invalid field, named by its JSON name.</exception>
    public StorySpec Validate()
    {
        foreach (var (json, _, get) in Fields)
            CheckValue(json, get(this), required: true);
        if (Id is not null) CheckValue("id", Id, required: true);
        if (string.Equals(Protagonist, SupportingCharacter, StringComparison.OrdinalIgnoreCase))
            throw new SpecValidationException("supporting_character",
                $"field 'supporting_character' must differ from the protagonist (both are '{Protagonist}')");
        return this;
    }

    private static void CheckValue(string field, string? value, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required) throw new SpecValidationException(field, $"field '{field}' is required and must not be blank");
            return;
        }
        if (value.Length != value.Trim().Length)
            throw new SpecValidationException(field, $"field '{field}' must not have leading or trailing whitespace");
        // Any control character (not just newlines) would break the one-field-per-line prompt format.
        if (value.Any(char.IsControl))
            throw new SpecValidationException(field, $"field '{field}' must be a single line without control characters");
        if (value.Length > MaxFieldLength)
            throw new SpecValidationException(field, $"field '{field}' must be at most {MaxFieldLength} characters (got {value.Length})");
        // A lone surrogate cannot be encoded (UTF-8 output would turn it into U+FFFD).
        if (!Utf16Valid(value))
            throw new SpecValidationException(field, $"field '{field}' holds an unpaired surrogate, which is not Unicode text");
        // Special-token text such as <|endoftext|> would end or restructure the story when the prompt is tokenized.
        int open = value.IndexOf("<|", StringComparison.Ordinal);
        if (open >= 0 && value.IndexOf("|>", open + 2, StringComparison.Ordinal) >= 0)
            throw new SpecValidationException(field, $"field '{field}' must not contain special-token text like '<|endoftext|>' ('<|...|>')");
    }

    private static bool Utf16Valid(string value)
    {
        for (int i = 0; i < value.Length; i++)
        {
            if (!char.IsSurrogate(value[i])) continue;
            if (!char.IsHighSurrogate(value[i]) || i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1])) return false;
            i++;
        }
        return true;
    }

    /// <summary>
    /// The instruction prompt exactly as the original pipeline wrote it: header, the seven <c>Label: value</c> lines,
    /// the constraints block and the <c>Story:</c> marker followed by a newline.
    /// </summary>
    /// <exception cref="SpecValidationException">The spec is invalid (see <see cref="Validate"/>).</exception>
    public string ToPrompt()
    {
        Validate();
        var sb = new StringBuilder(PromptHeader, 512);
        foreach (var (_, label, get) in Fields)
            sb.Append(label).Append(": ").Append(get(this)).Append('\n');
        return sb.Append(PromptFooter).ToString();
    }

    /// <summary>Parses a prompt produced by <see cref="ToPrompt"/> back into its spec (<see cref="Id"/> is null).
    /// Windows line endings are accepted.</summary>
    /// <exception cref="FormatException">Not a story prompt: the header or constraints block is missing or altered.</exception>
    /// <exception cref="SpecValidationException">A field line is missing, mislabelled or holds an invalid value; names the field.</exception>
    public static StorySpec FromPrompt(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        string text = prompt.Replace("\r\n", "\n", StringComparison.Ordinal);
        if (!text.StartsWith(PromptHeader, StringComparison.Ordinal))
            throw new FormatException("Not a story prompt: it must start with the two instruction lines " +
                "'You are a creative writing assistant.' / 'Write a short horror story that follows this story specification.' and a blank line.");

        var values = new string[Fields.Count];
        int pos = PromptHeader.Length;
        for (int i = 0; i < Fields.Count; i++)
        {
            var (json, label, _) = Fields[i];
            int end = text.IndexOf('\n', pos);
            string line = end < 0 ? text[pos..] : text[pos..end];
            string prefix = label + ":";
            if (end < 0 || !line.StartsWith(prefix, StringComparison.Ordinal))
                throw new SpecValidationException(json,
                    $"prompt is missing the '{label}: ...' line for field '{json}' (found '{Shorten(line)}' instead)");
            // "Label: value" is the format; tolerate a missing space only so the value check can name the real problem.
            string value = line[prefix.Length..];
            values[i] = value.StartsWith(' ') ? value[1..] : value;
            pos = end + 1;
        }

        // What follows the 'Twist:' line must be the footer exactly (its leading newline is the blank line).
        if (!string.Equals(text[pos..], PromptFooter, StringComparison.Ordinal))
            throw new FormatException("Not a story prompt: after the 'Twist:' line it must have a blank line, the " +
                "'Constraints:' block with its three rules, a blank line and the 'Story:' marker line, and nothing else.");
        return FromValues(values).Validate();
    }

    /// <summary>Like <see cref="FromPrompt"/>, but returns false instead of throwing.</summary>
    public static bool TryFromPrompt(string prompt, out StorySpec? spec)
    {
        try
        {
            spec = FromPrompt(prompt);
            return true;
        }
        catch (FormatException)
        {
            spec = null;
            return false;
        }
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "...";

    /// <summary>Writes this spec as a JSON object (<c>id</c> first when set, then the seven fields in prompt order).</summary>
    internal void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        if (Id is not null) writer.WriteString("id", Id);
        foreach (var (json, _, get) in Fields) writer.WriteString(json, get(this));
        writer.WriteEndObject();
    }

    /// <summary>Reads and validates a spec from a JSON object; errors name the field and, when given, file:line.</summary>
    internal static StorySpec ReadJson(JsonElement element, string? fileName = null, int? line = null)
    {
        try
        {
            if (element.ValueKind != JsonValueKind.Object)
                throw new SpecValidationException("spec", $"a spec must be a JSON object, not {element.ValueKind}");
            if (!JsonText.NamesAreText(element)) throw new SpecValidationException("spec", JsonText.UnpairedSurrogateName);
            var values = new string[Fields.Count];
            for (int i = 0; i < Fields.Count; i++)
                values[i] = ReadString(element, Fields[i].Json, required: true)!;
            return (FromValues(values) with { Id = ReadString(element, "id", required: false) }).Validate();
        }
        catch (SpecValidationException e) when (fileName is not null)
        {
            throw new SpecValidationException(e.Field, e.Reason, fileName, line);
        }
    }

    private static string? ReadString(JsonElement element, string name, bool required)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return required ? throw new SpecValidationException(name, $"field '{name}' is missing") : null;
        if (value.ValueKind != JsonValueKind.String)
            throw new SpecValidationException(name, $"field '{name}' must be a JSON string, not {value.ValueKind}");
        return JsonText.TryGetString(value, out string? text) ? text : throw new SpecValidationException(name, JsonText.UnpairedSurrogate(name));
    }

    /// <summary>This spec as one line of compact JSON with snake_case names.</summary>
    public string ToJson()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, Jsonl.WriterOptions)) WriteJson(writer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Parses and validates a spec from JSON (snake_case names, optional <c>id</c>).</summary>
    /// <exception cref="SpecValidationException">A field is missing, not a string, or invalid; names the field.</exception>
    /// <exception cref="FormatException">The text is not valid JSON.</exception>
    public static StorySpec FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException("Spec is not valid JSON: " + e.Message, e);
        }
        using (doc) return ReadJson(doc.RootElement);
    }
}
