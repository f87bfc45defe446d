namespace HorrorAlign.ML.Modeling;

/// <summary>
/// The state dict a <see cref="GptModel"/> of a given <see cref="GptConfig"/> has (names and shapes), computed without
/// building it: loaders compare a file's tensor table with it BEFORE allocating a model, so a small file cannot make
/// them build a huge one. A test keeps it equal to <c>new GptModel(config).state_dict()</c>.
/// </summary>
internal static class GptShapes
{
    /// <summary>Every state-dict entry of a model of <paramref name="config"/>, by name, in no particular order.</summary>
    public static Dictionary<string, long[]> Of(GptConfig config)
    {
        long v = config.VocabSize, d = config.DModel, hidden = (long)config.MlpRatio * config.DModel, dc = config.CopyDim;
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal)
        {
            ["token_embedding.weight"] = [v, d],
            ["pos_embedding.weight"] = [config.ContextLength, d],
            ["final_norm.weight"] = [d],
        };
        for (int i = 0; i < config.NLayers; i++)
        {
            string b = $"blocks.{i}.";
            shapes[b + "attn_norm.weight"] = [d];
            shapes[b + "attn.qkv.weight"] = [3 * d, d];
            shapes[b + "attn.out_proj.weight"] = [d, d];
            shapes[b + "ff_norm.weight"] = [d];
            shapes[b + "ff.net.0.weight"] = [hidden, d];
            shapes[b + "ff.net.0.bias"] = [hidden];
            shapes[b + "ff.net.2.weight"] = [d, hidden];
            shapes[b + "ff.net.2.bias"] = [d];
        }
        if (!config.TieEmbeddings) shapes["output_layer.weight"] = [v, d];
        if (config.CopyHead)
        {
            foreach (var name in new[] { "query", "query_token", "key", "key_token", "key_next" })
                shapes[$"copy_head.{name}.weight"] = [dc, d];
            shapes["copy_head.sentinel.weight"] = [1, d];
            shapes["copy_head.sentinel.bias"] = [1];
            shapes["copy_head.match_weights.weight"] = [2, d];
            shapes["copy_head.match_weights.bias"] = [2];
            shapes["copy_head.lookahead.weight"] = [d, d];
        }
        if (config.UnseenTokenEmbedding)
        {
            shapes["unseen_embedding"] = [d];
            shapes["seen_tokens"] = [v];
        }
        return shapes;
    }

    /// <summary>Elements of the whole state dict (weights and buffers) of a model of <paramref name="config"/>; no
    /// overflow within <see cref="GptLimits"/>.</summary>
    public static long ElementCount(GptConfig config) =>
        Of(config).Values.Sum(shape => shape.Aggregate(1L, (n, dim) => n * dim));
}
