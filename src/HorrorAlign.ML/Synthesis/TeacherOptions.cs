namespace HorrorAlign.ML.Synthesis;

/// <summary>How <see cref="StoryTeacher"/> asks an LLM for stories, as the original's <c>DATA_PROVIDER</c> settings do.</summary>
public sealed record TeacherOptions
{
    /// <summary>The teacher model's name, sent with every request (e.g. <c>deepseek-chat</c>, <c>gpt-4o-mini</c>).</summary>
    public string Model { get; init; } = "";

    /// <summary>Where the teacher is, for the cache key and the record (the chat client itself knows its endpoint).</summary>
    public string Endpoint { get; init; } = "";

    /// <summary>Sampling temperature of the teacher.</summary>
    public double Temperature { get; init; } = 0.8;

    /// <summary>Most tokens one call may write (all the stories of a batch together).</summary>
    public int MaxOutputTokens { get; init; } = 2000;

    /// <summary>Specs per call: one is answered with a story, several with a JSON array of stories.</summary>
    public int BatchSize { get; init; } = 4;

    /// <summary>How many times a spec is asked for in all: a story that fails a check is asked for again, with the next
    /// seed, until then; after that the row keeps its template story.</summary>
    public int AttemptsPerRow { get; init; } = 2;

    /// <summary>Most calls made, failed ones included (cache hits are free; the HTTP client's own retries of one call
    /// are not counted apart); null = no limit.</summary>
    public int? MaxCalls { get; init; }

    /// <summary>Most tokens over all paid calls, input and output (as the endpoint reports them); null = no limit.</summary>
    public long? MaxTotalTokens { get; init; }

    /// <summary>Calls in a row that may fail (an error, or an answer that is not the stories asked for) before the
    /// teacher gives up.</summary>
    public int MaxConsecutiveFailures { get; init; } = 3;

    /// <summary>What happens to the rows left when the teacher gives up or a budget is spent.</summary>
    public TeacherFallback Fallback { get; init; } = TeacherFallback.Template;

    /// <summary>Folder of cached answers, one file per request hash; null = no cache.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Seed of the teacher's sampling (attempt k of a spec uses Seed + k).</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public TeacherOptions Validate()
    {
        static void Require(bool ok, string field, string message)
        {
            if (!ok) throw new ArgumentException($"TeacherOptions.{field}: {message}", field);
        }

        Require(!string.IsNullOrWhiteSpace(Model), nameof(Model), "name the teacher model.");
        Require(Temperature >= 0 && double.IsFinite(Temperature), nameof(Temperature), $"must be a finite number >= 0 (got {Temperature}).");
        Require(MaxOutputTokens >= 1, nameof(MaxOutputTokens), $"must be >= 1 (got {MaxOutputTokens}).");
        Require(BatchSize >= 1, nameof(BatchSize), $"must be >= 1 (got {BatchSize}).");
        Require(AttemptsPerRow >= 1, nameof(AttemptsPerRow), $"must be >= 1 (got {AttemptsPerRow}).");
        Require(MaxCalls is null or >= 0, nameof(MaxCalls), $"must be >= 0 (got {MaxCalls}).");
        Require(MaxTotalTokens is null or >= 0, nameof(MaxTotalTokens), $"must be >= 0 (got {MaxTotalTokens}).");
        Require(MaxConsecutiveFailures >= 1, nameof(MaxConsecutiveFailures), $"must be >= 1 (got {MaxConsecutiveFailures}).");
        return this;
    }
}
