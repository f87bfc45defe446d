using HorrorAlign.ML.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Persistence;

/// <summary>State-dict plumbing shared by loading, cloning and best-checkpoint keeping: weights move between models
/// only by state-dict NAME, and every name and shape is checked.</summary>
internal static class ModelWeights
{
    /// <summary>
    /// A fresh model of <paramref name="config"/> whose random initialisation does not advance the global torch RNG:
    /// its weights are about to be overwritten, and loading or cloning a model must not change a seeded run.
    /// </summary>
    public static GptModel CreateForLoading(GptConfig config)
    {
        using var rng = get_rng_state();
        try
        {
            return new GptModel(config);
        }
        finally
        {
            set_rng_state(rng);
        }
    }

    /// <summary>Detached copies of every state-dict tensor, outside any dispose scope (the caller owns them).</summary>
    public static Dictionary<string, Tensor> Snapshot(GptModel model)
    {
        var copy = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        using var scope = NewDisposeScope(); // the detach() views are temporaries; only the clones leave
        using (no_grad())
        {
            foreach (var (name, tensor) in model.state_dict())
                copy.Add(name, tensor.detach().clone().DetachFromDisposeScope());
        }
        return copy;
    }

    /// <summary>
    /// Copies <paramref name="source"/> into <paramref name="model"/> by state-dict name (converting dtype when needed).
    /// Every tensor of the model must be present with the same shape, and the source may hold no extra names;
    /// otherwise <see cref="InvalidDataException"/> names the offending tensor and <paramref name="what"/>.
    /// </summary>
    public static void CopyInto(GptModel model, IReadOnlyDictionary<string, Tensor> source, string what)
    {
        StateDictCheck.RequireExact(model.Config, source.ToDictionary(p => p.Key, p => p.Value.shape, StringComparer.Ordinal), what);
        var target = model.state_dict();
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            foreach (var (name, tensor) in target) tensor.copy_(source[name]);
        }
    }

    /// <summary>Disposes every tensor of a snapshot.</summary>
    public static void Dispose(Dictionary<string, Tensor>? snapshot)
    {
        if (snapshot is null) return;
        foreach (var t in snapshot.Values) t.Dispose();
        snapshot.Clear();
    }
}
