using HorrorAlign.ML.MLNet;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Tokenization;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Tests.MLNet;

[Collection(MLNetCollection.Name)]
public sealed class ModelPayloadTests
{
    static StoryModel TinyModel(int seed)
    {
        manual_seed(seed);
        var vocabulary = TokenVocabulary.BuildCompact(["The lantern flickered twice."]);
        return new StoryModel(new GptModel(new GptConfig { VocabSize = vocabulary.Size, DModel = 16, NHeads = 2, NLayers = 1, ContextLength = 32 }), vocabulary);
    }

    [Fact]
    public void RoundTripsAndNamesTheModelByItsHash()
    {
        using var model = TinyModel(1);
        var (payload, hash, bytes) = ModelPayload.Encode(model, WeightPrecision.Float32);
        Assert.StartsWith("HORRORALIGN-MODEL-v1;" + hash + ";", payload);
        Assert.Equal(hash, ModelPayload.ReadHash(payload));
        Assert.Equal(hash, ModelPayload.ReadHash(ModelPayload.Header(hash)));
        using var decoded = ModelPayload.Decode(payload);
        Assert.Equal(model.ToBytes(), decoded.ToBytes());
        Assert.Equal(bytes, model.ToBytes().Length);
        Assert.True(ModelPayload.Encode(model, WeightPrecision.Float16).Bytes < 0.6 * bytes);
    }

    [Theory]
    [InlineData("truncate", "truncated or corrupt")]
    [InlineData("flip", "is corrupt: its weights hash to")]
    [InlineData("header-only", "weights are missing")]
    [InlineData("newer", "payload format 'HORRORALIGN-MODEL-v9'")]
    [InlineData("foreign", "not a HorrorAlign model reference")]
    [InlineData("short-hash", "truncated (its SHA-256 is incomplete)")]
    public void BadPayloadsFailWithTheirReason(string damage, string expected)
    {
        using var model = TinyModel(2);
        var (payload, hash, _) = ModelPayload.Encode(model, WeightPrecision.Float16);
        string bad = damage switch
        {
            "truncate" => payload[..(payload.Length - 7)],
            "flip" => payload[..^10] + (payload[^10] == 'Q' ? 'R' : 'Q') + payload[^9..],
            "header-only" => ModelPayload.Header(hash),
            "newer" => payload.Replace("-v1;", "-v9;"),
            "foreign" => "PK\u0003\u0004 not a payload",
            "short-hash" => "HORRORALIGN-MODEL-v1;abc",
            _ => throw new ArgumentException(damage),
        };
        var e = Assert.Throws<InvalidDataException>(() => ModelPayload.Decode(bad));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void CacheDecodesOnceAndEvictionWaitsForUsers()
    {
        using var model = TinyModel(3);
        var payload = ModelPayload.Encode(model, WeightPrecision.Float32).Payload.AsMemory();
        var lease = StoryModelCache.Acquire(payload);
        using (var second = StoryModelCache.Acquire(payload)) Assert.Same(lease.Model, second.Model);
        Assert.True(StoryModelCache.Contains(lease.Hash));

        Assert.True(StoryModelCache.Evict(lease.Hash));
        Assert.False(StoryModelCache.Contains(lease.Hash));
        Assert.False(StoryModelCache.Evict(lease.Hash));
        // Still leased: the weights are alive until the lease ends.
        Assert.Equal(model.ToBytes(), lease.Model.ToBytes());
        lease.Dispose();

        using var again = StoryModelCache.Acquire(payload); // decoded afresh
        Assert.Equal(model.ToBytes(), again.Model.ToBytes());
        StoryModelCache.Evict(again.Hash);
    }

    [Fact]
    public void OwnedModelsLeaveWithTheirLastOwner()
    {
        using var model = TinyModel(4);
        var payload = ModelPayload.Encode(model, WeightPrecision.Float32).Payload.AsMemory();
        var first = StoryModelCache.AcquireOwned(payload);
        var second = StoryModelCache.AcquireOwned(payload);
        first.Dispose();
        Assert.True(StoryModelCache.Contains(second.Hash));
        second.Dispose();
        Assert.False(StoryModelCache.Contains(second.Hash));
    }

    [Fact]
    public void MissingCachedModelIsExplained()
    {
        var e = Assert.Throws<InvalidOperationException>(() => StoryModelCache.AcquireCached(new string('0', 64)));
        Assert.Contains("is not loaded in this process", e.Message);
        Assert.False(StoryModelCache.Contains(new string('0', 64)));
    }

    [Fact]
    public void SamplingSettingsRoundTrip()
    {
        var options = new HorrorAlign.ML.Generation.SamplingOptions
        {
            MaxNewTokens = 17, Temperature = 0.7, TopK = 5, TopP = 0.9, RepetitionPenalty = 1.3, Seed = -4,
            StopStrings = ["THE END", "a;b=c,d"], UseKvCache = false,
        };
        var parsed = GenerationSettings.Parse(GenerationSettings.Format(options));
        Assert.Equal(options with { StopStrings = [] }, parsed with { StopStrings = [] });
        Assert.Equal(options.StopStrings, parsed.StopStrings);
        var viaOptions = StoryGenerator.Options.FromSampling(options).ToSampling(contextSeed: 0);
        Assert.Equal(options with { StopStrings = [] }, viaOptions with { StopStrings = [] });
        Assert.Equal(options.StopStrings, viaOptions.StopStrings);
    }
}
