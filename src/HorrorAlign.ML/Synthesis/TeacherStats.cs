namespace HorrorAlign.ML.Synthesis;

/// <summary>What a <see cref="StoryTeacher"/> run cost and gave, as the original's <c>dataset_meta.json</c> records it
/// (written into <c>stats.json</c> under <c>teacher</c>).</summary>
public sealed record TeacherStats
{
    /// <summary>The teacher model.</summary>
    public string Model { get; init; } = "";

    /// <summary>Where the teacher was.</summary>
    public string Endpoint { get; init; } = "";

    /// <summary>Paid calls that returned an answer.</summary>
    public int Calls { get; init; }

    /// <summary>Calls that failed (an error from the endpoint); not counted in <see cref="Calls"/>.</summary>
    public int FailedCalls { get; init; }

    /// <summary>Answers that were not the stories asked for (not a JSON array of the batch's size, or empty).</summary>
    public int MalformedAnswers { get; init; }

    /// <summary>Answers read from the cache instead of paid for.</summary>
    public int CacheHits { get; init; }

    /// <summary>Input tokens over the paid calls, as the endpoint reported them.</summary>
    public long InputTokens { get; init; }

    /// <summary>Output tokens over the paid calls, as the endpoint reported them.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Input plus output tokens.</summary>
    public long TotalTokens => InputTokens + OutputTokens;

    /// <summary>Specs asked for again: after their story failed a check, or their call failed or was not answered with
    /// the stories asked for.</summary>
    public int Retries { get; init; }

    /// <summary>Rows whose story the teacher wrote.</summary>
    public int TeacherRows { get; init; }

    /// <summary>Rows that kept their template story (the teacher's failed every attempt, the teacher gave up, or the row
    /// has no spec to ask with).</summary>
    public int TemplateRows { get; init; }

    /// <summary>Teacher stories that failed, per check name (a story failing two checks counts under both).</summary>
    public IReadOnlyDictionary<string, int> FailedChecks { get; init; } = new Dictionary<string, int>();

    /// <summary>Why the teacher gave up before asking for every row, or null when it did not.</summary>
    public string? StoppedBecause { get; init; }
}
