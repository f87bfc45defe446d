using System.CommandLine;
using HorrorAlign.ML.Losses;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Pipeline;

namespace HorrorAlign.ML.Samples.Cli;

/// <summary>
/// Train's model, SFT, DPO, mining and evaluation flags, bound to <see cref="RunOptions"/> (the data-size and sampling
/// flags are their own groups: <see cref="DatasetOptionsBinder"/>, <see cref="SamplingOptionsBinder"/>). Help shows no
/// defaults here because they come from <c>--config</c>; <c>horroralign train --config tiny --help</c> does not change
/// them either, so each description names the default run's value.
/// </summary>
public sealed class RunOptionsBinder : OptionsBinder<RunOptions>
{
    /// <summary>Defines the flags.</summary>
    public RunOptionsBinder() : base(shownDefaults: null)
    {
        var d = RunOptions.Default;
        // Where SFT starts.
        Bind(CliOption.Create<string>("--base", "Start SFT from this model instead of from scratch: a pretrain result, a model.zip, or a PyTorch " +
            ".pt/.safetensors (the original's transformer_final.pt too). Its shape and vocabulary replace the model flags.", "PATH"),
            "BaseModel", o => o.BaseModel!, (o, v) => o with { BaseModel = v });
        // Model shape.
        Int("--d-model", $"Width of the model (default {d.Sft.Model.DModel}).", 8, "DModel", (o, v) => o with { Sft = o.Sft with { Model = o.Sft.Model with { DModel = v } } });
        Int("--layers", $"Decoder blocks (default {d.Sft.Model.NLayers}).", 1, "NLayers", (o, v) => o with { Sft = o.Sft with { Model = o.Sft.Model with { NLayers = v } } });
        Int("--heads", $"Attention heads; must divide --d-model (default {d.Sft.Model.NHeads}).", 1, "NHeads", (o, v) => o with { Sft = o.Sft with { Model = o.Sft.Model with { NHeads = v } } });
        Double("--dropout", "Dropout in the decoder (default 0).", v => v >= 0 && v < 1, "must be in [0, 1)", "Dropout", (o, v) => o with { Sft = o.Sft with { Model = o.Sft.Model with { Dropout = v } } });
        Bool("--tie-embeddings", "Share the token embedding with the output layer (default true).", "TieEmbeddings", (o, v) => o with { Sft = o.Sft with { Model = o.Sft.Model with { TieEmbeddings = v } } });
        Bool("--copy-head", "Pointer-sentinel copy head (default false; for plain-text values).", "CopyHead", (o, v) => o with { Sft = o.Sft with { Model = o.Sft.Model with { CopyHead = v } } });
        Bool("--unseen-embedding", "One shared embedding for ids the training data never holds (default false).", "UnseenTokenEmbedding", (o, v) => o with { Sft = o.Sft with { Model = o.Sft.Model with { UnseenTokenEmbedding = v } } });
        Bool("--field-tokens", "Write spec values as field tokens in prompt and story (default true; false trains on plain text).", "FieldTokens", (o, v) => o with { Sft = o.Sft with { FieldTokens = v } });
        Double("--unseen-dropout", $"Token dropout that teaches the unseen embedding (default {d.Sft.UnseenTokenDropout}).", v => v >= 0 && v < 1, "must be in [0, 1)", "UnseenTokenDropout", (o, v) => o with { Sft = o.Sft with { UnseenTokenDropout = v } });
        // SFT.
        Int("--max-tokens", $"Most tokens per training example (default {d.Sft.MaxTokens}).", 2, "MaxTokens", (o, v) => o with { Sft = o.Sft with { MaxTokens = v } });
        Int("--sft-epochs", $"SFT epochs (default {d.Sft.MaxEpochs}).", 1, "SftOptions.MaxEpochs", (o, v) => o with { Sft = o.Sft with { MaxEpochs = v } });
        Double("--lr", $"SFT learning rate (default {d.Sft.LearningRate:0.#####}).", Positive, "must be a positive number", "SftOptions.LearningRate", (o, v) => o with { Sft = o.Sft with { LearningRate = v } });
        Int("--batch-size", $"SFT examples per step (default {d.Sft.BatchSize}).", 1, "SftOptions.BatchSize", (o, v) => o with { Sft = o.Sft with { BatchSize = v } });
        Int("--patience", $"SFT early stopping: evaluations without improvement (0 = never stop early; default {d.Sft.EarlyStoppingPatience}).", 0, "SftOptions.EarlyStoppingPatience", (o, v) => o with { Sft = o.Sft with { EarlyStoppingPatience = v } });
        Int("--eval-interval", $"SFT validation every N steps (0 = at epoch ends; default {d.Sft.EvalInterval}).", 0, "SftOptions.EvalInterval", (o, v) => o with { Sft = o.Sft with { EvalInterval = v } });
        // DPO.
        Int("--dpo-epochs", $"DPO epochs (default {d.Dpo.MaxEpochs}).", 1, "DpoOptions.MaxEpochs", (o, v) => o with { Dpo = o.Dpo with { MaxEpochs = v } });
        Double("--dpo-lr", $"DPO learning rate (default {d.Dpo.LearningRate:0.#####}).", Positive, "must be a positive number", "DpoOptions.LearningRate", (o, v) => o with { Dpo = o.Dpo with { LearningRate = v } });
        Int("--dpo-batch-size", $"DPO pairs per step (default {d.Dpo.BatchSize}).", 1, "DpoOptions.BatchSize", (o, v) => o with { Dpo = o.Dpo with { BatchSize = v } });
        Double("--beta", $"DPO β (default {d.Dpo.Beta}).", Positive, "must be a positive number", "Beta", (o, v) => o with { Dpo = o.Dpo with { Beta = v } });
        Double("--label-smoothing", "cDPO label smoothing ε (default 0).", v => v >= 0 && v < 0.5, "must be in [0, 0.5)", "LabelSmoothing", (o, v) => o with { Dpo = o.Dpo with { LabelSmoothing = v } });
        Double("--rpo-alpha", $"Weight of the NLL term on chosen stories (RPO; 0 = plain DPO; default {d.Dpo.RpoAlpha}).", v => v >= 0 && double.IsFinite(v), "must not be negative", "RpoAlpha", (o, v) => o with { Dpo = o.Dpo with { RpoAlpha = v } });
        Bind(CliOption.Create<string>("--dpo-loss", "DPO loss (default sigmoid).").OneOf("sigmoid", "robust", "ipo", "hinge"),
            "LossType", o => o.Dpo.LossType.ToString().ToLowerInvariant(), (o, v) => o with { Dpo = o.Dpo with { LossType = Enum.Parse<DpoLossType>(v, ignoreCase: true) } });
        // On-policy mining.
        Int("--on-policy-specs", $"Probe specs the SFT model writes for before DPO; failing stories become pairs (0 = off; default {d.OnPolicy.Specs}).", 0, "OnPolicyOptions.Specs", (o, v) => o with { OnPolicy = o.OnPolicy with { Specs = v } });
        Int("--on-policy-samples", $"Stories per probe spec (default {d.OnPolicy.SamplesPerSource}).", 1, "OnPolicyOptions.SamplesPerSource", (o, v) => o with { OnPolicy = o.OnPolicy with { SamplesPerSource = v } });
        Int("--on-policy-repeats", $"Times each mined pair enters DPO's training set (default {d.OnPolicy.Repeats}).", 1, "OnPolicyOptions.Repeats", (o, v) => o with { OnPolicy = o.OnPolicy with { Repeats = v } });
        Int("--repair-tries", $"Continuations tried per cut when repairing a failing story (0 = no repair; default {d.OnPolicy.RepairTries}).", 0, "OnPolicyOptions.RepairTries", (o, v) => o with { OnPolicy = o.OnPolicy with { RepairTries = v } });
        // Evaluation and the run.
        Int("--eval-specs", $"Benchmark specs each checkpoint writes a story for (default {d.EvalSpecs}).", 1, "RunOptions.EvalSpecs", (o, v) => o with { EvalSpecs = v });
        Bind(CliOption.Create<string>("--benchmark", "The spec set of the evaluation: test (the frozen benchmark, to report) or dev (for decisions; default test).").OneOf("test", "dev"),
            "Benchmark", o => o.Benchmark.ToString().ToLowerInvariant(), (o, v) => o with { Benchmark = v == "dev" ? BenchmarkSet.Dev : BenchmarkSet.Test });
        Int("--samples", $"Specs samples.md shows (default {d.Samples}).", 0, "RunOptions.Samples", (o, v) => o with { Samples = v });
        Int("--threads", $"torch threads for the run (0 = torch's default; default {d.Threads}).", 0, "RunOptions.Threads", (o, v) => o with { Threads = v });
        Bind(CliOption.Create<string>("--data", "Read the dataset from DIR (the files `data` writes) instead of generating it.", "DIR"),
            "DataDirectory", o => o.DataDirectory!, (o, v) => o with { DataDirectory = v });
        // Where SFT and DPO train (stored in run.json with the other options, so --resume continues on the same device).
        Bind(DeviceOption.Create(), "Device", o => o.Sft.Device, (o, v) => o with
        {
            Sft = o.Sft with { Device = ComputeDevice.Normalize(v) }, Dpo = o.Dpo with { Device = ComputeDevice.Normalize(v) },
        });
    }

    private static bool Positive(double v) => v > 0 && double.IsFinite(v);

    private void Int(string name, string description, int min, string property, Func<RunOptions, int, RunOptions> set) =>
        Bind(CliOption.Create<int>(name, description, "N").AtLeast(min), property, _ => 0, set);

    private void Double(string name, string description, Func<double, bool> valid, string rule, string property, Func<RunOptions, double, RunOptions> set) =>
        Bind(CliOption.Create<double>(name, description, "X").Require(valid, rule), property, _ => 0, set);

    private void Bool(string name, string description, string property, Func<RunOptions, bool, RunOptions> set) =>
        Bind(CliOption.Create<bool>(name, description), property, _ => false, set);

    /// <inheritdoc />
    protected override void Validate(RunOptions options)
    {
        options.Validate();
        DeviceOption.RequireUsable(options.Sft.Device); // CUDA that is not there: refused before any work
        DeviceOption.RequireUsable(options.Dpo.Device);
    }
}
