using HorrorAlign.ML.Modeling;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Tests.Modeling;

public class GptModelTests
{
    private static readonly string[] BlockKeys =
    [
        "attn_norm.weight", "ff_norm.weight", "attn.qkv.weight", "attn.out_proj.weight",
        "ff.net.0.weight", "ff.net.0.bias", "ff.net.2.weight", "ff.net.2.bias",
    ];

    [Fact]
    public void ForwardMatchesGoldenPyTorchLogits()
    {
        using var scope = NewDisposeScope();
        var golden = GoldenJson.Load("decoder_forward.json");
        var c = golden.GetProperty("config");
        int dModel = c.GetProperty("d_model").GetInt32();
        var config = new GptConfig
        {
            VocabSize = c.GetProperty("vocab_size").GetInt32(),
            DModel = dModel,
            NHeads = c.GetProperty("n_heads").GetInt32(),
            NLayers = c.GetProperty("n_blocks").GetInt32(),
            MlpRatio = c.GetProperty("mlp_hidden").GetInt32() / dModel,
            ContextLength = c.GetProperty("max_seq_len").GetInt32(),
        };
        var model = TinyModels.Create(config);

        // Load by state-dict name: every golden parameter must exist with the same shape, and nothing else may.
        var state = model.state_dict();
        var names = golden.GetProperty("parameters").EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Equal(names.OrderBy(n => n, StringComparer.Ordinal), state.Keys.OrderBy(n => n, StringComparer.Ordinal));
        using (no_grad())
        {
            foreach (var p in golden.GetProperty("parameters").EnumerateObject())
            {
                var value = GoldenJson.ToTensor(p.Value);
                Assert.Equal(value.shape, state[p.Name].shape);
                state[p.Name].copy_(value);
            }
        }

        var ids = GoldenJson.ToTensor(golden.GetProperty("tokens"), ScalarType.Int64);
        var expected = GoldenJson.ToTensor(golden.GetProperty("expected_logits"));
        var logits = model.forward(ids);
        Assert.Equal(expected.shape, logits.shape);
        double maxError = (logits - expected).abs().max().item<float>();
        Assert.True(maxError < 1e-5, $"max |logit - golden| = {maxError}");

        // The fused-attention option is the same function.
        var fused = TinyModels.Create(config with { FusedAttention = true });
        TinyModels.CopyWeights(model, fused);
        Assert.True((fused.forward(ids) - expected).abs().max().item<float>() < 1e-5);
    }

    [Fact]
    public void StateDictNamesMatchTheOriginal()
    {
        using var scope = NewDisposeScope();
        var model = TinyModels.Create(TinyModels.Config(layers: 3));
        var expected = new List<string> { "token_embedding.weight", "pos_embedding.weight", "final_norm.weight", "output_layer.weight" };
        for (int i = 0; i < 3; i++) expected.AddRange(BlockKeys.Select(k => $"blocks.{i}.{k}"));
        Assert.Equal(expected.OrderBy(n => n, StringComparer.Ordinal), model.state_dict().Keys.OrderBy(n => n, StringComparer.Ordinal));
    }

    [Fact]
    public void DefaultConfigHasTheOriginalParameterCount()
    {
        using var scope = NewDisposeScope();
        using var model = new GptModel(new GptConfig());
        // The poster's 29.0M: two 50257×256 matrices, a 512×256 position table, 4 blocks of 788,224, the final norm.
        Assert.Equal(2L * 50257 * 256 + 512 * 256 + 4 * 788_224 + 256, model.ParameterCount());
    }

    [Fact]
    public void TiedEmbeddingsShareTheTokenTableWithTheHead()
    {
        using var scope = NewDisposeScope();
        var config = TinyModels.Config(tie: true);
        var tied = TinyModels.Create(config);
        var untied = TinyModels.Create(config with { TieEmbeddings = false });
        Assert.DoesNotContain("output_layer.weight", tied.state_dict().Keys);
        Assert.Equal(untied.ParameterCount() - config.VocabSize * config.DModel, tied.ParameterCount());

        var hidden = randn(3, config.DModel);
        var embedding = tied.state_dict()["token_embedding.weight"];
        Assert.True(tied.Head(hidden).allclose(hidden.matmul(embedding.t()), 1e-5, 1e-6));

        // One tensor, one gradient: the head's gradient lands on the embedding.
        tied.train();
        var ids = TinyModels.Ids([1, 2, 3, 4]);
        tied.forward(ids).select(1, -1)[0, 7].backward();
        var grad = tied.state_dict()["token_embedding.weight"].grad!;
        Assert.True(grad[7].abs().sum().item<float>() > 0);
    }

    [Fact]
    public void FusedAttentionMatchesExplicitAttention()
    {
        using var scope = NewDisposeScope();
        var config = TinyModels.Config();
        var plain = TinyModels.Create(config, seed: 5);
        var fused = TinyModels.Create(config with { FusedAttention = true });
        TinyModels.CopyWeights(plain, fused);
        var ids = randint(0, config.VocabSize, [2, 11], dtype: ScalarType.Int64);
        Assert.True(plain.forward(ids).allclose(fused.forward(ids), 1e-5, 1e-5));
    }

    [Fact]
    public void RightPaddingDoesNotLeakIntoRealTokens()
    {
        using var scope = NewDisposeScope();
        var model = TinyModels.Create(TinyModels.Config(), seed: 3);
        long[] real = [5, 9, 1, 14, 2];
        var alone = model.forward(TinyModels.Ids(real));                         // [1,5,V]
        var padded = model.forward(TinyModels.Ids([.. real, 0, 0, 0], [7, 7, 3, 8, 4, 4, 6, 2])); // row 0 padded with id 0
        Assert.True(padded[0, ..5].allclose(alone[0], 1e-5, 1e-6));
        // And the padded positions do see the row (the test would pass trivially if the model ignored context).
        Assert.False(padded[0, 5].allclose(padded[1, 5], 1e-3, 1e-3));
    }

    [Fact]
    public void CachedForwardEqualsFullForward()
    {
        using var scope = NewDisposeScope();
        foreach (bool fused in new[] { false, true })
        {
            var model = TinyModels.Create(TinyModels.Config(fused: fused), seed: 4);
            var ids = randint(0, 23, [2, 9], dtype: ScalarType.Int64);
            var full = model.ForwardHidden(ids);
            using var _ = no_grad();
            using var cache = model.CreateCache(2);
            // Prompt chunk, then a multi-token chunk after a past (needs the offset causal mask), then single tokens.
            var parts = new List<Tensor> { model.ForwardHidden(ids[.., ..4], cache), model.ForwardHidden(ids[.., 4..7], cache) };
            Assert.Equal(7, cache.Length);
            parts.Add(model.ForwardHidden(ids[.., 7..8], cache));
            parts.Add(model.ForwardHidden(ids[.., 8..9], cache));
            Assert.True(full.allclose(cat(parts, 1), 1e-5, 1e-5), $"fused={fused}");
        }
    }

    [Fact]
    public void ContextOverflowAndMisuseGiveClearErrors()
    {
        using var scope = NewDisposeScope();
        var model = TinyModels.Create(TinyModels.Config(context: 8));
        var tooLong = zeros([1, 9], ScalarType.Int64);
        var e = Assert.Throws<ArgumentException>(() => model.forward(tooLong));
        Assert.Contains("context length 8", e.Message);

        using var cache = model.CreateCache(1);
        Assert.Throws<InvalidOperationException>(() => model.ForwardHidden(zeros([1, 2], ScalarType.Int64), cache)); // grad on
        using var _ = no_grad();
        model.ForwardHidden(zeros([1, 6], ScalarType.Int64), cache);
        Assert.Throws<ArgumentException>(() => model.ForwardHidden(zeros([1, 3], ScalarType.Int64), cache));
        Assert.Throws<ArgumentException>(() => model.ForwardHidden(zeros([2, 1], ScalarType.Int64), cache));
    }

    [Theory]
    [InlineData(0, 16, 2, 1, 8, "VocabSize")]
    [InlineData(10, 16, 3, 1, 8, "NHeads")]
    [InlineData(10, 16, 2, 0, 8, "NLayers")]
    [InlineData(10, 16, 2, 1, 0, "ContextLength")]
    public void InvalidConfigNamesTheField(int vocab, int dModel, int heads, int layers, int context, string field)
    {
        var config = new GptConfig { VocabSize = vocab, DModel = dModel, NHeads = heads, NLayers = layers, ContextLength = context };
        var e = Assert.Throws<ArgumentException>(() => new GptModel(config));
        Assert.Contains(field, e.Message);
        Assert.Throws<ArgumentException>(() => new GptModel(new GptConfig { Dropout = 1.0 }));
    }
}
