using System.ClientModel;
using System.ClientModel.Primitives;
using System.CommandLine;
using HorrorAlign.ML.Samples.Cli;
using HorrorAlign.ML.Synthesis;
using HorrorAlign.ML.Tokenization;
using Microsoft.Extensions.AI;
using OpenAI;

namespace HorrorAlign.ML.Samples.Commands;

/// <summary>
/// <c>horroralign data --out DIR [--seed N] [sizes…] [--provider template|openai …]</c>: writes the dataset and its
/// stats. With <c>--provider openai</c> an LLM teacher at any OpenAI-compatible endpoint rewrites the template stories
/// (<see cref="StoryTeacher"/>), as the original's <c>DATA_PROVIDER=deepseek|chatgpt</c> does.
/// </summary>
public sealed class DataCommand : Command
{
    private readonly Option<string> _out = CliOption.Create<string>("--out", "Folder to write the dataset into.", "DIR");
    private readonly Option<string> _provider = CliOption.Create<string>("--provider",
        "Who writes the stories: the templates, or an LLM teacher at an OpenAI-compatible endpoint (then --teacher-model).").OneOf("template", "openai");
    private readonly Option<string?> _baseUrl = CliOption.Create<string?>("--base-url",
        "The teacher's OpenAI-compatible endpoint, up to /v1 (default: OpenAI's own).", "URL");
    private readonly Option<string> _apiKeyEnv = CliOption.Create<string>("--api-key-env", "Environment variable that holds the teacher's API key.", "NAME");
    private readonly Option<int> _callRetries = CliOption.Create<int>("--call-retries",
        "Times the HTTP client retries a call that failed on the network or with 429/5xx, with backoff, before it counts as failed.", "N").AtLeast(0);
    private readonly Option<string?> _cache = CliOption.Create<string?>("--cache",
        "Folder of the teacher's cached answers (default: DIR/teacher_cache): a rerun pays only for what is new.", "DIR");

    /// <summary>The dataset flags (seed and sizes).</summary>
    public DatasetOptionsBinder Sizes { get; } = new(shownDefaults: new DatasetOptions());

    /// <summary>The teacher's flags.</summary>
    public TeacherOptionsBinder Teacher { get; } = new(shownDefaults: new TeacherOptions());

    /// <summary>Defines the command, writing to <paramref name="console"/>.</summary>
    public DataCommand(CliConsole console) : base("data",
        "Write the dataset: six JSONL files, the held-out specs and stats.json; from templates, or rewritten by an LLM teacher.")
    {
        _out.Required = true;
        _provider.DefaultValueFactory = _ => "template";
        _apiKeyEnv.DefaultValueFactory = _ => "OPENAI_API_KEY";
        _callRetries.DefaultValueFactory = _ => 2;
        Options.Add(_out);
        Sizes.AddTo(this);
        Options.Add(_provider);
        Options.Add(_baseUrl);
        Options.Add(_apiKeyEnv);
        Options.Add(_callRetries);
        Options.Add(_cache);
        Teacher.AddTo(this);
        this.SetGuardedAction(console, (result, ct) => Run(result, console, ct));
    }

    private int Run(ParseResult result, CliConsole console, CancellationToken ct)
    {
        string outDir = result.GetRequiredValue(_out);
        var sizes = Sizes.Read(result, new DatasetOptions());
        var dataset = Dataset.Generate(sizes);
        TeacherStats? teacherStats = null;
        var output = console.Out.Profile.Out.Writer;
        if (result.GetValue(_provider) == "openai")
            (dataset, teacherStats) = RewriteWithTeacher(result, dataset, sizes.Seed, outDir, output, ct);
        else if (Teacher.Options.Concat([_baseUrl, _apiKeyEnv, _callRetries, _cache]).FirstOrDefault(o => result.GetResult(o) is { Implicit: false }) is { } stray)
            throw new CliException($"{stray.Name} is a teacher flag: it needs --provider openai.");

        dataset.WriteTo(outDir);
        var gpt2 = Gpt2Tokenizer.Shared;
        string statsPath = dataset.WriteStats(outDir, t => gpt2.Encode(t).Length, teacherStats);
        output.WriteLine($"wrote {Dataset.SftTrainFile} ({dataset.SftTrain.Count}), {Dataset.SftValidationFile} ({dataset.SftValidation.Count}), " +
                         $"{Dataset.SftTestFile} ({dataset.SftTest.Count}), {Dataset.PrefTrainFile} ({dataset.PrefTrain.Count}), " +
                         $"{Dataset.PrefValidationFile} ({dataset.PrefValidation.Count}), {Dataset.PrefTestFile} ({dataset.PrefTest.Count}) to {Path.GetFullPath(outDir)}");
        output.WriteLine($"stats: {statsPath}");
        return ExitCode.Success;
    }

    /// <summary>The teacher's rewrite of <paramref name="templates"/>: a connectivity check first, then the calls.</summary>
    private (Dataset, TeacherStats) RewriteWithTeacher(ParseResult result, Dataset templates, int seed, string outDir, TextWriter output, CancellationToken ct)
    {
        string? baseUrl = result.GetValue(_baseUrl);
        Uri? endpoint = null;
        if (baseUrl is not null && (!Uri.TryCreate(baseUrl, UriKind.Absolute, out endpoint) || endpoint.Scheme is not ("http" or "https")))
            throw new CliException($"--base-url must be an http or https URL (got '{baseUrl}').");
        var options = Teacher.Read(result, new TeacherOptions
        {
            Endpoint = endpoint?.ToString() ?? "openai", Seed = seed,
            CacheDirectory = result.GetValue(_cache) ?? Path.Combine(outDir, "teacher_cache"),
        });
        string keyVariable = result.GetRequiredValue(_apiKeyEnv);
        string key = Environment.GetEnvironmentVariable(keyVariable) is { Length: > 0 } k ? k
            : throw new CliException($"the teacher's API key is read from ${keyVariable}, which is not set; set it, or name another variable with --api-key-env.");

        var client = new OpenAIClient(new ApiKeyCredential(key), new OpenAIClientOptions
        {
            Endpoint = endpoint, RetryPolicy = new ClientRetryPolicy(result.GetValue(_callRetries)), NetworkTimeout = TimeSpan.FromMinutes(5),
        });
        try
        {
            // The original checks the endpoint before it spends anything: one cheap listing call.
            client.GetOpenAIModelClient().GetModelsAsync(ct).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is ClientResultException or HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            string reason = $"the teacher at {options.Endpoint} did not answer the connectivity check ({e.Message.Split('\n')[0]})";
            if (options.Fallback == TeacherFallback.Stop) throw new InvalidOperationException(reason + "; nothing was written (--fallback stop).", e);
            output.WriteLine($"teacher: {reason}; writing the template dataset (--fallback template)");
            return StoryTeacher.Unreachable(templates, options, reason);
        }

        using var chat = client.GetChatClient(options.Model).AsIChatClient();
        try
        {
            var (dataset, stats) = new StoryTeacher(chat, options).RewriteAsync(templates, progress: null, ct).GetAwaiter().GetResult();
            output.WriteLine($"teacher: {options.Model} wrote {stats.TeacherRows} of {stats.TeacherRows + stats.TemplateRows} stories " +
                             $"({stats.Calls} calls, {stats.TotalTokens:N0} tokens, {stats.CacheHits} cached answers, {stats.Retries} retries); " +
                             $"{stats.TemplateRows} kept their template story" + (stats.StoppedBecause is { } why ? $"; it stopped: {why}" : ""));
            return (dataset, stats);
        }
        catch (TeacherStoppedException e)
        {
            throw new InvalidOperationException(e.Message + " Nothing was written (--fallback stop).", e);
        }
    }
}
