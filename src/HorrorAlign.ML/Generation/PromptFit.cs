using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Tokenization;

namespace HorrorAlign.ML.Generation;

/// <summary>
/// Checks, before any story is written, that every spec's prompt fits the model's context: a spec too long fails at
/// once and by name (file and line, or position and id) instead of after a batch's work. Same measure as generation.
/// </summary>
internal static class PromptFit
{
    /// <summary>Throws for the first spec whose prompt is longer than the model's context.</summary>
    /// <param name="model">The model that will write the stories.</param>
    /// <param name="specs">The specs.</param>
    /// <param name="fileName">The file the specs came from, if any.</param>
    /// <param name="lines">The 1-based line of each spec in <paramref name="fileName"/>, if known.</param>
    /// <exception cref="SpecValidationException">Field <c>spec</c>; the message names the spec's position and id, and
    /// starts with <c>file:line:</c> when those are given.</exception>
    public static void Check(StoryModel model, IReadOnlyList<StorySpec> specs, string? fileName = null, IReadOnlyList<int>? lines = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(specs);
        int context = model.Config.ContextLength;
        for (int i = 0; i < specs.Count; i++)
        {
            int tokens = Tokens(model, specs[i].ToPrompt());
            if (tokens <= context) continue;
            string id = specs[i].Id is { } given ? $" (id '{given}')" : "";
            throw new SpecValidationException("spec",
                $"spec {i + 1}{id}: its prompt is {tokens} tokens but the model's context length is {context}; shorten its fields",
                fileName, lines?[i]);
        }
    }

    /// <summary>How many tokens the model reads for <paramref name="prompt"/> (what generation compares to the context).</summary>
    public static int Tokens(StoryModel model, string prompt) => StoryCodec.For(model.Vocabulary, prompt).EncodePrompt().Length;
}
