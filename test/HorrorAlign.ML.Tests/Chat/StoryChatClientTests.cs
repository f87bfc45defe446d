using System.Text.Json;
using HorrorAlign.ML.Chat;
using HorrorAlign.ML.Data;
using HorrorAlign.ML.Generation;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Specs;
using HorrorAlign.ML.Tests.Data;
using HorrorAlign.ML.Tests.Modeling;
using HorrorAlign.ML.Tokenization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Tests.Chat;

/// <summary>The streaming API and the <see cref="StoryChatClient"/>: the same stories as the synchronous API for the same
/// seeds, specs in every accepted form, usage, cancellation and DI.</summary>
public sealed class StoryChatClientTests
{
    internal static readonly StorySpec Spec = new("The Ferryman's Ledger", "a flooded chapel on the Øresund coast", "Ðorđe",
        "Siobhán", "a waterlogged ledger", "never sign your name in the ledger after dark", "every name in the ledger belongs to someone still alive");

    internal static readonly StorySpec Other = new("Salt", "a lighthouse kitchen", "Mara", "Tobias", "a tin whistle",
        "never whistle indoors", "the keeper drowned years ago");

    /// <summary>An untrained model whose vocabulary covers both specs: it writes seeded noise, word by word.</summary>
    internal static StoryModel NoiseModel()
    {
        var vocabulary = TokenVocabulary.BuildCompact([Spec.ToPrompt(), Other.ToPrompt(), "The door was cold and the night was long."]);
        // TinyModels seeds torch's global generator under its lock: the same weights however many tests build one at once.
        return new StoryModel(TinyModels.Create(new GptConfig { VocabSize = vocabulary.Size, DModel = 16, NHeads = 2, NLayers = 1, ContextLength = 256 }, seed: 3), vocabulary);
    }

    private static readonly SamplingOptions Sampling = new() { MaxNewTokens = 40, Seed = 11 };

    private static async Task<List<string>> Pieces(IAsyncEnumerable<string> stream)
    {
        var pieces = new List<string>();
        await foreach (string piece in stream) pieces.Add(piece);
        return pieces;
    }

    [Fact]
    public async Task TheStreamSendsGeneratesStoryWordByWord()
    {
        using var model = NoiseModel();
        foreach (var options in new[] { Sampling, Sampling with { Seed = 12 }, Sampling with { StopStrings = ["e t"] }, Sampling with { Temperature = 0 } })
        {
            var pieces = await Pieces(TextGenerator.GenerateStreamingAsync(model, Spec.ToPrompt(), options));
            Assert.Equal(TextGenerator.Generate(model, Spec.ToPrompt(), options), string.Concat(pieces));
            Assert.True(pieces.Count > 1 || options.StopStrings.Count > 0, $"one piece only for seed {options.Seed}");
            Assert.All(pieces.SkipLast(1), p => Assert.NotEqual("", p));
        }
    }

    [Fact]
    public async Task CancellingTheStreamStopsDecodingAndSaysSo()
    {
        using var model = NoiseModel();
        using var cancel = new CancellationTokenSource();
        var options = Sampling with { MaxNewTokens = 200, EnforceFields = false };
        var pieces = new List<string>();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (string piece in TextGenerator.GenerateStreamingAsync(model, Spec.ToPrompt(), options, cancel.Token))
            {
                pieces.Add(piece);
                cancel.Cancel();
            }
        });
        Assert.Single(pieces);
        // Bad arguments fail at the call, not at the first await.
        Assert.Throws<ArgumentException>(() => TextGenerator.GenerateStreamingAsync(model, "", options));
    }

    [Fact]
    public async Task ASpecAsJsonOrAsLinesGetsTheStoryOfItsPrompt()
    {
        using var client = new StoryChatClient(NoiseModel());
        var chat = new ChatOptions { Seed = 11, MaxOutputTokens = 40 };
        string expected = TextGenerator.Generate((StoryModel)client.GetService(typeof(StoryModel))!, Spec.ToPrompt(), Sampling);
        string lines = "Title: The Ferryman's Ledger\nSetting: a flooded chapel on the Øresund coast\nProtagonist: Ðorđe\n" +
            "Supporting character: Siobhán\nImportant object: a waterlogged ledger\nTaboo rule: never sign your name in the ledger after dark\n" +
            "Twist: every name in the ledger belongs to someone still alive";
        foreach (string message in new[] { Spec.ToJson(), "```json\n" + Spec.ToJson() + "\n```", lines, Spec.ToPrompt() })
        {
            var response = await client.GetResponseAsync([new(ChatRole.System, "Be scary."), new(ChatRole.User, message)], chat);
            Assert.Equal(expected, response.Text);
            Assert.Equal("horroralign", response.ModelId);
            Assert.Equal(StoryCodec.For(client.GetService<StoryModel>()!.Vocabulary, Spec.ToPrompt()).EncodePrompt().Length, response.Usage!.InputTokenCount);
            Assert.InRange(response.Usage.OutputTokenCount!.Value, 1, 40);
            Assert.Equal(response.Usage.InputTokenCount + response.Usage.OutputTokenCount, response.Usage.TotalTokenCount);
        }
    }

    [Fact]
    public async Task StreamingUpdatesMakeTheSameStoryAndEndWithUsage()
    {
        using var client = new StoryChatClient(NoiseModel());
        var chat = new ChatOptions { Seed = 5, MaxOutputTokens = 30, StopSequences = ["zz"] };
        var response = await client.GetResponseAsync([new(ChatRole.User, Spec.ToJson())], chat);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync([new(ChatRole.User, Spec.ToJson())], chat)) updates.Add(update);

        Assert.Equal(response.Text, string.Concat(updates.Select(u => u.Text)));
        Assert.True(updates.Count > 2);
        Assert.Single(updates.Select(u => u.ResponseId).Distinct());
        var usage = Assert.IsType<UsageContent>(Assert.Single(updates[^1].Contents));
        Assert.Equal(response.Usage!.OutputTokenCount, usage.Details.OutputTokenCount);
        Assert.Equal(response.FinishReason, updates[^1].FinishReason);
        Assert.Equal(updates.ToChatResponse().Text, response.Text);
    }

    [Fact]
    public async Task CancellingAChatStreamStopsItWithinATokenAndSaysSo()
    {
        using var client = new StoryChatClient(NoiseModel());
        using var cancel = new CancellationTokenSource();
        int updates = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync([new(ChatRole.User, Spec.ToJson())],
                new ChatOptions { Seed = 5, MaxOutputTokens = 200 }, cancel.Token))
            {
                updates++;
                cancel.Cancel();
            }
        });
        Assert.Equal(1, updates);
        cancel.TryReset();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            client.GetResponseAsync([new(ChatRole.User, Spec.ToJson())], cancellationToken: new CancellationToken(canceled: true)));
    }

    [Fact]
    public async Task ConcurrentRequestsDecodedTogetherGetTheStoriesEachGetsAlone()
    {
        using var model = NoiseModel();
        using var batched = new StoryChatClient(model, new StoryChatClientOptions { OwnsModel = false, DecodingThreads = 2 });
        using var alone = new StoryChatClient(model, new StoryChatClientOptions { OwnsModel = false });
        var specs = Enumerable.Range(0, 10).Select(i => i % 2 == 0 ? Spec : Other).ToArray();
        ChatOptions Options(int i) => new() { Seed = 100 + i, MaxOutputTokens = 10 + 5 * i };

        var together = await Task.WhenAll(specs.Select((spec, i) => Task.Run(() => batched.GetResponseAsync([new(ChatRole.User, spec.ToJson())], Options(i)))));
        for (int i = 0; i < specs.Length; i++)
        {
            var one = await alone.GetResponseAsync([new(ChatRole.User, specs[i].ToJson())], Options(i));
            Assert.Equal(one.Text, together[i].Text);
            Assert.Equal(one.Usage!.OutputTokenCount, together[i].Usage!.OutputTokenCount);
        }
        // Streaming goes through the batches too.
        var streamed = new System.Text.StringBuilder();
        await foreach (var update in batched.GetStreamingResponseAsync([new(ChatRole.User, Spec.ToJson())], Options(0))) streamed.Append(update.Text);
        Assert.Equal(together[0].Text, streamed.ToString());
    }

    [Fact]
    public async Task AStreamEnumeratedTwiceTellsTheSameStoryTwice()
    {
        using var model = NoiseModel();
        var stream = TextGenerator.GenerateStreamingAsync(model, Spec.ToPrompt(), Sampling with { StopStrings = ["e t"] });
        Assert.Equal(string.Concat(await Pieces(stream)), string.Concat(await Pieces(stream)));
    }

    [Fact]
    public async Task DisposeWaitsForTheCallsInFlightThenRefusesNewOnes()
    {
        var client = new StoryChatClient(NoiseModel(), new StoryChatClientOptions { DecodingThreads = 1 });
        using var cancel = new CancellationTokenSource();
        var stream = client.GetStreamingResponseAsync([new(ChatRole.User, Spec.ToJson())], new ChatOptions { Seed = 1, MaxOutputTokens = 200 }, cancel.Token)
            .GetAsyncEnumerator();
        Assert.True(await stream.MoveNextAsync()); // a call in flight
        var disposing = Task.Run(client.Dispose);
        await Task.Delay(200);
        Assert.False(disposing.IsCompleted); // the model must outlive the call
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => { while (await stream.MoveNextAsync()) { } });
        await stream.DisposeAsync();
        await disposing.WaitAsync(TimeSpan.FromSeconds(30));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.GetResponseAsync([new(ChatRole.User, Spec.ToJson())]));
    }

    [Fact]
    public async Task AnArrayWhoseStoriesHitTheTokenLimitSaysLength()
    {
        using var client = new StoryChatClient(NoiseModel());
        string specs = "[" + Spec.ToJson() + "," + Other.ToJson() + "]";
        var response = await client.GetResponseAsync([new(ChatRole.User, specs)], new ChatOptions { Seed = 11, MaxOutputTokens = 2, StopSequences = null });
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
        Assert.Equal(4, response.Usage!.OutputTokenCount);
    }

    [Fact]
    public async Task AnArrayOfSpecsIsAnsweredWithAnArrayOfStoriesFromOneBatch()
    {
        using var client = new StoryChatClient(NoiseModel());
        string specs = "[" + Spec.ToJson() + "," + Other.ToJson() + "]";
        var response = await client.GetResponseAsync([new(ChatRole.User, specs)], new ChatOptions { Seed = 11, MaxOutputTokens = 40 });
        var stories = JsonSerializer.Deserialize<string[]>(response.Text)!;
        var model = client.GetService<StoryModel>()!;
        Assert.Equal(TextGenerator.GenerateBatch(model, [Spec.ToPrompt(), Other.ToPrompt()], Sampling), stories);
        Assert.Equal(stories[0], TextGenerator.Generate(model, Spec.ToPrompt(), Sampling)); // story i uses seed + i, as a batch does
    }

    [Theory]
    [InlineData("write me something spooky", "is not a spec line")]
    [InlineData("{\"title\":\"T\"}", "field 'setting' is missing")]
    [InlineData("Title: T\nSetting: a barn", "field 'protagonist' is missing")]
    [InlineData("[{\"title\":\"T\"}]", "spec [0]: field 'setting' is missing")]
    [InlineData("[]", "empty")]
    [InlineData("", "empty")]
    public async Task AnythingButASpecIsRejectedWithTheExpectedForm(string message, string reason)
    {
        using var client = new StoryChatClient(NoiseModel());
        var e = await Assert.ThrowsAnyAsync<ArgumentException>(() => client.GetResponseAsync([new(ChatRole.User, message)]));
        Assert.Contains(reason, e.Message);
        Assert.Contains("'Title: …'", e.Message);
    }

    [Fact]
    public async Task OptionsOutOfRangeNameTheOption()
    {
        using var client = new StoryChatClient(NoiseModel());
        var e = await Assert.ThrowsAnyAsync<ArgumentException>(() => client.GetResponseAsync([new(ChatRole.User, Spec.ToJson())], new ChatOptions { TopP = 2 }));
        Assert.Contains("ChatOptions.TopP", e.Message);
        Assert.Equal("TopP", e.ParamName);
        e = await Assert.ThrowsAnyAsync<ArgumentException>(() => client.GetResponseAsync([new(ChatRole.User, Spec.ToJson())], new ChatOptions { Seed = 1L << 40 }));
        Assert.Contains("Seed", e.Message);
        await Assert.ThrowsAnyAsync<ArgumentException>(() => client.GetResponseAsync([new(ChatRole.Assistant, Spec.ToJson())]));
    }

    [Fact]
    public async Task OneDiLineAddsTheModelAndStreamsAStory()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "model.bin");
        using (var model = NoiseModel()) model.Save(path);

        var services = new ServiceCollection();
        services.AddStoryChatClient(path, new StoryChatClientOptions { ModelId = "ledger" });
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IChatClient>();
        var text = new System.Text.StringBuilder();
        await foreach (var update in client.GetStreamingResponseAsync([new(ChatRole.User, Spec.ToJson())], new ChatOptions { Seed = 11, MaxOutputTokens = 40 }))
            text.Append(update.Text);
        using var reference = NoiseModel();
        Assert.Equal(TextGenerator.Generate(reference, Spec.ToPrompt(), Sampling), text.ToString());
        Assert.Equal("ledger", client.GetService<ChatClientMetadata>()!.DefaultModelId);
    }
}
