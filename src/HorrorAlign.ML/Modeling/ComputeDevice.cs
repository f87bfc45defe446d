using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Modeling;

/// <summary>
/// Where a model and its batches live: <c>"cpu"</c>, <c>"cuda"</c> (GPU 0) or <c>"cuda:N"</c>. The library references
/// the managed TorchSharp only; CUDA is there when the app references a CUDA backend (TorchSharp-cuda-linux or
/// TorchSharp-cuda-windows, instead of TorchSharp-cpu) and the machine has an NVIDIA GPU. Asking for CUDA without it is
/// a clear error, or the CPU with a warning when the caller allows the fallback (ML.NET's <c>MLContext.FallbackToCpu</c>).
/// </summary>
internal static class ComputeDevice
{
    /// <summary>The default device.</summary>
    public const string Cpu = "cpu";

    /// <summary>What a device string may be, for messages.</summary>
    public const string Forms = "\"cpu\", \"cuda\" or \"cuda:N\" (N = 0, 1, …)";

    /// <summary>True when <paramref name="value"/> is <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c> (N ≥ 0; any letter case).</summary>
    public static bool IsWellFormed(string? value) => TryParse(value, out _, out _);

    /// <summary>The canonical name of a well-formed device string: <c>cpu</c> or <c>cuda:N</c>.</summary>
    /// <exception cref="ArgumentException">Not a device string; the message names the value.</exception>
    public static string Normalize(string? value, string? paramName = null)
    {
        var (type, index) = Parse(value, paramName);
        return Name(type, index);
    }

    /// <summary>The device string for ML.NET's <c>MLContext.GpuDeviceId</c>: null is the CPU, N is <c>cuda:N</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative id.</exception>
    public static string FromGpuDeviceId(int? gpuDeviceId) => gpuDeviceId switch
    {
        null => Cpu,
        < 0 => throw new ArgumentOutOfRangeException(nameof(gpuDeviceId), gpuDeviceId,
            $"MLContext.GpuDeviceId must be null (the CPU) or a CUDA device index ≥ 0 (got {gpuDeviceId})."),
        int id => Name(DeviceType.CUDA, id),
    };

    /// <summary>
    /// The torch device for <paramref name="value"/>. CUDA that this process cannot use (no CUDA backend, no GPU, or
    /// fewer GPUs than the index asks for) throws, or, with <paramref name="fallbackToCpu"/>, reports a warning to
    /// <paramref name="warn"/> and gives the CPU.
    /// </summary>
    /// <exception cref="ArgumentException">Not a device string; the message names the value.</exception>
    /// <exception cref="InvalidOperationException">CUDA asked for and not available, without the fallback.</exception>
    public static Device Resolve(string? value, bool fallbackToCpu = false, Action<string>? warn = null) =>
        Resolve(value, fallbackToCpu, warn, CudaDeviceCount);

    /// <summary><see cref="Resolve(string?, bool, Action{string}?)"/> with the number of usable CUDA devices from
    /// <paramref name="cudaDevices"/> (tests stand in for a machine with GPUs).</summary>
    internal static Device Resolve(string? value, bool fallbackToCpu, Action<string>? warn, Func<int> cudaDevices)
    {
        var (type, index) = Parse(value, nameof(value));
        if (type == DeviceType.CPU) return CPU;
        int available = cudaDevices();
        if (index < available) return new Device(DeviceType.CUDA, index);

        string requested = Name(type, index);
        string why = available == 0
            ? "CUDA is not available to this process: TorchSharp's CPU backend (TorchSharp-cpu) is loaded, or there is no NVIDIA GPU and driver"
            : $"this machine has {available} CUDA device(s), cuda:0 to cuda:{available - 1}";
        if (fallbackToCpu)
        {
            warn?.Invoke($"Device '{requested}' was requested, but {why}; running on the CPU instead.");
            return CPU;
        }
        throw new InvalidOperationException(available == 0
            ? $"Device '{requested}' was requested, but {why}. To run on a GPU, reference TorchSharp-cuda-linux (Linux) or " +
              "TorchSharp-cuda-windows (Windows), version 0.107.0, in the app instead of TorchSharp-cpu; or use device 'cpu'."
            : $"Device '{requested}' was requested, but {why}. Use one of those, or 'cpu'.");
    }

    /// <summary>Usable CUDA devices: 0 without a CUDA backend or GPU.</summary>
    public static int CudaDeviceCount() => cuda.is_available() ? cuda.device_count() : 0;

    /// <summary>Moves <paramref name="model"/>'s weights and buffers to <paramref name="device"/> (in place) unless they are there.</summary>
    public static void Place(GptModel model, Device device)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!IsOn(model.WeightsDevice, device)) model.to(device);
    }

    /// <summary><paramref name="tensor"/> on <paramref name="device"/>: the same tensor when it is there already.</summary>
    public static Tensor On(this Tensor tensor, Device device) =>
        IsOn(tensor.device, device) ? tensor : tensor.to(device);

    private static bool IsOn(Device actual, Device wanted) =>
        actual.type == wanted.type && (wanted.type == DeviceType.CPU || Math.Max(actual.index, 0) == Math.Max(wanted.index, 0));

    /// <summary>The device string of <paramref name="device"/>: <c>cpu</c> or <c>cuda:N</c>.</summary>
    public static string Name(Device device) => Name(device.type, Math.Max(device.index, 0));

    private static string Name(DeviceType type, int index) =>
        type == DeviceType.CPU ? Cpu : "cuda:" + index.ToString(CultureInfo.InvariantCulture);

    private static (DeviceType Type, int Index) Parse(string? value, string? paramName)
    {
        if (TryParse(value, out var type, out int index)) return (type, index);
        throw new ArgumentException($"'{value}' is not a device: use {Forms}.", paramName);
    }

    private static bool TryParse(string? value, out DeviceType type, out int index)
    {
        (type, index) = (DeviceType.CPU, -1);
        if (value is null) return false;
        if (value.Equals(Cpu, StringComparison.OrdinalIgnoreCase)) return true;
        type = DeviceType.CUDA;
        index = 0;
        if (value.Equals("cuda", StringComparison.OrdinalIgnoreCase)) return true;
        if (!value.StartsWith("cuda:", StringComparison.OrdinalIgnoreCase)) return false;
        string digits = value[5..];
        return digits.Length is > 0 and <= 4 && digits.All(char.IsAsciiDigit)
            && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out index);
    }
}
