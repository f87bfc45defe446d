using System.Text.Json;
using HorrorAlign.ML.Evaluation;
using HorrorAlign.ML.Generation;
using HorrorAlign.ML.IO;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Specs;

namespace HorrorAlign.ML.Training;

/// <summary>
/// On-policy preference pairs: the policy writes a story for every spec, each story is checked, and every story that
/// fails a check becomes the REJECTED side of a pair whose CHOSEN side is the reference story for that spec.
/// <para>
/// Why: template pairs only contrast the failures the template generator makes on purpose, and the SFT model already
/// ranks those perfectly (policy accuracy 1.0), so DPO on them alone has nothing left to fix. The SFT model's own
/// failures on unseen values — a copy cut short or running on, a looping sentence, a missing taboo — are what keep it
/// under the pass-rate bar, and the only pairs that push against them are pairs that contain them. This is the
/// self-generated rejection of on-policy / iterative DPO (e.g. Xu et al. 2023 "Some things are more CRINGE than
/// others"; Pang et al. 2024 "Iterative Reasoning Preference Optimization").
/// </para>
/// </summary>
public static class OnPolicyPairs
{
    /// <summary>
    /// Generates one story per source with <paramref name="sampling"/> (story i seeded with Seed + i, so mining is
    /// deterministic) and returns a pair for every story that fails a check.
    /// </summary>
    /// <param name="model">The policy (usually the SFT model DPO starts from).</param>
    /// <param name="sources">Specs with their reference (chosen) stories.</param>
    /// <param name="sampling">How the policy samples.</param>
    /// <param name="knownNames">Names that count as wrong characters; null = every built-in pool name.</param>
    /// <param name="progress">Receives the number of stories written so far.</param>
    /// <param name="cancellationToken">Stops between stories.</param>
    /// <param name="parallelism">Stories written at once (see <see cref="ParallelPrompts"/>); the pairs do not depend on it.</param>
    /// <exception cref="ArgumentException">A source is null or has no chosen story.</exception>
    public static IReadOnlyList<OnPolicyPair> Mine(StoryModel model, IReadOnlyList<OnPolicySource> sources, SamplingOptions sampling,
        IReadOnlyList<string>? knownNames = null, IProgress<int>? progress = null, CancellationToken cancellationToken = default,
        int parallelism = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(sampling);
        CheckSources(sources);
        var stories = TextGenerator.GenerateBatch(model, [.. sources.Select(s => s.Spec.ToPrompt())], sampling, parallelism, progress, cancellationToken);
        return FromStories(sources, stories, knownNames);
    }

    /// <summary>The pairs that given stories make: story i, written for source i, becomes a pair when it fails a check.</summary>
    /// <exception cref="ArgumentException">The lists differ in length, or a source is null or has no chosen story.</exception>
    public static IReadOnlyList<OnPolicyPair> FromStories(IReadOnlyList<OnPolicySource> sources, IReadOnlyList<string> stories,
        IReadOnlyList<string>? knownNames = null)
    {
        CheckSources(sources);
        ArgumentNullException.ThrowIfNull(stories);
        if (stories.Count != sources.Count)
            throw new ArgumentException($"Every source needs one story: got {sources.Count} sources and {stories.Count} stories.", nameof(stories));
        var pairs = new List<OnPolicyPair>();
        for (int i = 0; i < sources.Count; i++)
        {
            var source = sources[i];
            string story = stories[i] ?? throw new ArgumentException($"stories[{i}] is null.", nameof(stories));
            var result = knownNames is null ? StoryChecks.Check(source.Spec, story) : StoryChecks.Check(source.Spec, story, knownNames);
            if (!result.AllPassed) pairs.Add(new OnPolicyPair(source.Id, source.Spec.ToPrompt(), source.Chosen, story, result.FailureNames));
        }
        return pairs;
    }

    private static void CheckSources(IReadOnlyList<OnPolicySource> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        for (int i = 0; i < sources.Count; i++)
        {
            var source = sources[i] ?? throw new ArgumentException($"sources[{i}] is null.", nameof(sources));
            if (source.Spec is null) throw new ArgumentException($"sources[{i}] (id '{source.Id}') has no spec.", nameof(sources));
            if (string.IsNullOrWhiteSpace(source.Chosen))
                throw new ArgumentException($"sources[{i}] (id '{source.Id}') has no chosen story.", nameof(sources));
        }
    }

    /// <summary>Writes pairs as JSONL (<c>{"id","prompt","chosen","rejected","failures"}</c>), atomically.</summary>
    public static void WriteJsonl(string path, IEnumerable<OnPolicyPair> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        Jsonl.Write(path, pairs, static (w, p) =>
        {
            w.WriteStartObject();
            w.WriteString("id", p.Id);
            w.WriteString("prompt", p.Prompt);
            w.WriteString("chosen", p.Chosen);
            w.WriteString("rejected", p.Rejected);
            w.WriteStartArray("failures");
            foreach (string f in p.Failures) w.WriteStringValue(f);
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    /// <summary>Reads pairs written by <see cref="WriteJsonl"/>.</summary>
    /// <exception cref="FormatException">A malformed row; the message names file and line.</exception>
    public static List<OnPolicyPair> ReadJsonl(string path) => Jsonl.Read(path, r => new OnPolicyPair(
        r.GetString("id"), r.GetString("prompt"), r.GetString("chosen"), r.GetString("rejected"), Failures(r)));

    private static string[] Failures(JsonlRecord r) =>
        r.GetOptional("failures") is { ValueKind: JsonValueKind.Array } a
            ? [.. a.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw r.Error("failures", "field 'failures' must hold strings"))]
            : throw r.Error("failures", "required field 'failures' must be a JSON array of check names");
}

/// <summary>A spec and its reference story, to mine an on-policy pair from.</summary>
/// <param name="Id">Row id (kept in the pair).</param>
/// <param name="Spec">The spec the policy writes for.</param>
/// <param name="Chosen">The reference story (the pair's chosen side).</param>
public sealed record OnPolicySource(string Id, StorySpec Spec, string Chosen);

/// <summary>A pair whose rejected story is the policy's own failing story.</summary>
/// <param name="Id">Id of the source row.</param>
/// <param name="Prompt">The spec's prompt.</param>
/// <param name="Chosen">The reference story.</param>
/// <param name="Rejected">The policy's story, which failed <paramref name="Failures"/>.</param>
/// <param name="Failures">Names of the checks the rejected story failed.</param>
public sealed record OnPolicyPair(string Id, string Prompt, string Chosen, string Rejected, IReadOnlyList<string> Failures)
{
    /// <summary>As a DPO training sample.</summary>
    public PreferenceSample ToSample() => new(Prompt, Chosen, Rejected);
}
