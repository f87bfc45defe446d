using System.Text;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Tests.Specs;

namespace HorrorAlign.ML.Tests.Data;

/// <summary>
/// Seeded mutation fuzzing of the spec readers: valid spec lines with bytes flipped, inserted, deleted or spliced in
/// (lone surrogates, special tokens, bad UTF-8, line breaks). Only the documented exceptions may escape
/// (<see cref="JsonlFormatException"/> and <see cref="SpecValidationException"/>, naming the file), and every spec
/// that is read is valid.
/// </summary>
public sealed class JsonlFuzzTests
{
    private const int Cases = 3000;

    private static readonly byte[][] Seeds =
    [
        Encoding.UTF8.GetBytes(StorySpecTests.Poster.ToJson()),
        Encoding.UTF8.GetBytes((StorySpecTests.Poster with { Id = "u02", Protagonist = "Siobhán", SupportingCharacter = "Ðorđe" }).ToJson()),
        Encoding.UTF8.GetBytes("{\n  \"title\": \"Ferry\",\n  \"setting\": \"the last ferry\",\n  \"protagonist\": \"Jean-Luc\",\n  \"supporting_character\": \"Mara\",\n" +
            "  \"object\": \"a rosary\",\n  \"taboo\": \"don't count twice\",\n  \"twist\": \"one more passenger\"\n}"),
    ];

    private static readonly byte[][] Splices =
    [
        "\\ud800"u8.ToArray(), "\\udc00"u8.ToArray(), "<|endoftext|>"u8.ToArray(), [0xFF], [0xC3], [0xED, 0xA0, 0x80], "\n"u8.ToArray(),
        "\r"u8.ToArray(), "\""u8.ToArray(), "{"u8.ToArray(), "}"u8.ToArray(), "\\"u8.ToArray(), "\\u00"u8.ToArray(), [0], "null"u8.ToArray(),
        "[1,2]"u8.ToArray(), "1e999"u8.ToArray(),
    ];

    [Fact]
    public void MutatedSpecLines_OnlyRaiseDocumentedExceptions()
    {
        var random = new Random(20261203);
        using var dir = new TempDirectory();
        string file = dir.File("fuzz.json");
        int read = 0, rejected = 0;
        for (int n = 0; n < Cases; n++)
        {
            byte[] bytes = Mutate(Seeds[random.Next(Seeds.Length)], random);
            // Both readers: a JSONL stream (lines), and a single-object file (--spec).
            read += Check(() => StorySpecFile.Read(new MemoryStream([.. bytes, (byte)'\n']), "fuzz.jsonl"), "fuzz.jsonl", ref rejected);
            File.WriteAllBytes(file, bytes);
            read += Check(() => [StorySpecFile.ReadSingle(file)], file, ref rejected);
        }
        Assert.True(read > 50 && rejected > Cases, $"read {read}, rejected {rejected}: the mutations should hit both outcomes");
    }

    private static int Check(Func<List<StorySpec>> reader, string fileName, ref int rejected)
    {
        try
        {
            foreach (var spec in reader())
            {
                spec.Validate();
                Assert.Equal(spec, StorySpec.FromJson(spec.ToJson())); // what is accepted round-trips
            }
            return 1;
        }
        catch (Exception e) when (e is JsonlFormatException or SpecValidationException)
        {
            Assert.StartsWith(fileName + ":", e.Message, StringComparison.Ordinal);
            rejected++;
            return 0;
        }
    }

    private static byte[] Mutate(byte[] seed, Random random)
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
}
