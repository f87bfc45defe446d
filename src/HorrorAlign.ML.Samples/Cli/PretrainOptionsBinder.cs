using System.CommandLine;
using HorrorAlign.ML.Training;

namespace HorrorAlign.ML.Samples.Cli;

/// <summary>Pretrain's model and schedule flags, bound to <see cref="PretrainOptions"/> (help shows the library's defaults).</summary>
public sealed class PretrainOptionsBinder : OptionsBinder<PretrainOptions>
{
    /// <summary>Defines the flags.</summary>
    public PretrainOptionsBinder() : base(shownDefaults: new PretrainOptions())
    {
        Int("--d-model", "Width of the model.", 8, "DModel", o => o.Model.DModel, (o, v) => o with { Model = o.Model with { DModel = v } });
        Int("--layers", "Decoder blocks.", 1, "NLayers", o => o.Model.NLayers, (o, v) => o with { Model = o.Model with { NLayers = v } });
        Int("--heads", "Attention heads; must divide --d-model.", 1, "NHeads", o => o.Model.NHeads, (o, v) => o with { Model = o.Model with { NHeads = v } });
        Int("--context", "Context length of the model (SFT's examples must fit: at least 384 for train's default).", 2, "ContextLength",
            o => o.Model.ContextLength, (o, v) => o with { Model = o.Model with { ContextLength = v } });
        Int("--block-size", "Tokens per training window.", 2, "BlockSize", o => o.BlockSize, (o, v) => o with { BlockSize = v });
        Int("--epochs", "Passes over the corpus.", 1, "MaxEpochs", o => o.MaxEpochs, (o, v) => o with { MaxEpochs = v });
        Int("--max-steps", "Stop after this many steps (0 = no cap).", 0, "MaxSteps", o => o.MaxSteps ?? 0, (o, v) => o with { MaxSteps = v == 0 ? null : v });
        Bind(CliOption.Create<double>("--time-limit", "Stop after this many minutes (0 = no limit), with a last evaluation and checkpoint.", "MINUTES")
            .Require(v => v >= 0 && double.IsFinite(v), "must not be negative"),
            "TimeLimit", o => o.TimeLimit?.TotalMinutes ?? 0, (o, v) => o with { TimeLimit = v == 0 ? null : TimeSpan.FromMinutes(v) });
        Bind(CliOption.Create<double>("--lr", "Peak learning rate.", "X").Require(v => v > 0 && double.IsFinite(v), "must be a positive number"),
            "LearningRate", o => o.LearningRate, (o, v) => o with { LearningRate = v });
        Int("--batch-size", "Windows per step.", 1, "BatchSize", o => o.BatchSize, (o, v) => o with { BatchSize = v });
        Int("--eval-interval", "Validation every N steps (0 = at epoch ends).", 0, "EvalInterval", o => o.EvalInterval, (o, v) => o with { EvalInterval = v });
        Int("--seed", "Seed of initialisation, order and dropout.", int.MinValue, "Seed", o => o.Seed, (o, v) => o with { Seed = v });
        Int("--threads", "torch threads (0 = torch's default).", 0, "Threads", o => o.Threads, (o, v) => o with { Threads = v });
        Bind(CliOption.Create<bool>("--full-vocabulary", "All 50,257 GPT-2 ids instead of the corpus's own (about 10x slower)."),
            "Vocabulary", o => o.Vocabulary == SftVocabulary.Full, (o, v) => o with { Vocabulary = v ? SftVocabulary.Full : SftVocabulary.Compact });
    }

    private void Int(string name, string description, int min, string property, Func<PretrainOptions, int> get, Func<PretrainOptions, int, PretrainOptions> set) =>
        Bind(CliOption.Create<int>(name, description, "N").AtLeast(min), property, get, set);

    /// <inheritdoc />
    protected override void Validate(PretrainOptions options) => options.Validate();
}
