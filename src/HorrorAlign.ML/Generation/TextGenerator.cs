using HorrorAlign.ML.Persistence;

namespace HorrorAlign.ML.Generation;

// CONTRACT STUB (owned by the model/generation helper).
/// <summary>Text-level generation over a <see cref="StoryModel"/>: prompt in, cleaned completion out.</summary>
public static class TextGenerator
{
    /// <summary>Generates the completion of <paramref name="prompt"/> (prompt not echoed, end markers removed, repeated tail trimmed).</summary>
    public static string Generate(StoryModel model, string prompt, SamplingOptions options) => throw new NotImplementedException();
    /// <summary>Generates completions for many prompts (results in input order; each prompt i uses seed options.Seed + i).</summary>
    public static IReadOnlyList<string> GenerateBatch(StoryModel model, IReadOnlyList<string> prompts, SamplingOptions options) => throw new NotImplementedException();
}
