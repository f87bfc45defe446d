using System.Runtime.CompilerServices;

namespace HorrorAlign.ML.Tests;

internal static class TestSetup
{
    /// <summary>
    /// torch's intra-op thread count is process-wide, and float results (so trained weights and snapshot stories)
    /// depend on it. Test classes run in parallel and several training runs set and restore the count around
    /// themselves, so the count a later test sees would depend on timing. Pinning ONE thread for the whole test
    /// process makes every result independent of test order; tiny models are fastest on one thread anyway.
    /// </summary>
#pragma warning disable CA2255 // a module initializer in a test assembly is exactly the intended use
    [ModuleInitializer]
    internal static void PinTorchThreads() => TorchSharp.torch.set_num_threads(1);
#pragma warning restore CA2255
}
