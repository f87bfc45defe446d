using HorrorAlign.ML.Samples.Bench;
using HorrorAlign.ML.Samples.Cli;
using HorrorAlign.ML.Samples.Commands;

// horroralign: the command-line face of HorrorAlign.ML. Each command lives in Commands/<Name>Command.cs.
OpenMpWaitPolicy.PreferPassive(); // before anything loads libtorch
// Each command names the options it reads as bare flags (no value), since `--json` is a flag for train/evaluate
// but takes a FILE for bench.
var commands = new Dictionary<string, (Func<CliArgs, CancellationToken, int> Run, string[] Flags)>(StringComparer.Ordinal)
{
    ["data"] = (DataCommand.Run, []),
    ["train"] = (TrainCommand.Run, ["quiet", "json", "keep-checkpoints"]),
    ["generate"] = (GenerateCommand.Run, ["quiet", "interactive"]),
    ["evaluate"] = (EvaluateCommand.Run, ["quiet", "json"]),
    ["bench"] = (BenchCommand.Run, ["quick"]),
};

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine("""
        horroralign — SFT then DPO for spec-following horror stories

        Commands:
          train     [--config tiny|default] [--out DIR] [--seed N] [--data DIR] [--resume [DIR]] [--quiet|--json] [--keep-checkpoints]
                    [--sft-epochs N --dpo-epochs N --d-model N --layers N --heads N --dropout X --tie-embeddings true|false --copy-head true|false
                     --unseen-embedding true|false --unseen-dropout X --lr X --dpo-lr X --beta X --label-smoothing X --rpo-alpha X --dpo-loss sigmoid|robust|ipo|hinge --batch-size N --dpo-batch-size N --patience N --max-tokens N --threads N
                     --eval-specs N --samples N --on-policy-specs N --on-policy-samples N --on-policy-repeats N --repair-tries N, data sizes as for `data`,
                     sampling flags for the evaluation]
                    Data -> SFT (early stopping) -> DPO -> evaluate both; writes model.zip, metrics.json, train.log.jsonl, curves.png,
                    summary.png, samples.md, data/ into DIR (default runs/<timestamp>). Ctrl+C saves a checkpoint; --resume DIR continues.
          generate  --model PATH (--prompt TEXT | --spec FILE.json | --specs FILE.jsonl --out FILE.jsonl | --interactive)
                    [--temperature X --top-p X --top-k N --repetition-penalty X --no-repeat-ngram N --max-new-tokens N --seed N]
                    Also --checkpoint, --mode oneshot|repl, --top_p, --max_new_tokens; --top-p 0 = greedy. \n in --prompt = newline.
          evaluate  --model PATH [--reference PATH] [--specs F.jsonl | --benchmark test|dev|stress] [--pairs F.jsonl] [--sft F.jsonl]
                    [--out F.json] [sampling flags]
                    | --stories F.jsonl [--specs F.jsonl | --benchmark test|dev|stress] [--out F.json]   (grade existing stories, no model)
                    --benchmark: the frozen benchmark (test: 400 held-out specs, for reporting; dev: 200, for decisions; stress).
          bench     [--json FILE] [--threads N] [--quick]
                    Throughput benchmark (GEMM, SFT, DPO, generation) with the PASS/FAIL targets of this project.
          data      --out DIR [--seed N] [--sft-train N --sft-val N --sft-test N --pref-train N --pref-val N --pref-test N]
                    [--heldout-fraction F --heldout-specs N --fresh-share F]
                    Write the template dataset (six JSONL files, held-out specs, stats.json).
        """);
    return args.Length == 0 ? 2 : 0;
}

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
try
{
    if (!commands.TryGetValue(args[0], out var command))
        throw new CliException($"unknown command '{args[0]}' (try --help)");
    return command.Run(new CliArgs(args, new HashSet<string>(command.Flags, StringComparer.Ordinal)), cts.Token);
}
catch (CliException e)
{
    Console.Error.WriteLine("error: " + e.Message);
    return 2;
}
catch (Exception e) when (e is FormatException or InvalidDataException or IOException or ArgumentException or InvalidOperationException)
{
    Console.Error.WriteLine("error: " + e.Message);
    return 1;
}
