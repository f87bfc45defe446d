using System.Runtime.CompilerServices;
using HorrorAlign.ML.Modeling;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Generation;

/// <summary>
/// No gradients on this thread and the model in eval mode (no dropout) for the scope's lifetime; the previous training
/// mode comes back when the last concurrent user leaves. The training flag lives on the (shared) model, so several
/// threads generating with one model count their uses instead of each flipping it back and forth under the others.
/// Gradient mode is per thread in libtorch, so <c>no_grad</c> needs no coordination. The scope is also a use of the
/// model (<see cref="GptModel.BeginUse"/>): disposing the model while it runs waits for it instead of freeing the weights.
/// </summary>
internal sealed class InferenceScope : IDisposable
{
    private sealed class ModeState
    {
        public int Users;
        public bool WasTraining;
    }

    private static readonly ConditionalWeakTable<GptModel, ModeState> States = new();

    private readonly GptModel model;
    private readonly IDisposable noGrad;
    private bool disposed;

    private InferenceScope(GptModel model)
    {
        model.BeginUse(); // first: a disposed model fails here, and a dispose from now on waits for this scope
        this.model = model;
        noGrad = no_grad();
        var state = States.GetValue(model, _ => new ModeState());
        lock (state)
        {
            if (state.Users++ == 0)
            {
                state.WasTraining = model.training;
                if (state.WasTraining) model.eval();
            }
        }
    }

    /// <summary>Enters inference mode for <paramref name="model"/> on the calling thread.</summary>
    public static InferenceScope Enter(GptModel model) => new(model);

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        var state = States.GetValue(model, _ => new ModeState());
        lock (state)
        {
            if (--state.Users == 0 && state.WasTraining) model.train();
        }
        noGrad.Dispose();
        model.EndUse();
    }
}
