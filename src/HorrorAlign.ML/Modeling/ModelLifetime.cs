namespace HorrorAlign.ML.Modeling;

/// <summary>
/// Counts the decodes running on one <see cref="GptModel"/> so that disposing it never frees native weights under a
/// running forward pass (a use after free crashes the process): a dispose requested while decodes run is deferred to
/// the last of them, and a decode that starts after the request fails with <see cref="ObjectDisposedException"/>.
/// </summary>
internal sealed class ModelLifetime
{
    private readonly object gate = new();
    private int users;
    private bool closing;

    /// <summary>Starts a use; pair it with <see cref="Exit"/>.</summary>
    /// <exception cref="ObjectDisposedException">The model was disposed (or released from the model cache).</exception>
    public void Enter()
    {
        lock (gate)
        {
            if (closing)
                throw new ObjectDisposedException(nameof(GptModel),
                    "The story model was disposed (or released with ReleaseStoryModels) before this generation started. " +
                    "Get the model again (GetStoryModel reloads a released one) and retry.");
            users++;
        }
    }

    /// <summary>Ends a use; true when it was the last one of a model whose dispose was deferred: the caller disposes it now.</summary>
    public bool Exit()
    {
        lock (gate) return --users == 0 && closing;
    }

    /// <summary>Records a dispose request; true when the caller must not dispose now (decodes still run, the last one
    /// disposes; or it was already requested).</summary>
    public bool DeferDispose()
    {
        lock (gate)
        {
            bool again = closing;
            closing = true;
            return again || users > 0;
        }
    }
}
