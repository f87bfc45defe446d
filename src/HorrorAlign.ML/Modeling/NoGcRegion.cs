using System.Runtime;

namespace HorrorAlign.ML.Modeling;

/// <summary>
/// Runs a TorchSharp call with no garbage collection inside it. TorchSharp's optimizers pass temporary
/// <c>Scalar</c> objects to libtorch and do not keep them alive across the native call, so a collection at the wrong
/// moment finalises a Scalar that libtorch is still reading ("Unknown scalar type" from <c>mul_</c> inside
/// <c>AdamW.step</c>, seen in the test suite under parallel load). Our own Scalars are long-lived for the same reason.
/// </summary>
internal static class NoGcRegion
{
    private const long Budget = 16 << 20; // far more than an optimizer step allocates, across all threads
    private static readonly Lock s_gate = new(); // a no-GC region is process-wide: one at a time

    /// <summary>Runs <paramref name="action"/>; without a region when the runtime cannot grant one.</summary>
    public static void Run(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        lock (s_gate)
        {
            bool started = false;
            try
            {
                started = GC.TryStartNoGCRegion(Budget);
            }
            catch (InvalidOperationException)
            {
                // a region begun elsewhere in the process: run inside it
            }
            try
            {
                action();
            }
            finally
            {
                // Allocating past the budget ends the region early (with a collection); then there is nothing to end.
                if (started && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
            }
        }
    }
}
