namespace HorrorAlign.ML.Generation;

/// <summary>
/// A batch of stories stopped by its cancellation token, with the stories that were finished before it: a caller can
/// keep them (<c>generate --specs</c> writes them) instead of losing an hour of work to one Ctrl+C.
/// </summary>
internal sealed class BatchCanceledException(IReadOnlyList<string?> stories, CancellationToken token)
    : OperationCanceledException($"Stopped after {stories.Count(s => s is not null)} of {stories.Count} stories.", null, token)
{
    /// <summary>One entry per prompt, in input order: the finished story, or null where it was not finished.</summary>
    public IReadOnlyList<string?> Stories { get; } = stories;

    /// <summary>How many stories were finished.</summary>
    public int Finished => Stories.Count(s => s is not null);
}
