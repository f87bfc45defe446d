using static TorchSharp.torch;

namespace HorrorAlign.ML.Modeling;

/// <summary>torch's intra-op thread count is process-wide: every part that changes it does so for a scope and puts
/// the previous value back when the scope ends.</summary>
internal static class TorchThreads
{
    /// <summary>Sets the intra-op thread count until the result is disposed; 0 leaves it as it is.</summary>
    public static IDisposable Use(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        if (threads == 0) return Scope.None;
        int previous = get_num_threads();
        set_num_threads(threads);
        return new Scope(previous);
    }

    private sealed class Scope(int previous) : IDisposable
    {
        public static readonly Scope None = new(0);
        private bool _done;

        public void Dispose()
        {
            if (_done || previous == 0) return;
            _done = true;
            set_num_threads(previous);
        }
    }
}
