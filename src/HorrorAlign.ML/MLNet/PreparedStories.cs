using System.Collections.Concurrent;

namespace HorrorAlign.ML.MLNet;

/// <summary>
/// Stories written ahead, in batches, for the rows a <see cref="StoryGeneratorTransformer"/>'s output is about to be
/// read for (see <see cref="BatchedStoryView"/>); the row mapping takes its story from here and writes one itself only
/// for a row that was not prepared (a prediction engine, rows past the limit). Keyed by model hash, sampling settings
/// and prompt: every row of one generator has one seed, so one key has one story.
/// </summary>
internal static class PreparedStories
{
    /// <summary>Most stories kept; past it the oldest batch's stories are dropped (their rows are then written again).</summary>
    public const int Capacity = 8192;

    private static readonly ConcurrentDictionary<(string Hash, string Settings, string Prompt), string> s_stories = new();

    /// <summary>True when <paramref name="prompt"/> has a story prepared under this model and these settings.</summary>
    public static bool TryGet(string hash, string settings, string prompt, out string story) =>
        s_stories.TryGetValue((hash, settings, prompt), out story!);

    /// <summary>True when a story is prepared (see <see cref="TryGet"/>).</summary>
    public static bool Contains(string hash, string settings, string prompt) => s_stories.ContainsKey((hash, settings, prompt));

    /// <summary>Keeps a batch of stories, making room first when the cache would overflow.</summary>
    public static void Add(string hash, string settings, IReadOnlyList<string> prompts, IReadOnlyList<string> stories)
    {
        if (s_stories.Count + prompts.Count > Capacity) s_stories.Clear();
        for (int i = 0; i < prompts.Count; i++) s_stories[(hash, settings, prompts[i])] = stories[i];
    }
}
