using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using HorrorAlign.ML.Samples.Cli;

namespace HorrorAlign.ML.Samples.Commands;

/// <summary>
/// <c>horroralign train</c> on the System.CommandLine root while train itself is being rewritten: the tokens after
/// <c>train</c> go unchanged to <c>TrainCommand.Run(CliArgs, CancellationToken, IAnsiConsole)</c>, which parses them by
/// hand. The data-size and sampling groups are real options here already (checked as in
/// <c>data</c> and <c>generate</c>, and listed by help from their binders); train's other flags are unknown to
/// System.CommandLine, pass through, and are listed by <see cref="OwnFlags"/> after the generated help. To finish the
/// move: define those flags as options, bind them to train's settings, and drop the pass-through and <see cref="CliArgs"/>.
/// </summary>
public sealed class TrainPassThroughCommand : Command
{
    /// <summary>The options train reads as bare flags (the hand parser must know they take no value).</summary>
    private static readonly string[] BareFlags = ["quiet", "json", "keep-checkpoints"];

    /// <summary>Train's own flags, for help until they are options.</summary>
    public const string OwnFlags = """
        Train's own flags (read by train itself; defaults come from --config):
          --config tiny|default          Preset: tiny (CI, seconds) or default (the quality run).
          --out DIR                      Run folder (default runs/<timestamp>).
          --resume [DIR]                 Continue an interrupted run with its stored settings.
          --data DIR                     Read the dataset from DIR instead of generating it.
          --seed N                       Seed of everything: data, training, sampling.
          --quiet | --json               Less output | one JSON object per line.
          --keep-checkpoints             Keep checkpoints/ after the run completes.
          --threads N                    torch threads (0 = torch's default).
          --d-model N --layers N --heads N --dropout X        Model shape.
          --tie-embeddings true|false --copy-head true|false --field-tokens true|false
          --unseen-embedding true|false --unseen-dropout X
          --sft-epochs N --lr X --batch-size N --patience N --eval-interval N --max-tokens N   SFT.
          --dpo-epochs N --dpo-lr X --dpo-batch-size N --beta X --label-smoothing X --rpo-alpha X
          --dpo-loss sigmoid|robust|ipo|hinge                 DPO.
          --on-policy-specs N --on-policy-samples N --on-policy-repeats N --repair-tries N   On-policy pairs.
          --eval-specs N --samples N --benchmark test|dev     Evaluation.
        """;

    /// <summary>Defines the command, writing to <paramref name="console"/>.</summary>
    public TrainPassThroughCommand(CliConsole console)
        : base("train", "Data -> SFT -> DPO -> evaluation of both, into a run folder (model.zip, metrics.json, plots, samples). Ctrl+C checkpoints; --resume DIR continues.")
    {
        ArgumentNullException.ThrowIfNull(console);
        TreatUnmatchedTokensAsErrors = false; // train's own flags pass through to its hand parser
        new DatasetOptionsBinder(bindsSeed: false).AddTo(this);
        new SamplingOptionsBinder(bindsSeed: false).AddTo(this);
        Options.Add(new HelpOption { Action = new HelpWithOwnFlags() });
        this.SetGuardedAction(console, (result, ct) => TrainCommand.Run(new CliArgs(RawTokens(result), new HashSet<string>(BareFlags, StringComparer.Ordinal)), ct, console.Out));
    }

    /// <summary>"train" and every token after it, as typed (System.CommandLine splits <c>--flag=value</c> of its own options).</summary>
    public static string[] RawTokens(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return [.. result.Tokens.SkipWhile(t => t.Type != TokenType.Command).Select(t => t.Value)];
    }

    /// <summary>The generated help, then <see cref="OwnFlags"/>.</summary>
    private sealed class HelpWithOwnFlags : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            new HelpAction().Invoke(parseResult);
            parseResult.InvocationConfiguration.Output.WriteLine(OwnFlags);
            return ExitCode.Success;
        }
    }
}
