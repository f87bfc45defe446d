using System.Text;
using System.Text.Json.Nodes;

namespace HorrorAlign.ML.Tests.Data;

/// <summary>
/// Seeded mutations of JSON text for the fuzzers: byte edits that break the text (<see cref="Mutate"/>), and edits that
/// keep it JSON but change its shape (<see cref="Restructure"/>), which is what reaches a reader's field checks.
/// </summary>
internal static class JsonMutations
{
    /// <summary>Spliced in by <see cref="Mutate"/>: lone surrogates, special tokens, bad UTF-8, line breaks, JSON punctuation.</summary>
    private static readonly byte[][] Splices =
    [
        "\\ud800"u8.ToArray(), "\\udc00"u8.ToArray(), "<|endoftext|>"u8.ToArray(), [0xFF], [0xC3], [0xED, 0xA0, 0x80], "\n"u8.ToArray(),
        "\r"u8.ToArray(), "\""u8.ToArray(), "{"u8.ToArray(), "}"u8.ToArray(), "\\"u8.ToArray(), "\\u00"u8.ToArray(), [0], "null"u8.ToArray(),
        "[1,2]"u8.ToArray(), "1e999"u8.ToArray(),
    ];

    /// <summary>What <see cref="Restructure"/> puts in place of a value: every JSON kind, numbers at and past the edges of
    /// int, long and double, text that is no valid string, nesting past the parsers' depth limit and a long string.</summary>
    private static readonly string[] Replacements =
    [
        "null", "\"\"", "0", "-1", "0.5", "-0.0", "2147483648", "-2147483649", "9223372036854775808", "1e308", "1e999", "-1e999",
        "true", "false", "[]", "{}", "[null]", "[\"x\", 1]", "{\"x\": 1}", "\"text\"", "\"\\ud800\"", "\"<|endoftext|>\"", "\"\\u0000\"",
        new string('[', 80) + new string(']', 80), "\"" + new string('a', 100_000) + "\"",
    ];

    /// <summary>1–3 byte edits: a bit flipped, a byte inserted, 1–4 bytes deleted, or a splice inserted.</summary>
    public static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = new List<byte>(seed);
        int edits = 1 + random.Next(3);
        for (int k = 0; k < edits; k++)
        {
            int at = random.Next(bytes.Count + 1);
            switch (random.Next(4))
            {
                case 0 when at < bytes.Count:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes.Insert(at, (byte)random.Next(256));
                    break;
                case 2 when at < bytes.Count:
                    bytes.RemoveRange(at, Math.Min(1 + random.Next(4), bytes.Count - at));
                    break;
                default:
                    bytes.InsertRange(at, Splices[random.Next(Splices.Length)]);
                    break;
            }
        }
        return [.. bytes];
    }

    /// <summary>One value of <paramref name="seed"/> (valid JSON), at any depth, replaced by one of another kind or
    /// size, or its property removed, renamed or given twice.</summary>
    public static byte[] Restructure(byte[] seed, Random random)
    {
        const string Marker = "@@fuzz@@";
        var root = JsonNode.Parse(seed)!;
        var nodes = new List<JsonNode>();
        Collect(root, nodes);
        var node = nodes[random.Next(nodes.Count)];
        string original = node.ToJsonString();
        string replacement;
        switch (node.Parent, random.Next(5))
        {
            case (JsonObject parent, 0):
                parent.Remove(node.GetPropertyName());
                return Encoding.UTF8.GetBytes(root.ToJsonString());
            case (JsonObject parent, 1):
                string name = node.GetPropertyName();
                parent.Remove(name);
                parent[name + "_x"] = JsonNode.Parse(original);
                return Encoding.UTF8.GetBytes(root.ToJsonString());
            case (JsonObject, 2):
                replacement = $"{original}, \"{node.GetPropertyName()}\": {Replacement(random)}";
                break;
            default:
                replacement = Replacement(random);
                break;
        }
        node.ReplaceWith(Marker);
        return Encoding.UTF8.GetBytes(root.ToJsonString().Replace($"\"{Marker}\"", replacement, StringComparison.Ordinal));
    }

    /// <summary>One of <see cref="Replacements"/>; null a quarter of the time, since a null where an object belongs is
    /// what a reader forgets most.</summary>
    private static string Replacement(Random random) => random.Next(4) == 0 ? "null" : Replacements[random.Next(Replacements.Length)];

    /// <summary><see cref="Mutate"/> or <see cref="Restructure"/>, as often each.</summary>
    public static byte[] Either(byte[] seed, Random random) => random.Next(2) == 0 ? Mutate(seed, random) : Restructure(seed, random);

    /// <summary>Every node below the root (a null value has no node, so it cannot be picked).</summary>
    private static void Collect(JsonNode node, List<JsonNode> nodes)
    {
        IEnumerable<JsonNode?> children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a,
            _ => [],
        };
        foreach (var child in children)
        {
            if (child is null) continue;
            nodes.Add(child);
            Collect(child, nodes);
        }
    }
}
