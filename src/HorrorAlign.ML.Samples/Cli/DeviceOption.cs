using System.CommandLine;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Persistence;

namespace HorrorAlign.ML.Samples.Cli;

/// <summary>
/// <c>--device cpu|cuda[:N]</c> (default cpu) for the commands that train or generate. A value that is not a device is
/// a parse error naming the flag. Asking for CUDA that this app cannot use (it ships TorchSharp-cpu; CUDA needs a build
/// with TorchSharp-cuda-linux or TorchSharp-cuda-windows) is a usage error too, exit 2 like every refused flag: the fix
/// is on the command line (--device cpu), and it is refused before any work starts.
/// </summary>
public static class DeviceOption
{
    /// <summary>The flag.</summary>
    public const string Name = "--device";

    /// <summary>A new <c>--device</c> option; the well-formedness check is part of parsing.</summary>
    public static Option<string> Create()
    {
        var option = CliOption.Create<string>(Name,
                "Where the model runs: cpu, cuda (GPU 0) or cuda:N. CUDA needs the app built with TorchSharp-cuda-linux or " +
                "TorchSharp-cuda-windows instead of TorchSharp-cpu.", "cpu|cuda[:N]")
            .Require(ComputeDevice.IsWellFormed, "takes cpu, cuda or cuda:N");
        option.DefaultValueFactory = _ => ComputeDevice.Cpu;
        return option;
    }

    /// <summary>Adds <c>--device</c> to <paramref name="command"/>; <see cref="Read"/> gets its value.</summary>
    public static void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(Create());
    }

    /// <summary>The usable device a parsed command line asks for (<c>cpu</c> or <c>cuda:N</c>).</summary>
    /// <exception cref="CliException">CUDA that this process cannot use; the message names the flag and how to get CUDA.</exception>
    public static string Read(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return RequireUsable(result.GetValue<string>(Name) ?? ComputeDevice.Cpu);
    }

    /// <summary><paramref name="device"/> (well-formed) as <c>cpu</c> or <c>cuda:N</c>, once CUDA is known to be usable.</summary>
    /// <exception cref="CliException">CUDA that this process cannot use.</exception>
    public static string RequireUsable(string device)
    {
        try
        {
            return ComputeDevice.Name(ComputeDevice.Resolve(device));
        }
        catch (InvalidOperationException e)
        {
            throw new CliException($"{Name}: {e.Message}");
        }
    }

    /// <summary>Moves <paramref name="model"/> to <paramref name="device"/> (a value <see cref="Read"/> returned).</summary>
    public static void Place(StoryModel model, string device)
    {
        ArgumentNullException.ThrowIfNull(model);
        ComputeDevice.Place(model.Model, ComputeDevice.Resolve(device));
    }
}
