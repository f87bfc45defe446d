using System.Text.Json;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Text;
using Microsoft.Extensions.AI;

namespace HorrorAlign.ML.Chat;

/// <summary>
/// The specs a chat request asks stories for, read from its last user message: one spec as a JSON object or as
/// <c>Title: …</c> lines, or several as a JSON array of objects (answered with a JSON array of stories). A Markdown code
/// fence around the JSON is allowed. Anything else is an <see cref="ArgumentException"/> that shows the expected form.
/// </summary>
internal sealed record ChatSpecRequest(IReadOnlyList<StorySpec> Specs, bool IsArray)
{
    /// <summary>The forms a spec may take, for error messages.</summary>
    public const string ExpectedForm =
        "Put the spec in the last user message, as JSON {\"title\":…,\"setting\":…,\"protagonist\":…,\"supporting_character\":…," +
        "\"object\":…,\"taboo\":…,\"twist\":…}, as a JSON array of such objects (answered with a JSON array of stories), " +
        "or as seven lines 'Title: …', 'Setting: …', 'Protagonist: …', 'Supporting character: …', 'Important object: …', " +
        "'Taboo rule: …', 'Twist: …'.";

    /// <summary>Line labels accepted in the plain form (the prompt's labels and the JSON names), by field.</summary>
    private static readonly Dictionary<string, string> Labels = StorySpec.Fields
        .SelectMany(f => new[] { (Key: f.Label, f.Json), (Key: f.Json, f.Json), (Key: f.Json.Replace('_', ' '), f.Json) })
        .Concat([(Key: "Object", Json: "object"), (Key: "Taboo", Json: "taboo")])
        .DistinctBy(x => x.Key, StringComparer.OrdinalIgnoreCase)
        .ToDictionary(x => x.Key, x => x.Json, StringComparer.OrdinalIgnoreCase);

    /// <summary>Reads the specs of <paramref name="messages"/>.</summary>
    /// <exception cref="ArgumentException">No user message, or one that holds no valid spec; the message names the field
    /// and shows <see cref="ExpectedForm"/>.</exception>
    public static ChatSpecRequest Read(IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var last = messages.LastOrDefault(m => m.Role == ChatRole.User)
            ?? throw new ArgumentException("The request has no user message. " + ExpectedForm, nameof(messages));
        string text = CodeFence.Strip(last.Text);
        try
        {
            return text switch
            {
                "" => throw new ArgumentException("The last user message is empty. " + ExpectedForm, nameof(messages)),
                ['[', ..] => new ChatSpecRequest(ReadArray(text), IsArray: true),
                ['{', ..] => new ChatSpecRequest([StorySpec.FromJson(text)], IsArray: false),
                _ => new ChatSpecRequest([StorySpec.TryFromPrompt(text + "\n", out var spec) ? spec! : FromLines(text)], IsArray: false),
            };
        }
        catch (FormatException e) // SpecValidationException too: it names the field
        {
            throw new ArgumentException($"{e.Message.TrimEnd('.')}. {ExpectedForm}", nameof(messages), e);
        }
    }

    private static StorySpec[] ReadArray(string json)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException("The specs are not valid JSON: " + e.Message, e);
        }
        using (doc)
        {
            var items = doc.RootElement.EnumerateArray().ToArray();
            if (items.Length == 0) throw new FormatException("The JSON array of specs is empty");
            return [.. items.Select((item, i) =>
            {
                try
                {
                    return StorySpec.ReadJson(item);
                }
                catch (SpecValidationException e)
                {
                    throw new SpecValidationException(e.Field, $"spec [{i}]: {e.Reason}");
                }
            })];
        }
    }

    /// <summary>Seven <c>Label: value</c> lines, in any order; blank lines are skipped.</summary>
    private static StorySpec FromLines(string text)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.Trim().TrimStart('-', '*', ' ');
            if (line.Length == 0) continue;
            int colon = line.IndexOf(':');
            if (colon <= 0 || !Labels.TryGetValue(line[..colon].Trim(), out string? field))
                throw new FormatException($"'{Shorten(line)}' is not a spec line (expected 'Label: value')");
            if (!values.TryAdd(field, line[(colon + 1)..].Trim()))
                throw new SpecValidationException(field, $"field '{field}' is given twice");
        }
        string Value(string field) => values.TryGetValue(field, out string? v) ? v
            : throw new SpecValidationException(field, $"field '{field}' is missing (its line is '{StorySpec.Fields.First(f => f.Json == field).Label}: …')");
        return new StorySpec(Value("title"), Value("setting"), Value("protagonist"), Value("supporting_character"), Value("object"),
            Value("taboo"), Value("twist")).Validate();
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "...";
}
