namespace HorrorAlign.ML.IO;

/// <summary>An <see cref="IProgress{T}"/> that calls back on the reporting thread, at once. (System.Progress posts to a
/// synchronization context or the thread pool, so its reports could arrive late and out of order with the loop.)</summary>
internal sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    /// <inheritdoc />
    public void Report(T value) => report(value);
}
