using System.ClientModel;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HorrorAlign.ML.Chat;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Samples.Cli;
using HorrorAlign.ML.Samples.Serving;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Tests.Chat;
using Microsoft.Extensions.AI;

namespace HorrorAlign.ML.Tests.App;

/// <summary>The tiny run's model behind a <see cref="StoryChatClient"/>, shared by the serve tests; each test starts its own
/// server over it with the limits it needs.</summary>
public sealed class ServedModel : IDisposable
{
    public ServedModel()
    {
        Run = new TinyRun();
        Assert.True(Run.ExitCode == 0, Run.Output);
        // Two decoding threads, as serve runs by default: the HTTP tests go through the batched decoder.
        Client = new StoryChatClient(ModelArchive.Load(Run.File("model.zip")), new StoryChatClientOptions { ModelId = ModelId, DecodingThreads = 2 });
    }

    public const string ModelId = "tiny-horror";

    internal TinyRun Run { get; }

    internal StoryChatClient Client { get; }

    public void Dispose()
    {
        Client.Dispose();
        Run.Dispose();
    }
}

/// <summary>
/// <c>horroralign serve</c>: a real server on <c>http://127.0.0.1:0</c> over the tiny trained model (its stories are noise,
/// but real ones), asked over real HTTP, by hand and through the official OpenAI client. Few tokens keep every test to
/// well under a second.
/// </summary>
public sealed class ServeTests(ServedModel served) : IClassFixture<ServedModel>
{
    private static readonly StorySpec Spec = StoryChatClientTests.Spec;

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(60) };

    private async Task<Server> Start(ServeOptions? options = null) =>
        new(await StoryServer.StartAsync((options ?? new ServeOptions()) with { Urls = "http://127.0.0.1:0", ModelId = ServedModel.ModelId }, served.Client));

    /// <summary>A started server and its base address (no trailing slash).</summary>
    private sealed class Server(StoryServer server) : IAsyncDisposable
    {
        public string Url { get; } = server.Addresses[0].TrimEnd('/');

        public ValueTask DisposeAsync() => server.DisposeAsync();
    }

    private static string Body(object request) => JsonSerializer.Serialize(request);

    private static object Request(string content, object? extra = null)
    {
        var request = new JsonObject
        {
            ["model"] = ServedModel.ModelId,
            ["max_tokens"] = 12,
            ["seed"] = 5,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = content }),
        };
        if (extra is not null)
            foreach (var (key, value) in JsonSerializer.SerializeToNode(extra)!.AsObject()) request[key] = value?.DeepClone();
        return request;
    }

    private static async Task<(HttpStatusCode Status, JsonNode Json)> Post(string url, string body, string? key = null)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, url + "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (key is not null) message.Headers.Authorization = new("Bearer", key);
        using var response = await Http.SendAsync(message);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    /// <summary>OpenAI's error shape: message, type, param and code, all four present.</summary>
    private static JsonNode AssertError(JsonNode json, string? param, string? code = null)
    {
        var error = json["error"]!.AsObject();
        Assert.False(string.IsNullOrWhiteSpace((string?)error["message"]));
        Assert.NotNull((string?)error["type"]);
        Assert.True(error.ContainsKey("param") && error.ContainsKey("code"), json.ToJsonString());
        Assert.Equal(param, (string?)error["param"]);
        Assert.Equal(code, (string?)error["code"]);
        return error;
    }

    private static string TitleLines(StorySpec spec) => string.Join("\n", StorySpec.Fields.Select(f => $"{f.Label}: {f.Get(spec)}"));

    [Fact]
    public async Task AJsonSpecGetsAChatCompletionWithItsStoryAndUsage()
    {
        await using var server = await Start();

        var (status, json) = await Post(server.Url, Body(Request(Spec.ToJson())));

        Assert.True(status == HttpStatusCode.OK, json.ToJsonString());
        Assert.Equal("chat.completion", (string?)json["object"]);
        Assert.StartsWith("chatcmpl-", (string?)json["id"]);
        Assert.Equal(ServedModel.ModelId, (string?)json["model"]);
        Assert.True((long)json["created"]! > 0);
        var choice = json["choices"]!.AsArray().Single()!;
        Assert.Equal("assistant", (string?)choice["message"]!["role"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)choice["message"]!["content"]));
        Assert.Contains((string?)choice["finish_reason"], new[] { "stop", "length" });
        var usage = json["usage"]!;
        Assert.True((long)usage["prompt_tokens"]! > 0);
        Assert.InRange((long)usage["completion_tokens"]!, 1, 12);
        Assert.Equal((long)usage["prompt_tokens"]! + (long)usage["completion_tokens"]!, (long)usage["total_tokens"]!);
    }

    [Fact]
    public async Task TitleLinesAndTextPartsAreTheSameSpec_AndTheSameSeedTheSameStory()
    {
        await using var server = await Start();

        var (jsonStatus, fromJson) = await Post(server.Url, Body(Request(Spec.ToJson())));
        var (linesStatus, fromLines) = await Post(server.Url, Body(Request(TitleLines(Spec))));
        var parts = new { messages = new[] { new { role = "user", content = new[] { new { type = "text", text = TitleLines(Spec) } } } }, max_tokens = 12, seed = 5 };
        var (partsStatus, fromParts) = await Post(server.Url, Body(parts));

        Assert.True(jsonStatus == HttpStatusCode.OK && linesStatus == HttpStatusCode.OK && partsStatus == HttpStatusCode.OK, fromLines.ToJsonString() + fromParts.ToJsonString());
        string Story(JsonNode completion) => (string)completion["choices"]![0]!["message"]!["content"]!;
        Assert.Equal(Story(fromJson), Story(fromLines));
        Assert.Equal(Story(fromJson), Story(fromParts));
    }

    [Fact]
    public async Task AJsonArrayOfSpecsGetsAJsonArrayOfStories()
    {
        await using var server = await Start();

        var (status, json) = await Post(server.Url, Body(Request($"[{Spec.ToJson()}, {StoryChatClientTests.Other.ToJson()}]")));

        Assert.True(status == HttpStatusCode.OK, json.ToJsonString());
        var stories = JsonSerializer.Deserialize<string[]>((string)json["choices"]![0]!["message"]!["content"]!)!;
        Assert.Equal(2, stories.Length);
        Assert.All(stories, s => Assert.False(string.IsNullOrWhiteSpace(s)));
    }

    [Fact]
    public async Task TheOfficialOpenAiClientStreamsTheStoryItGetsWithoutStreaming()
    {
        await using var server = await Start();
        IChatClient client = new OpenAI.OpenAIClient(new ApiKeyCredential("k"), new OpenAI.OpenAIClientOptions { Endpoint = new Uri(server.Url + "/v1") })
            .GetChatClient(ServedModel.ModelId).AsIChatClient();
        // A fixed seed makes the story repeatable: streaming only changes how it is sent.
        var options = new ChatOptions { Seed = 9, MaxOutputTokens = 16, Temperature = 0.8f };
        ChatMessage[] messages = [new(ChatRole.User, Spec.ToJson())];

        var whole = await client.GetResponseAsync(messages, options);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(messages, options)) updates.Add(update);

        Assert.False(string.IsNullOrEmpty(whole.Text));
        Assert.Equal(whole.Text, string.Concat(updates.Select(u => u.Text)));
        Assert.True(updates.Count(u => u.Text.Length > 0) > 1, "the story came in one piece");
        Assert.Equal(whole.FinishReason, updates.Last(u => u.FinishReason is not null).FinishReason);
        var usage = updates.SelectMany(u => u.Contents).OfType<UsageContent>().Single().Details;
        Assert.Equal(whole.Usage!.InputTokenCount, usage.InputTokenCount);
        Assert.Equal(whole.Usage.OutputTokenCount, usage.OutputTokenCount);
    }

    [Fact]
    public async Task AStreamIsServerSentChunksFromTheRoleToDone_WithUsageOnlyWhenAsked()
    {
        await using var server = await Start();

        foreach (bool includeUsage in new[] { true, false })
        {
            var body = Body(Request(Spec.ToJson(), new { stream = true, stream_options = new { include_usage = includeUsage } }));
            using var response = await Http.PostAsync(server.Url + "/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
            string text = await response.Content.ReadAsStringAsync();

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
            string[] events = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
            Assert.All(events, e => Assert.StartsWith("data: ", e));
            Assert.Equal("data: [DONE]", events[^1]);
            var chunks = events[..^1].Select(e => JsonNode.Parse(e["data: ".Length..])!).ToList();
            Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", (string?)c["object"]));
            Assert.Single(chunks.Select(c => (string?)c["id"]).Distinct());
            Assert.Equal("assistant", (string?)chunks[0]["choices"]![0]!["delta"]!["role"]);
            var withChoices = chunks.Where(c => c["choices"]!.AsArray().Count > 0).ToList();
            Assert.Contains((string?)withChoices[^1]["choices"]![0]!["finish_reason"], new[] { "stop", "length" });
            Assert.Equal(includeUsage, chunks[^1]["usage"] is not null);
            if (includeUsage) Assert.Empty(chunks[^1]["choices"]!.AsArray());
        }
    }

    [Fact]
    public async Task SixteenRequestsAtOnceAreEachAnswered200Or429()
    {
        await using var server = await Start(new ServeOptions { MaxConcurrency = 1, QueueLimit = 2 });

        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Post(server.Url, Body(Request(Spec.ToJson(), new { seed = i, max_tokens = 24 })))));

        Assert.Equal(16, answers.Length);
        Assert.All(answers, a => Assert.True(a.Status is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, $"{a.Status}: {a.Json.ToJsonString()}"));
        Assert.Contains(answers, a => a.Status == HttpStatusCode.OK);
        foreach (var rejected in answers.Where(a => a.Status == HttpStatusCode.TooManyRequests)) AssertError(rejected.Json, null, "rate_limit_exceeded");
        foreach (var ok in answers.Where(a => a.Status == HttpStatusCode.OK)) Assert.Equal("chat.completion", (string?)ok.Json["object"]);
    }

    [Fact]
    public async Task PastTheSlotsAndTheQueueEveryRequestIsRefusedWith429()
    {
        // The one slot is held open by the first request until the others have been answered.
        var gate = new TaskCompletionSource();
        var entered = new TaskCompletionSource();
        using var gated = new GatedChatClient(served.Client, entered, gate.Task);
        await using var started = await StoryServer.StartAsync(new ServeOptions { Urls = "http://127.0.0.1:0", ModelId = ServedModel.ModelId,
            MaxConcurrency = 1, QueueLimit = 1 }, gated);
        string url = started.Addresses[0].TrimEnd('/');
        string body = Body(Request(Spec.ToJson()));

        var first = Post(url, body);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var others = Enumerable.Range(0, 5).Select(_ => Post(url, body)).ToArray();
        // One waits in the queue; the other four are refused at once, while the slot is still held.
        var deadline = Task.Delay(TimeSpan.FromSeconds(30));
        while (others.Count(t => t.IsCompleted) < 4 && !deadline.IsCompleted) await Task.Delay(10);
        Assert.Equal(4, others.Count(t => t.IsCompleted));
        gate.SetResult();
        var answers = await Task.WhenAll(others);
        Assert.Equal(HttpStatusCode.OK, (await first).Status);
        Assert.Equal(4, answers.Count(a => a.Status == HttpStatusCode.TooManyRequests));
        Assert.Equal(1, answers.Count(a => a.Status == HttpStatusCode.OK));
        foreach (var rejected in answers.Where(a => a.Status == HttpStatusCode.TooManyRequests)) AssertError(rejected.Json, null, "rate_limit_exceeded");
    }

    /// <summary>The served client, but each call first waits for a gate (and says it has entered): a real server's slot
    /// held for as long as the test needs.</summary>
    private sealed class GatedChatClient(IChatClient inner, TaskCompletionSource entered, Task gate) : DelegatingChatClient(inner)
    {
        public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            entered.TrySetResult();
            await gate.WaitAsync(cancellationToken);
            return await base.GetResponseAsync(messages, options, cancellationToken);
        }

        protected override void Dispose(bool disposing) { } // the fixture owns the inner client
    }

    [Theory]
    [InlineData("{\"messages\": [", null, "not valid JSON (line 1")]
    [InlineData("[1, 2]", null, "must be a JSON object (got an array)")]
    [InlineData("{}", "messages", "'messages' must hold at least one message")]
    [InlineData("{\"messages\": []}", "messages", "'messages' must hold at least one message")]
    [InlineData("{\"messages\": \"hi\"}", "messages", "'messages' has the wrong type")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"temperature\": \"hot\"}", "temperature", "'temperature' has the wrong type")]
    [InlineData("{\"messages\": [{\"role\": 7, \"content\": \"hi\"}]}", "messages[0].role", "'messages[0].role' has the wrong type")]
    [InlineData("{\"messages\": [{\"role\": \"robot\", \"content\": \"hi\"}]}", "messages[0].role", "'messages[0].role' must be system, developer, user or assistant (got 'robot')")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\"}]}]}", "messages[0].content[0].type", "'messages[0].content[0].type' must be 'text'")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"stop\": 3}", "stop", "'stop' must be a string or an array of strings")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"n\": 2}", "n", "'n' must be 1")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": \"Tell me a story.\"}]}", "messages", "Put the spec in the last user message, as JSON {\"title\"")]
    public async Task AMalformedRequestIs400InOpenAisErrorShapeNamingTheField(string body, string? param, string message)
    {
        await using var server = await Start();

        var (status, json) = await Post(server.Url, body);

        Assert.True(status == HttpStatusCode.BadRequest, json.ToJsonString());
        var error = AssertError(json, param);
        Assert.Equal("invalid_request_error", (string?)error["type"]);
        Assert.Contains(message, (string?)error["message"]);
    }

    [Fact]
    public async Task ASamplingValueTheChatClientRefusesIs400NamingTheRequestField()
    {
        await using var server = await Start();

        var (status, json) = await Post(server.Url, Body(Request(Spec.ToJson(), new { top_p = 5 })));

        Assert.True(status == HttpStatusCode.BadRequest, json.ToJsonString());
        AssertError(json, "top_p");
    }

    [Fact]
    public async Task MaxTokensAboveTheLimitIs400NamingTheField()
    {
        await using var server = await Start(new ServeOptions { MaxTokensLimit = 8 });

        foreach (string field in new[] { "max_tokens", "max_completion_tokens" })
        {
            var (status, json) = await Post(server.Url, Body(Request(Spec.ToJson(), new Dictionary<string, int> { [field] = 9 })));

            Assert.True(status == HttpStatusCode.BadRequest, json.ToJsonString());
            Assert.Contains("at most 8", (string?)AssertError(json, field)["message"]);
        }
        Assert.Equal(HttpStatusCode.OK, (await Post(server.Url, Body(Request(Spec.ToJson(), new { max_tokens = 8 })))).Status);
    }

    [Fact]
    public async Task AnOversizeBodyIs413()
    {
        await using var server = await Start(new ServeOptions { MaxRequestBytes = 1024 });

        var (status, json) = await Post(server.Url, Body(Request(Spec.ToJson() + new string(' ', 2000))));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        AssertError(json, null, "request_too_large");
    }

    [Fact]
    public async Task AnUnknownModelIs404_TheServedOneOrNoneIsAccepted()
    {
        await using var server = await Start();

        var (status, json) = await Post(server.Url, Body(Request(Spec.ToJson(), new { model = "gpt-4o" })));
        Assert.Equal(HttpStatusCode.NotFound, status);
        AssertError(json, "model", "model_not_found");

        var none = new { messages = new[] { new { role = "user", content = Spec.ToJson() } }, max_tokens = 4 };
        Assert.Equal(HttpStatusCode.OK, (await Post(server.Url, Body(none))).Status);
        Assert.Equal(HttpStatusCode.OK, (await Post(server.Url, Body(Request(Spec.ToJson())))).Status);
    }

    [Fact]
    public async Task WithAKeyEveryRequestButHealthzNeedsIt_HowEverThePathIsCased()
    {
        await using var server = await Start(new ServeOptions { ApiKey = "s3cret" });
        string body = Body(Request(Spec.ToJson()));

        foreach (string? key in new[] { null, "wrong" })
        {
            var (status, json) = await Post(server.Url, body, key);
            Assert.Equal(HttpStatusCode.Unauthorized, status);
            AssertError(json, null, "invalid_api_key");
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await Http.GetAsync(server.Url + "/v1/models")).StatusCode);
        // Routing ignores case; the key check must too.
        Assert.Equal(HttpStatusCode.Unauthorized, (await Http.GetAsync(server.Url + "/V1/models")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized,
            (await Http.PostAsync(server.Url + "/V1/Chat/Completions", new StringContent(body, Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync(server.Url + "/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync(server.Url + "/HEALTHZ")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Post(server.Url, body, "s3cret")).Status);
    }

    [Fact]
    public async Task ModelsListsTheServedModel_AndHealthzAnswers()
    {
        await using var server = await Start();

        var models = JsonNode.Parse(await Http.GetStringAsync(server.Url + "/v1/models"))!;
        var health = JsonNode.Parse(await Http.GetStringAsync(server.Url + "/healthz"))!;

        Assert.Equal("list", (string?)models["object"]);
        var model = models["data"]!.AsArray().Single()!;
        Assert.Equal(ServedModel.ModelId, (string?)model["id"]);
        Assert.Equal("model", (string?)model["object"]);
        Assert.Equal("horroralign", (string?)model["owned_by"]);
        Assert.True((long)model["created"]! > 0);
        Assert.Equal("ok", (string?)health["status"]);
    }

    [Fact]
    public async Task AGenerationPastTheTimeoutIsStoppedWith504()
    {
        // 1 ms cannot hold 512 tokens: the timeout cancels the generation before anything was sent.
        await using var server = await Start(new ServeOptions { RequestTimeout = TimeSpan.FromMilliseconds(1) });

        var (status, json) = await Post(server.Url, Body(Request(Spec.ToJson(), new { max_tokens = 512 })));

        Assert.Equal(HttpStatusCode.GatewayTimeout, status);
        AssertError(json, null, "timeout");
    }

    [Fact]
    public void ServeWithoutAModelOrWithAnUnsetKeyVariableIsAUsageError()
    {
        var noModel = CliRun.Invoke(["serve"]);
        Assert.True(noModel.ExitCode == ExitCode.Usage, noModel.ToString());
        Assert.Contains("--model", noModel.Error);

        var noKey = CliRun.Invoke(["serve", "--model", served.Run.File("model.zip"), "--api-key-env", "HORRORALIGN_TEST_UNSET_KEY_VARIABLE"]);
        Assert.True(noKey.ExitCode == ExitCode.Usage, noKey.ToString());
        Assert.Contains("HORRORALIGN_TEST_UNSET_KEY_VARIABLE", noKey.Error);
    }

    [Fact]
    public async Task TheCommandPrintsWhereItListensAndStopsOnCtrlC()
    {
        int port = FreePort();
        using var ctrlC = new CancellationTokenSource();
        var run = Task.Run(() => CliRun.Invoke(["serve", "--model", served.Run.File("model.zip"), "--urls", $"http://127.0.0.1:{port}", "--model-id", "m"], ct: ctrlC.Token));

        string health = await WaitForHealth($"http://127.0.0.1:{port}/healthz", run);
        ctrlC.Cancel();
        var result = await run;

        Assert.Contains("\"model\":\"m\"", health);
        Assert.True(result.ExitCode == ExitCode.Interrupted, result.ToString());
        Assert.Contains($"listening on http://127.0.0.1:{port}", result.Out);
        Assert.Contains("model: m", result.Out);
        Assert.Equal("interrupted: serve stopped (Ctrl+C)\n", result.Error);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<string> WaitForHealth(string url, Task<CliRun> run)
    {
        for (var clock = System.Diagnostics.Stopwatch.StartNew(); clock.Elapsed < TimeSpan.FromSeconds(30); await Task.Delay(50))
        {
            if (run.IsCompleted) Assert.Fail("serve ended before it answered: " + run.Result);
            try
            {
                return await Http.GetStringAsync(url);
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
        }
        throw new TimeoutException($"{url} did not answer within 30 s");
    }
}
