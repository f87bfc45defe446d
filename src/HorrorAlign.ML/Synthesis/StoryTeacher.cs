using System.Text.Json;
using HorrorAlign.ML.Data;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Text;
using Microsoft.Extensions.AI;

namespace HorrorAlign.ML.Synthesis;

/// <summary>
/// Rewrites a template dataset's stories with an LLM teacher, as the original's <c>DATA_PROVIDER=deepseek|chatgpt</c>
/// does, through any <see cref="IChatClient"/> (an OpenAI-compatible endpoint, or <c>horroralign serve</c>). The teacher
/// writes every SFT story and every pair's chosen story; a pair's rejected story stays the template's, which fails
/// exactly its kind's check. Every teacher story must pass every <see cref="StoryChecks"/> check, or its spec is asked
/// for again (<see cref="TeacherOptions.AttemptsPerRow"/>) and then keeps its template story. Rows record their source.
/// </summary>
/// <remarks>Specs go <see cref="TeacherOptions.BatchSize"/> to a call: one as a JSON object answered by the story, several
/// as a JSON array answered by a JSON array of stories. Answers are cached by request hash
/// (<see cref="TeacherOptions.CacheDirectory"/>), so a rerun, or a run after an interruption, pays only for what is new.</remarks>
public sealed class StoryTeacher
{
    /// <summary>The teacher's instructions: the constraints the checks hold a story to, in words.</summary>
    public const string Instructions =
        "You write short horror stories that follow a story specification exactly. The specification has a title, a " +
        "setting, a protagonist, a supporting character, an important object, a taboo rule and a twist.\n" +
        "Rules for every story:\n" +
        "- 2 to 4 paragraphs, separated by blank lines, 120 to 250 words in all.\n" +
        "- Name the protagonist and the supporting character exactly as given; no other named characters.\n" +
        "- Mention the important object, word for word as given (its article may change).\n" +
        "- State the taboo rule word for word as given, as a rule someone keeps or breaks.\n" +
        "- Pay off the twist by stating it word for word as given.\n" +
        "- Suspenseful and eerie, not graphic: no blood, gore or wounds.\n" +
        "- End with an unsettling implication, never with relief or a happy ending.\n" +
        "- Do not repeat the title, the field labels or these rules.\n" +
        "If the user message is one JSON object, reply with the story text only. If it is a JSON array of specifications, " +
        "reply with a JSON array of the stories as strings, in the same order, and nothing else.";

    private readonly IChatClient _client;
    private readonly TeacherOptions _options;
    private readonly TeacherCache _cache;

    /// <summary>A teacher over <paramref name="client"/>.</summary>
    /// <exception cref="ArgumentException">Invalid options; names the option.</exception>
    public StoryTeacher(IChatClient client, TeacherOptions options)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        _cache = new TeacherCache(options.CacheDirectory);
    }

    /// <summary>One row's story to write: its spec, and where the accepted story goes.</summary>
    private sealed class Job(StorySpec spec)
    {
        public StorySpec Spec { get; } = spec;
        public string? Story { get; set; }
    }

    /// <summary>
    /// The dataset with the teacher's stories in place of the template ones wherever they pass the checks (same rows,
    /// ids, prompts, kinds and rejected stories), and what it cost.
    /// </summary>
    /// <exception cref="TeacherStoppedException">The teacher gave up (failures in a row, or a budget spent) and the
    /// fallback is <see cref="TeacherFallback.Stop"/>.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the answers so far are in the cache.</exception>
    public async Task<(Dataset Dataset, TeacherStats Stats)> RewriteAsync(Dataset templates, IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(templates);
        var sftSets = new[] { templates.SftTrain, templates.SftValidation, templates.SftTest };
        var prefSets = new[] { templates.PrefTrain, templates.PrefValidation, templates.PrefTest };
        // Rows without a spec (a dataset read from files of bare prompts) cannot be asked for: they keep their story.
        var sftJobs = sftSets.Select(set => set.Select(r => r.Spec is null ? null : new Job(r.Spec)).ToArray()).ToArray();
        var prefJobs = prefSets.Select(set => set.Select(r => r.Spec is null ? null : new Job(r.Spec)).ToArray()).ToArray();
        var jobs = sftJobs.Concat(prefJobs).SelectMany(j => j).OfType<Job>().ToArray();

        var run = new Run(this);
        for (int attempt = 0; attempt < _options.AttemptsPerRow && run.StoppedBecause is null; attempt++)
        {
            var pending = jobs.Where(j => j.Story is null).ToArray();
            if (attempt > 0) run.Retries += pending.Length;
            foreach (var batch in pending.Chunk(_options.BatchSize))
            {
                string[]? stories = await run.AskAsync(batch.Select(j => j.Spec).ToArray(), _options.Seed + attempt, cancellationToken).ConfigureAwait(false);
                if (run.StoppedBecause is not null) break;
                if (stories is null) continue;
                for (int i = 0; i < batch.Length; i++)
                {
                    var check = StoryChecks.Check(batch[i].Spec, stories[i]);
                    if (check.AllPassed) batch[i].Story = stories[i];
                    else foreach (string name in check.FailureNames) run.FailedChecks[name] = run.FailedChecks.GetValueOrDefault(name) + 1;
                }
                progress?.Report(jobs.Count(j => j.Story is not null));
            }
        }

        if (run.StoppedBecause is { } reason && _options.Fallback == TeacherFallback.Stop)
            throw new TeacherStoppedException($"The teacher stopped: {reason}. The answers paid for so far are cached" +
                (_options.CacheDirectory is null ? "" : $" in {_options.CacheDirectory}") + "; a rerun resumes from them.");

        var dataset = new Dataset(
            Sft(sftSets[0], sftJobs[0]), Sft(sftSets[1], sftJobs[1]), Sft(sftSets[2], sftJobs[2]),
            Pref(prefSets[0], prefJobs[0]), Pref(prefSets[1], prefJobs[1]), Pref(prefSets[2], prefJobs[2]), templates.HeldOutSpecs);
        int teacherRows = jobs.Count(j => j.Story is not null);
        return (dataset, run.Stats(teacherRows, Rows(templates) - teacherRows));
    }

    /// <summary>What a teacher that could not be reached at all gives: every row its template story, marked as such,
    /// and a record saying why.</summary>
    internal static (Dataset Dataset, TeacherStats Stats) Unreachable(Dataset templates, TeacherOptions options, string reason)
    {
        ArgumentNullException.ThrowIfNull(templates);
        ArgumentNullException.ThrowIfNull(options);
        var dataset = new Dataset(
            Sft(templates.SftTrain, new Job?[templates.SftTrain.Count]), Sft(templates.SftValidation, new Job?[templates.SftValidation.Count]),
            Sft(templates.SftTest, new Job?[templates.SftTest.Count]), Pref(templates.PrefTrain, new Job?[templates.PrefTrain.Count]),
            Pref(templates.PrefValidation, new Job?[templates.PrefValidation.Count]), Pref(templates.PrefTest, new Job?[templates.PrefTest.Count]),
            templates.HeldOutSpecs);
        return (dataset, new TeacherStats { Model = options.Model, Endpoint = options.Endpoint, TemplateRows = Rows(templates), StoppedBecause = reason });
    }

    /// <summary>The rows a teacher could write: every SFT example and every pair.</summary>
    private static int Rows(Dataset d) =>
        d.SftTrain.Count + d.SftValidation.Count + d.SftTest.Count + d.PrefTrain.Count + d.PrefValidation.Count + d.PrefTest.Count;

    private static List<SftExample> Sft(IReadOnlyList<SftExample> rows, Job?[] jobs) =>
        [.. rows.Select((r, i) => jobs[i]?.Story is { } story ? r with { Response = story, Source = Teacher } : r with { Source = Template })];

    private static List<PreferencePair> Pref(IReadOnlyList<PreferencePair> rows, Job?[] jobs) =>
        [.. rows.Select((r, i) => jobs[i]?.Story is { } story ? r with { Chosen = story, Source = Teacher } : r with { Source = Template })];

    /// <summary>The <c>source</c> of a row the teacher wrote.</summary>
    public const string Teacher = "teacher";

    /// <summary>The <c>source</c> of a row that kept its template story.</summary>
    public const string Template = "template";

    /// <summary>The state of one rewrite: counts, budgets, failures in a row.</summary>
    private sealed class Run(StoryTeacher teacher)
    {
        private readonly TeacherOptions _options = teacher._options;
        private int _calls, _failedCalls, _malformed, _cacheHits, _failuresInARow;
        private long _inputTokens, _outputTokens;

        public int Retries { get; set; }
        public Dictionary<string, int> FailedChecks { get; } = new(StringComparer.Ordinal);
        public string? StoppedBecause { get; private set; }

        /// <summary>The stories for <paramref name="specs"/>, in order; null when the call failed or its answer is not
        /// those stories (and <see cref="StoppedBecause"/> set once the teacher gives up).</summary>
        public async Task<string[]?> AskAsync(StorySpec[] specs, int seed, CancellationToken cancellationToken)
        {
            string user = specs.Length == 1
                ? (specs[0] with { Id = null }).ToJson()
                : "[" + string.Join(",", specs.Select(s => (s with { Id = null }).ToJson())) + "]";
            string canonical = Canonical(user, seed);
            string key = TeacherCache.Key(canonical);
            var answer = teacher._cache.TryGet(key);
            if (answer is not null) _cacheHits++;
            else
            {
                if (BudgetSpent() is { } spent)
                {
                    StoppedBecause = spent;
                    return null;
                }
                try
                {
                    var response = await teacher._client.GetResponseAsync(
                        [new ChatMessage(ChatRole.System, Instructions), new ChatMessage(ChatRole.User, user)],
                        new ChatOptions { ModelId = _options.Model, Temperature = (float)_options.Temperature, MaxOutputTokens = _options.MaxOutputTokens, Seed = seed },
                        cancellationToken).ConfigureAwait(false);
                    // An endpoint that reports no usage is counted by characters (about four per token).
                    answer = new TeacherAnswer(response.Text,
                        response.Usage?.InputTokenCount ?? (Instructions.Length + user.Length) / 4,
                        response.Usage?.OutputTokenCount ?? response.Text.Length / 4);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    _failedCalls++;
                    Failed($"{e.GetType().Name}: {e.Message}");
                    return null;
                }
                _calls++;
                _inputTokens += answer.InputTokens;
                _outputTokens += answer.OutputTokens;
                teacher._cache.Put(key, canonical, answer);
            }

            if (Parse(answer.Text, specs.Length) is { } stories)
            {
                _failuresInARow = 0;
                return stories;
            }
            _malformed++;
            Failed($"an answer was not {(specs.Length == 1 ? "a story" : $"a JSON array of {specs.Length} stories")}: '{Shorten(answer.Text)}'");
            return null;
        }

        private void Failed(string what)
        {
            if (++_failuresInARow >= _options.MaxConsecutiveFailures)
                StoppedBecause = $"{_failuresInARow} calls in a row failed (--max-consecutive-failures); the last: {what}";
        }

        private string? BudgetSpent() =>
            _options.MaxCalls is { } calls && _calls + _failedCalls >= calls ? $"the budget of {calls} calls is spent (--max-calls)"
            : _options.MaxTotalTokens is { } tokens && _inputTokens + _outputTokens >= tokens ? $"the budget of {tokens} tokens is spent (--max-total-tokens)"
            : null;

        /// <summary>What identifies a request: the same text is the same answer.</summary>
        private string Canonical(string user, int seed) => JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["endpoint"] = _options.Endpoint, ["model"] = _options.Model, ["temperature"] = _options.Temperature,
            ["max_output_tokens"] = _options.MaxOutputTokens, ["seed"] = seed, ["system"] = Instructions, ["user"] = user,
        });

        public TeacherStats Stats(int teacherRows, int templateRows) => new()
        {
            Model = _options.Model, Endpoint = _options.Endpoint, Calls = _calls, FailedCalls = _failedCalls, MalformedAnswers = _malformed,
            CacheHits = _cacheHits, InputTokens = _inputTokens, OutputTokens = _outputTokens, Retries = Retries,
            TeacherRows = teacherRows, TemplateRows = templateRows, StoppedBecause = StoppedBecause,
            FailedChecks = new SortedDictionary<string, int>(FailedChecks, StringComparer.Ordinal),
        };
    }

    /// <summary>The stories of an answer: the text itself for one spec, a JSON array of <paramref name="count"/> strings
    /// for several (a code fence around it is fine); null when it is neither.</summary>
    internal static string[]? Parse(string text, int count)
    {
        string body = CodeFence.Strip(text);
        if (count == 1 && !body.StartsWith('[')) return body.Length == 0 ? null : [body];
        try
        {
            var stories = JsonSerializer.Deserialize<string?[]>(body);
            return stories is not null && stories.Length == count && stories.All(s => !string.IsNullOrWhiteSpace(s)) ? [.. stories.Select(s => s!.Trim())] : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Shorten(string s) => s.Length <= 80 ? s : s[..80] + "...";
}
