using System.CommandLine;
using HorrorAlign.ML.Chat;
using HorrorAlign.ML.Generation;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Samples.Cli;
using HorrorAlign.ML.Samples.Serving;

namespace HorrorAlign.ML.Samples.Commands;

/// <summary>
/// <c>horroralign serve --model PATH</c>: an OpenAI-compatible HTTP server over the model (<see cref="StoryServer"/>),
/// so any OpenAI client can ask for stories: <c>POST /v1/chat/completions</c> with a spec as the user message. It
/// prints where it listens and runs until Ctrl+C (exit 130, as every command stopped by Ctrl+C).
/// </summary>
public sealed class ServeCommand : Command
{
    private static readonly ServeOptions Defaults = new();

    private readonly Option<string> _model = CliOption.Create<string>("--model",
        "The model to serve: a run's model.zip, a model file, or a PyTorch checkpoint (.pt with its config.json beside it, or .safetensors).",
        "PATH", "--checkpoint");
    private readonly Option<int> _heads = HeadsOption.Create();
    private readonly Option<string> _urls = WithDefault(CliOption.Create<string>("--urls",
            "Where to listen: http://host:port, several separated by ';' (port 0 picks a free port; plain HTTP: put TLS in a proxy in front).", "URL")
        .Require(AreHttpUrls, "takes http://host:port addresses separated by ';'"), Defaults.Urls);
    private readonly Option<string> _apiKeyEnv = CliOption.Create<string>("--api-key-env",
        "Require 'Authorization: Bearer KEY' on /v1 requests, KEY read from this environment variable (never from the command line, where ps shows it).", "NAME");
    private readonly Option<string> _modelId = WithDefault(CliOption.Create<string>("--model-id",
        "The model name /v1/models lists; a request's \"model\" must be it or left out.", "ID").Require(id => !string.IsNullOrWhiteSpace(id), "must not be empty"), Defaults.ModelId);
    private readonly Option<int> _maxConcurrency = WithDefault(CliOption.Create<int>("--max-concurrency",
        "Requests in generation at once; they are decoded together, up to 32 in one forward per token.", "N").AtLeast(1), Defaults.MaxConcurrency);
    private readonly Option<int> _decodeThreads = WithDefault(CliOption.Create<int>("--decode-threads",
        "Threads that decode batches of requests side by side (one torch thread each); 0 decodes each request on a thread of its own, unbatched.", "N")
        .AtLeast(0), Math.Min(2, Environment.ProcessorCount));
    private readonly Option<int> _queueLimit = WithDefault(CliOption.Create<int>("--queue-limit",
        "Requests that wait for a free generation; more get 429.", "N").AtLeast(0), Defaults.QueueLimit);
    private readonly Option<int> _maxRequestBytes = WithDefault(CliOption.Create<int>("--max-request-bytes",
        "Largest request body; a larger one gets 413.", "N").AtLeast(1), (int)Defaults.MaxRequestBytes);
    private readonly Option<int> _maxTokensLimit = WithDefault(CliOption.Create<int>("--max-tokens-limit",
        $"Largest max_tokens a request may ask for (400 above it); a request without max_tokens gets {new SamplingOptions().MaxNewTokens}, or this limit if lower.", "N").AtLeast(1), Defaults.MaxTokensLimit);
    private readonly Option<double> _requestTimeout = WithDefault(CliOption.Create<double>("--request-timeout",
        "Seconds one generation may run once started; then it is stopped (504 when nothing was sent yet).", "SECONDS")
        .Require(s => s > 0 && s <= int.MaxValue, "must be a positive number of seconds"), Defaults.RequestTimeout.TotalSeconds);

    /// <summary>Defines the command, writing to <paramref name="console"/>.</summary>
    public ServeCommand(CliConsole console) : base("serve", "Serve a model over HTTP as an OpenAI-compatible chat completions API (POST /v1/chat/completions).")
    {
        _model.Required = true;
        foreach (var option in new Option[] { _model, _heads, _urls, _apiKeyEnv, _modelId, _maxConcurrency, _decodeThreads, _queueLimit, _maxRequestBytes, _maxTokensLimit, _requestTimeout })
            Options.Add(option);
        DeviceOption.AddTo(this);
        this.SetGuardedAction(console, (result, ct) => Run(result, console, ct));
    }

    private int Run(ParseResult result, CliConsole console, CancellationToken ct)
    {
        var options = new ServeOptions
        {
            Urls = result.GetRequiredValue(_urls),
            ModelId = result.GetRequiredValue(_modelId),
            ApiKey = result.GetValue(_apiKeyEnv) is { } name ? ReadApiKey(name) : null,
            MaxConcurrency = result.GetValue(_maxConcurrency),
            QueueLimit = result.GetValue(_queueLimit),
            MaxRequestBytes = result.GetValue(_maxRequestBytes),
            MaxTokensLimit = result.GetValue(_maxTokensLimit),
            RequestTimeout = TimeSpan.FromSeconds(result.GetValue(_requestTimeout)),
        };
        string device = DeviceOption.Read(result);
        string path = result.GetRequiredValue(_model);
        using var model = ModelArchive.Load(path, new PyTorchCheckpointOptions { Heads = HeadsOption.Read(result, _heads) });
        DeviceOption.Place(model, device);
        // Decoding is hundreds of tiny ops per token, fastest on one intra-op thread (see generate); the cores go to
        // --decode-threads batches side by side instead.
        using var threads = TorchThreads.Use(1);
        // A request without max_tokens gets the sampling default, capped so that it is never above what one may ask for.
        var sampling = new SamplingOptions { MaxNewTokens = Math.Min(new SamplingOptions().MaxNewTokens, options.MaxTokensLimit) };
        using var client = new StoryChatClient(model, new StoryChatClientOptions
        {
            ModelId = options.ModelId, Sampling = sampling, OwnsModel = false, DecodingThreads = result.GetValue(_decodeThreads),
        });
        ServeAsync(options, client, path, console, ct).GetAwaiter().GetResult();
        return ExitCode.Success;
    }

    /// <summary>Listens until <paramref name="ct"/> (Ctrl+C), then stops the server and reports the interruption.</summary>
    private static async Task ServeAsync(ServeOptions options, StoryChatClient client, string path, CliConsole console, CancellationToken ct)
    {
        await using var server = await StoryServer.StartAsync(options, client, ct).ConfigureAwait(false);
        var output = console.Out.Profile.Out.Writer;
        foreach (string address in server.Addresses) output.WriteLine($"listening on {address}");
        output.WriteLine($"model: {options.ModelId} ({path}){(options.ApiKey is null ? "" : ", API key required")}");
        output.WriteLine("Ctrl+C stops the server.");
        output.Flush();
        await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false); // throws once Ctrl+C cancels: GuardedAction exits 130
    }

    private static string ReadApiKey(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } key ? key
            : throw new CliException($"--api-key-env: the environment variable {variable} is not set or empty; set it to the API key.");

    private static bool AreHttpUrls(string urls) =>
        urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } parts &&
        parts.All(u => u.StartsWith("http://", StringComparison.OrdinalIgnoreCase)); // Kestrel checks the rest (and takes * and + hosts)

    private static Option<T> WithDefault<T>(Option<T> option, T value)
    {
        option.DefaultValueFactory = _ => value;
        return option;
    }
}
