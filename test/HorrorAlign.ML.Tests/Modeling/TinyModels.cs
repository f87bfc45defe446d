using HorrorAlign.ML.Modeling;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Tests.Modeling;

/// <summary>Small, seeded models for fast tests.</summary>
internal static class TinyModels
{
    public static GptConfig Config(int vocab = 23, int dModel = 16, int heads = 2, int layers = 2, int context = 32,
        bool tie = false, bool fused = false, double dropout = 0.0, bool copy = false)
        => new() { VocabSize = vocab, DModel = dModel, NHeads = heads, NLayers = layers, ContextLength = context,
                   TieEmbeddings = tie, FusedAttention = fused, Dropout = dropout, CopyHead = copy };

    // torch's default generator is process-wide: seeding and initialising under one lock keeps this class's models
    // identical from run to run even while other tests in this assembly create models in parallel.
    private static readonly Lock InitLock = new();

    /// <summary>A model initialised from <paramref name="seed"/>, in eval mode.</summary>
    public static GptModel Create(GptConfig config, int seed = 1)
    {
        lock (InitLock)
        {
            manual_seed(seed);
            var model = new GptModel(config);
            // The copy head's lookahead starts at zero (a no-op); tests want it to matter.
            if (model.state_dict().TryGetValue("copy_head.lookahead.weight", out var lookahead))
                using (no_grad()) lookahead.normal_(0, 0.2);
            model.eval();
            return model;
        }
    }

    /// <summary>Copies every weight of <paramref name="from"/> into <paramref name="to"/> (same parameter names).</summary>
    public static void CopyWeights(GptModel from, GptModel to)
    {
        using var _ = no_grad();
        var source = from.state_dict();
        foreach (var (name, target) in to.state_dict()) target.copy_(source[name]);
    }

    public static Tensor Ids(params long[][] rows)
        => tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length]);
}
