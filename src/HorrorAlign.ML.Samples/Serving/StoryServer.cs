using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HorrorAlign.ML.Samples.Serving;

/// <summary>
/// The OpenAI-compatible HTTP server over one chat client: <c>POST /v1/chat/completions</c>, <c>GET /v1/models</c>
/// and <c>GET /healthz</c>. A request passes, in order: the API key check (when a key is set), the concurrency limiter
/// (<see cref="ServeOptions.MaxConcurrency"/> generations, <see cref="ServeOptions.QueueLimit"/> waiting, the rest 429)
/// and the request timeout, which starts once a request holds a generation slot. Every refusal has OpenAI's error shape.
/// </summary>
internal sealed class StoryServer : IAsyncDisposable
{
    private const string GenerationPolicy = "generation";

    /// <summary>How long in-flight requests get to finish when the server stops; then their generation is cancelled.</summary>
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(5);

    private readonly WebApplication _app;

    private StoryServer(WebApplication app, IReadOnlyList<string> addresses)
    {
        _app = app;
        Addresses = addresses;
    }

    /// <summary>The addresses it listens on, ports resolved (<c>http://127.0.0.1:0</c> becomes the port it got).</summary>
    public IReadOnlyList<string> Addresses { get; }

    /// <summary>Builds the server and starts listening; <paramref name="client"/> stays the caller's to dispose.</summary>
    public static async Task<StoryServer> StartAsync(ServeOptions options, IChatClient client, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(client);
        var app = Build(options, client);
        try
        {
            await app.StartAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        return new StoryServer(app, [.. addresses]);
    }

    private static WebApplication Build(ServeOptions options, IChatClient client)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseUrls(options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = options.MaxRequestBytes);
        // The command prints its own lines; the log keeps warnings and failures, on stderr.
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Warning).AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        // The command owns Ctrl+C (CtrlCCancellation); the host must not stop itself on it too.
        builder.Services.AddSingleton<IHostLifetime, CommandLifetime>();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = ShutdownGrace);
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (rejected, ct) => new ValueTask(OpenAiError.RateLimited().WriteAsync(rejected.HttpContext.Response, ct));
            limiter.AddConcurrencyLimiter(GenerationPolicy, concurrency =>
            {
                concurrency.PermitLimit = options.MaxConcurrency;
                concurrency.QueueLimit = options.QueueLimit;
                concurrency.QueueProcessingOrder = QueueProcessingOrder.OldestFirst;
            });
        });
        builder.Services.AddRequestTimeouts(timeouts => timeouts.AddPolicy(GenerationPolicy, new RequestTimeoutPolicy
        {
            Timeout = options.RequestTimeout,
            TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
            WriteTimeoutResponse = context => OpenAiError.TimedOut(options.RequestTimeout).WriteAsync(context.Response),
        }));

        var app = builder.Build();
        // Outermost, so that a timeout's cancellation reaches the timeout middleware before this handler sees it.
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = context => OpenAiError.ServerError().WriteAsync(context.Response) });
        app.UseRouting();
        if (options.ApiKey is { } key) app.Use(new ApiKeyCheck(key).InvokeAsync);
        app.UseRateLimiter();
        app.UseRequestTimeouts();

        app.MapPost(ChatCompletionsEndpoint.Path, new ChatCompletionsEndpoint(client, options).HandleAsync)
            .RequireRateLimiting(GenerationPolicy)
            .WithRequestTimeout(GenerationPolicy);
        long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        app.MapGet("/v1/models", () => Results.Json(new ModelList("list", [new ModelCard(options.ModelId, "model", created, "horroralign")]), OpenAiWire.Json));
        app.MapGet("/healthz", () => Results.Json(new { status = "ok", model = options.ModelId }, OpenAiWire.Json));
        return app;
    }

    /// <summary>Stops listening; requests in flight get <see cref="ShutdownGrace"/> to finish.</summary>
    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>A host lifetime that neither listens for signals nor prints: starting and stopping are the command's.</summary>
    private sealed class CommandLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
