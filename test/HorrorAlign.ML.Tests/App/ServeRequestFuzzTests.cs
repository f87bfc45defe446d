using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HorrorAlign.ML.Chat;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Samples.Serving;
using HorrorAlign.ML.Tests.Chat;
using HorrorAlign.ML.Tests.Data;
using HorrorAlign.ML.Tests.Training;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;

namespace HorrorAlign.ML.Tests.App;

/// <summary>
/// Issue 16: seeded mutation fuzzing of <c>serve</c>'s request bodies through its chat endpoint (reader, mapping, the
/// chat client's spec and sampling checks). Every body is answered: a valid one by the client, any other with 400 (404
/// for another model, 413 past the size limit) in OpenAI's error shape; no exception leaves the endpoint (which the server would answer with a bare 500), and no case
/// takes more than a bounded amount of memory.
/// </summary>
[Collection(SerialTorchCollection.Name)]
public sealed class ServeRequestFuzzTests : IDisposable
{
    private const int Cases = 3000;
    private const string ModelId = "horroralign";

    private readonly StoryChatClient _client;
    private readonly ChatCompletionsEndpoint _endpoint;

    public ServeRequestFuzzTests()
    {
        TorchSharp.torch.manual_seed(16);
        var model = new StoryModel(new GptModel(TrainingFixtures.TinyConfig() with { ContextLength = 1024 }), TrainingFixtures.Vocabulary);
        _client = new StoryChatClient(model, new StoryChatClientOptions { ModelId = ModelId });
        _endpoint = new ChatCompletionsEndpoint(new CheckingClient(_client), new ServeOptions { ModelId = ModelId });
    }

    public void Dispose() => _client.Dispose();

    private static readonly byte[][] Seeds =
    [
        Body(new JsonObject { ["model"] = ModelId, ["max_tokens"] = 12, ["seed"] = 5, ["messages"] = Messages(StoryChatClientTests.Spec.ToJson()) }),
        Body(new JsonObject
        {
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "system", ["content"] = "You write horror." },
                new JsonObject { ["role"] = "user", ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = StoryChatClientTests.Spec.ToJson() }) }),
            ["temperature"] = 0.7, ["top_p"] = 0.9, ["top_k"] = 40, ["stop"] = new JsonArray("THE END", "\n\n\n"), ["n"] = 1,
            ["max_completion_tokens"] = 20, ["stream"] = true, ["stream_options"] = new JsonObject { ["include_usage"] = true },
        }),
        Body(new JsonObject { ["messages"] = Messages(StoryChatClientTests.Spec.ToPrompt()), ["stop"] = "THE END", ["stream"] = false }),
        Body(new JsonObject { ["model"] = ModelId, ["messages"] = Messages($"[{StoryChatClientTests.Spec.ToJson()}, {(StoryChatClientTests.Spec with { Title = "Two" }).ToJson()}]") }),
    ];

    [Fact]
    public async Task MutatedRequestBodies_AreAnsweredOrRefusedInOpenAisErrorShape()
    {
        var random = new Random(20261220);
        var clock = Stopwatch.StartNew();
        int answered = 0, refused = 0;
        for (int n = 0; n < Cases; n++)
        {
            byte[] body = JsonMutations.Either(Seeds[random.Next(Seeds.Length)], random);
            long allocated = GC.GetTotalAllocatedBytes();
            var (status, response) = await Post(body, $"case {n}");
            Assert.InRange(GC.GetTotalAllocatedBytes() - allocated, 0, 64L << 20);
            if (status == StatusCodes.Status200OK) answered++;
            else
            {
                Assert.True(status is StatusCodes.Status400BadRequest or StatusCodes.Status404NotFound or StatusCodes.Status413PayloadTooLarge,
                    $"case {n}: {status} for {Encoding.UTF8.GetString(body)}");
                AssertErrorShape(response, $"case {n}");
                refused++;
            }
        }
        Assert.InRange(clock.Elapsed.TotalSeconds, 0, 30);
        Assert.True(answered >= 200 && refused >= Cases / 2, $"{answered} answered, {refused} refused: the mutations should reach both outcomes");
    }

    [Theory] // each found by the fuzzer, where an exception used to leave the endpoint (a bare 500 from the server)
    [InlineData("""{"messages":[{"role":"user","content":"Title: \u00ff"}]}""", "bad-utf8", null, "not valid UTF-8")]
    [InlineData("""{"messages":[{"role":"user","content":"\ud800"}]}""", null, "messages[0].content", "unpaired surrogate")]
    [InlineData("""{"messages":[{"role":"user","content":[{"type":"text","text":"\udc00"}]}]}""", null, "messages[0].content[0].text", "unpaired surrogate")]
    [InlineData("""{"messages":[{"role":"user","content":[{"type":"\ud800","text":"x"}]}]}""", null, "messages[0].content[0].type", "unpaired surrogate")]
    [InlineData("""{"messages":[{"role":"user","content":"x"}],"stop":["ok","\ud800"]}""", null, "stop[1]", "unpaired surrogate")]
    [InlineData("""{"messages":[{"role":"system","content":"x"},null]}""", null, "messages[1]", "not null")]
    public async Task ABodyThatUsedToEscapeTheEndpoint_IsA400NamingTheField(string json, string? edit, string? param, string expected)
    {
        byte[] body = Encoding.UTF8.GetBytes(json);
        if (edit == "bad-utf8") body = [.. body.AsSpan()[..body.AsSpan().IndexOf("\\u00ff"u8)], 0xFF, .. body.AsSpan()[(body.AsSpan().IndexOf("\\u00ff"u8) + 6)..]];
        var (status, response) = await Post(body, json);
        Assert.Equal(StatusCodes.Status400BadRequest, status);
        AssertErrorShape(response, json);
        using var doc = JsonDocument.Parse(response);
        var error = doc.RootElement.GetProperty("error");
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Contains(expected, error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task ABodyPastTheLimit_Is413_WhereverItComesFrom()
    {
        // Kestrel stops a longer body in the server; the reader keeps the same limit for a body from anywhere else.
        byte[] body = Encoding.UTF8.GetBytes($$"""{"messages":[{"role":"user","content":"{{new string('a', 70_000)}}"}]}""");
        var (status, response) = await Post(body, "70 kB");
        Assert.Equal(StatusCodes.Status413PayloadTooLarge, status);
        AssertErrorShape(response, "70 kB");
    }

    /// <summary>The endpoint's answer to <paramref name="body"/>: the status and the response body. An exception out of
    /// the endpoint fails the test.</summary>
    private async Task<(int Status, string Body)> Post(byte[] body, string label)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.ContentType = "application/json";
        context.Request.Body = new MemoryStream(body);
        context.Request.ContentLength = body.Length;
        var response = new MemoryStream();
        context.Response.Body = response;
        try
        {
            await _endpoint.HandleAsync(context);
        }
        catch (Exception e)
        {
            Assert.Fail($"{label}: {e.GetType().Name} escaped the endpoint: {e.Message}\n{Encoding.UTF8.GetString(body)}\n{e.StackTrace}");
        }
        return (context.Response.StatusCode, Encoding.UTF8.GetString(response.ToArray()));
    }

    /// <summary><c>{"error":{"message":…,"type":…,"param":…,"code":…}}</c> with a message and a type.</summary>
    private static void AssertErrorShape(string body, string label)
    {
        using var doc = JsonDocument.Parse(body);
        var error = doc.RootElement.GetProperty("error");
        Assert.True(error.GetProperty("message").GetString() is { Length: > 0 }, label);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.True(error.TryGetProperty("param", out _) && error.TryGetProperty("code", out _), $"{label}: {body}");
    }

    private static JsonArray Messages(string user) => new(new JsonObject { ["role"] = "user", ["content"] = user });

    private static byte[] Body(JsonObject request) => Encoding.UTF8.GetBytes(request.ToJsonString());

    /// <summary>
    /// The served chat client up to where it would start decoding: every check of the request runs (the spec, the
    /// sampling values), then the generation is cancelled at once and a fixed answer given, so a case costs no decoding.
    /// </summary>
    private sealed class CheckingClient(IChatClient inner) : IChatClient
    {
        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            CancellationToken cancellationToken = default)
        {
            try
            {
                await inner.GetResponseAsync(messages, options, new CancellationToken(canceled: true));
            }
            catch (OperationCanceledException)
            {
            }
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "checked"));
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var response = await GetResponseAsync(messages, options, cancellationToken);
            yield return new ChatResponseUpdate(ChatRole.Assistant, response.Text);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => inner.GetService(serviceType, serviceKey);

        public void Dispose()
        {
        }
    }
}
