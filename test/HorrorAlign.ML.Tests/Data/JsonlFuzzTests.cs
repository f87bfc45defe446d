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

    [Fact]
    public void MutatedSpecLines_OnlyRaiseDocumentedExceptions()
    {
        var random = new Random(20261203);
        using var dir = new TempDirectory();
        string file = dir.File("fuzz.json");
        int read = 0, rejected = 0;
        for (int n = 0; n < Cases; n++)
        {
            byte[] bytes = JsonMutations.Mutate(Seeds[random.Next(Seeds.Length)], random);
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
}
