using HorrorAlign.ML.Samples.Cli;
using HorrorAlign.ML.Samples.Commands;

// horroralign: the command-line face of HorrorAlign.ML. Each command lives in Commands/<Name>Command.cs.
var commands = new Dictionary<string, Func<CliArgs, CancellationToken, int>>(StringComparer.Ordinal)
{
    ["data"] = DataCommand.Run,
};

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine("""
        horroralign — SFT then DPO for spec-following horror stories

        Commands:
          data      --out DIR [--seed N] [--sft-train N --sft-val N --sft-test N --pref-train N --pref-val N --pref-test N]
                    Write the template dataset (six JSONL files + stats.json).
        """);
    return args.Length == 0 ? 2 : 0;
}

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
try
{
    if (!commands.TryGetValue(args[0], out var run))
        throw new CliException($"unknown command '{args[0]}' (try --help)");
    return run(new CliArgs(args), cts.Token);
}
catch (CliException e)
{
    Console.Error.WriteLine("error: " + e.Message);
    return 2;
}
catch (Exception e) when (e is FormatException or InvalidDataException or IOException or ArgumentException)
{
    Console.Error.WriteLine("error: " + e.Message);
    return 1;
}
