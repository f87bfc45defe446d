namespace HorrorAlign.ML.Samples.Cli;

/// <summary>
/// Turns the first Ctrl+C into a cancelled <see cref="Token"/>: the running command stops at its next check, prints
/// one line and exits 130 (train saves a checkpoint first). A second Ctrl+C ends the process at once, for a step that
/// does not check the token.
/// </summary>
public sealed class CtrlCCancellation : IDisposable
{
    private readonly CancellationTokenSource _source = new();

    /// <summary>Starts listening for Ctrl+C.</summary>
    public CtrlCCancellation() => Console.CancelKeyPress += OnCancelKeyPress;

    /// <summary>Cancelled by the first Ctrl+C.</summary>
    public CancellationToken Token => _source.Token;

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        e.Cancel = !_source.IsCancellationRequested; // the second press keeps the default: the process ends
        _source.Cancel();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        _source.Dispose();
    }
}
