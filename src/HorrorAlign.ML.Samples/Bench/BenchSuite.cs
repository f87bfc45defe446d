using System.Globalization;
using HorrorAlign.ML.Generation;
using HorrorAlign.ML.Losses;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Synthesis;
using HorrorAlign.ML.Tokenization;
using HorrorAlign.ML.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace HorrorAlign.ML.Samples.Bench;

/// <summary>
/// The throughput measurements: fp32 GEMM roofline, SFT and DPO training steps, and batch-1 generation, all on the
/// real template corpus (<see cref="Dataset.Generate"/>) through the library's own code paths (CompletionEncoder,
/// padding as Batching.Pad, CompletionLoss.Compute, DpoLoss, TokenGenerator). Every model is seeded, so runs differ only in time.
/// </summary>
public sealed class BenchSuite
{
    private const int Seed = 42;

    private readonly BenchSettings _settings;
    private readonly CancellationToken _ct;
    private readonly Action<string> _progress;
    private readonly Dataset _data;
    private readonly TokenVocabulary _compact;

    /// <summary>Generates the corpus and its compact vocabulary; <paramref name="progress"/> hears what runs next.</summary>
    public BenchSuite(BenchSettings settings, Action<string>? progress, CancellationToken ct)
    {
        _settings = settings;
        _ct = ct;
        _progress = progress ?? (_ => { });
        _data = Dataset.Generate(settings.Data);
        _compact = TokenVocabulary.BuildCompact(_data.Texts());
    }

    /// <summary>Runs every measurement with the current torch thread count (the caller sets it).</summary>
    public BenchReport Run()
    {
        int threads = get_num_threads();
        var report = new BenchReport { Machine = MachineInfo.Describe(threads), Quick = _settings.Quick };

        // The shapes the issue names. "default" is whatever SftOptions builds; tiny is d_model 128 / 2 layers / 4 heads
        // on top of it, so when the default IS that shape the same model is measured once and reported under both keys.
        GptConfig defaultModel = new SftOptions().Model;
        GptConfig tiny = defaultModel with { DModel = 128, NHeads = 4, NLayers = 2 };
        GptConfig original = new GptConfig() with { ContextLength = Math.Max(new GptConfig().ContextLength, _settings.MaxTokens) };
        bool defaultIsTiny = defaultModel == tiny;
        bool originalDiffers = original with { ContextLength = 0 } != defaultModel with { ContextLength = 0 };

        // The roofline is measured again at the end and the better figure kept: on a shared machine one short burst of
        // GEMMs can land in someone else's busy second, which would flatter every MFU figure.
        _progress($"GEMM {_settings.GemmSize}³");
        double gemmAtStart = MeasureGemm();
        var modelFlopRates = new List<(int Row, double FlopsPerSecond)>(); // MFU is filled in once the roofline is final

        // SFT
        var tinyFull = MeasureSft("sft_tokens_per_s.tiny_full_vocab", tiny, TokenVocabulary.Full, _settings.SlowSteps, modelFlopRates, report);
        report.SftTokensPerSecond["tiny_full_vocab"] = tinyFull.TokensPerSecond;
        var tinyCompact = MeasureSft("sft_tokens_per_s.tiny_compact_vocab", tiny, _compact, _settings.FastSteps, modelFlopRates, report);
        report.SftTokensPerSecond["tiny_compact_vocab"] = tinyCompact.TokensPerSecond;
        var defaultSft = defaultIsTiny ? tinyCompact
            : MeasureSft("sft_tokens_per_s.default", defaultModel, _compact, _settings.FastSteps, modelFlopRates, report);
        if (defaultIsTiny)
            report.Rows.Add(new("sft_tokens_per_s.default", Describe(defaultModel, _compact), Format(defaultSft.TokensPerSecond, "tokens/s"),
                "SftOptions' default model is the tiny shape: the measurement above"));
        report.SftTokensPerSecond["default"] = defaultSft.TokensPerSecond;
        int mfuRow = report.Rows.Count;
        report.Rows.Add(new("sft_model_flops_utilization.default", Describe(defaultModel, _compact), "", ""));
        if (_settings.IncludeExtras)
        {
            // What-ifs against the defaults: explicit (unfused) attention, and dropout 0.1 as in the original
            // (attention-probability dropout draws B·H·T² random numbers per layer, a large share of a d_model-128 step).
            MeasureSft("  default, explicit attention", defaultModel with { FusedAttention = false }, _compact, _settings.FastSteps, modelFlopRates, report);
            MeasureSft("  default, dropout 0.1", defaultModel with { Dropout = 0.1 }, _compact, _settings.FastSteps, modelFlopRates, report);
            if (originalDiffers) MeasureSft("  original architecture", original, _compact, _settings.FastSteps, modelFlopRates, report);
        }

        // DPO
        double dpoTiny = MeasureDpo("dpo_pairs_per_s.tiny", tiny, report);
        report.DpoPairsPerSecond["tiny"] = dpoTiny;
        report.DpoPairsPerSecond["default"] = defaultIsTiny ? dpoTiny : MeasureDpo("dpo_pairs_per_s.default", defaultModel, report);
        if (defaultIsTiny)
            report.Rows.Add(new("dpo_pairs_per_s.default", Describe(defaultModel, _compact), Format(dpoTiny, "pairs/s"), "the measurement above"));

        // Generation runs on one torch thread, as the library runs it (TextGenerator.GenerateBatch, `generate`): decoding
        // is hundreds of small ops per token, and with several intra-op threads every op pays a fork/join (and on a busy
        // machine a descheduled worker stalls all of them); several cores are used by decoding batches side by side.
        var greedy = new SamplingOptions { MaxNewTokens = _settings.NewTokens, Temperature = 0, Seed = Seed };
        using (TorchThreads.Use(1))
        {
            report.GenerateNewTokensPerSecond["default_kv_cache"] = MeasureGeneration("generate_new_tokens_per_s.default_kv_cache", defaultModel,
                greedy, _settings.CachedGenerations, "greedy, KV cache, one sequence", report);
            foreach (int batch in _settings.DecodeBatches)
            {
                report.GenerateNewTokensPerSecond[$"default_batched_{batch}"] = MeasureGeneration($"generate_new_tokens_per_s.default_batched_{batch}",
                    defaultModel, greedy, _settings.CachedGenerations, $"greedy, KV cache, {batch} sequences in one forward per step", report, batch: batch);
            }
            if (threads > 1)
            {
                report.GenerateNewTokensPerSecond["default_batched_32_parallel"] = MeasureGeneration("generate_new_tokens_per_s.default_batched_32_parallel",
                    defaultModel, greedy, _settings.CachedGenerations, $"greedy, KV cache, {threads} batches of 32 side by side (as evaluation runs)", report,
                    sequences: threads, batch: 32);
            }
            report.GenerateNewTokensPerSecond["default_no_cache"] = MeasureGeneration("generate_new_tokens_per_s.default_no_cache", defaultModel,
                greedy with { UseKvCache = false }, _settings.UncachedGenerations, "greedy, whole context re-run per token (the original's way)", report);
            if (_settings.IncludeExtras)
            {
                MeasureGeneration("  default, top-p 0.95", defaultModel, greedy with { Temperature = 1, TopP = 0.95 }, _settings.CachedGenerations,
                    "KV cache, T 1, top-p 0.95, seed 42 (untrained weights: wide nucleus, worst case)", report);
                MeasureGeneration("  default, explicit attention", defaultModel with { FusedAttention = false }, greedy, _settings.CachedGenerations,
                    "greedy, KV cache", report);
                MeasureGeneration("  default, explicit attention", defaultModel with { FusedAttention = false }, greedy, _settings.CachedGenerations,
                    "greedy, KV cache, 32 sequences in one forward per step", report, batch: 32);
                if (originalDiffers)
                {
                    MeasureGeneration("  original architecture, full vocabulary", original, greedy, _settings.CachedGenerations, "greedy, KV cache", report,
                        vocabulary: TokenVocabulary.Full);
                    MeasureGeneration("  original architecture, full vocabulary", original, greedy with { UseKvCache = false }, _settings.UncachedGenerations,
                        "greedy, whole context re-run per token: the original's play_model", report, vocabulary: TokenVocabulary.Full);
                }
            }
        }
        if (_settings.IncludeExtras && threads > 1)
        {
            MeasureGeneration($"  default @ {threads} torch threads", defaultModel, greedy, _settings.CachedGenerations, "greedy, KV cache, one sequence", report);
            MeasureGeneration($"  default @ {threads} torch threads", defaultModel, greedy, _settings.CachedGenerations, "greedy, KV cache, 32 in one forward", report,
                batch: 32);
        }

        // What the model's own shapes allow on this machine, measured in this run: the bounds beside the targets.
        _progress("rooflines of the model's shapes");
        using (TorchThreads.Use(1)) // as decoding runs
            report.MemoryReadBytesPerSecond = ShapeRoofline.MemoryReadBytesPerSecond(_settings.BandwidthFloats, _settings.Gemm, _ct);
        var decoded = defaultModel with { VocabSize = _compact.Size };
        int promptTokens = PromptIds().Length;
        report.DecodeBatched32Bound = ShapeRoofline.DecodeTokensPerSecondBound(decoded, 32, promptTokens, _settings.NewTokens,
            report.MemoryReadBytesPerSecond);
        report.Rows.Add(new("memory_read_gb_per_s", "-", Format(report.MemoryReadBytesPerSecond / 1e9, "GB/s"),
            $"one thread summing {_settings.BandwidthFloats * sizeof(float) >> 20} MB, best of {_settings.Gemm.MinIterations}"));
        report.Rows.Add(new("generate_bound.default_batched_32", Describe(defaultModel, _compact), Format(report.DecodeBatched32Bound, "new tokens/s"),
            $"memory bound: {ShapeRoofline.DecodeStepBytes(decoded, 32, promptTokens, _settings.NewTokens) / 1e6:F1} MB " +
            "read per step (weights + K/V of 32 sequences at the mean context) at the bandwidth above"));
        report.SftMatmulFlopsPerSecond = ShapeRoofline.SftMatmulFlopsPerSecond(defaultSft.Config, _settings.SftBatch, defaultSft.Width, defaultSft.Supervised,
            _settings.Gemm, _ct);
        report.SftCompactFullEqualRate = tinyCompact.TokensPerSecond / tinyCompact.ModelFlopsPerSecond * tinyFull.ModelFlopsPerSecond / tinyFull.TokensPerSecond;
        int matmulRow = report.Rows.Count;
        report.Rows.Add(new("sft_matmul_bound.default", Describe(defaultModel, _compact), Format(report.SftMatmulFlopsPerSecond / 1e9, "GFLOP/s"),
            $"the step's matrix products alone at their shapes (B{_settings.SftBatch}×{defaultSft.Width}, {defaultSft.Supervised} supervised), forward and backward"));

        _progress($"GEMM {_settings.GemmSize}³ again");
        double gemmAtEnd = MeasureGemm();
        report.GemmGflops = Math.Max(gemmAtStart, gemmAtEnd);
        double peak = report.GemmGflops * 1e9;
        report.SftModelFlopsUtilization["default"] = defaultSft.ModelFlopsPerSecond / peak;
        report.Rows[mfuRow] = report.Rows[mfuRow] with
        {
            Value = Percent(defaultSft.ModelFlopsPerSecond / peak),
            Detail = $"{defaultSft.ModelFlopsPerSecond / 1e9:F1} model GFLOP/s / {report.GemmGflops:F1} GEMM GFLOP/s",
        };
        foreach (var (row, rate) in modelFlopRates)
            report.Rows[row] = report.Rows[row] with { Detail = report.Rows[row].Detail + $", MFU {Percent(rate / peak)}" };
        report.Rows[matmulRow] = report.Rows[matmulRow] with { Detail = report.Rows[matmulRow].Detail + $": MFU ≤ {Percent(report.SftMatmulFlopsPerSecond / peak)}" };
        report.Rows.Insert(0, new("gemm_gflops", "-", Format(report.GemmGflops, "GFLOP/s"),
            $"fp32 {_settings.GemmSize}³ matmul, best of {_settings.Gemm.MinIterations} after {_settings.Gemm.Warmup} warmup, " +
            $"at start ({gemmAtStart:F1}) and end ({gemmAtEnd:F1})"));

        report.Notes.Add("SFT tokens/s count ALL positions of the padded batch (prompt + response + EOS + right padding): B·T per step.");
        report.Notes.Add("SFT step = zero_grad, forward, completion-only loss (head at supervised positions only), backward, clip_grad_norm(1), AdamW (wd 0.01); dropout as the model row says (drop0 = none).");
        report.Notes.Add("DPO step = one policy forward over chosen+rejected rows, precomputed reference log-probs, sigmoid DPO loss (β 0.1), backward, clip, AdamW; dropout off (DpoOptions.PolicyDropout).");
        report.Notes.Add($"Generation: one sequence unless the row says a batch, {_settings.NewTokens} new tokens each after a {PromptIds().Length}-token spec prompt; EOS ignored so every run makes the same number of tokens.");
        report.Notes.Add(ModelFlops.Formula + ".");
        report.Notes.Add("Figures are medians of per-iteration rates after warmup (GEMM: best). Weights are untrained (seeded): speed does not depend on them, except top-p's nucleus size.");
        return report;
    }

    private double MeasureGemm()
    {
        int n = _settings.GemmSize;
        manual_seed(Seed);
        using var a = randn(n, n);
        using var b = randn(n, n);
        double flops = 2.0 * n * n * n;
        var timing = _settings.Gemm.Run(_ => { a.matmul(b); return flops; }, _ct);
        return flops / timing.Best / 1e9;
    }

    /// <summary>Tokens/s and model FLOP/s of SFT steps on batches of real examples.</summary>
    private SftMeasurement MeasureSft(string name, GptConfig shape, TokenVocabulary vocabulary,
        Repetitions repetitions, List<(int Row, double FlopsPerSecond)> modelFlopRates, BenchReport report)
    {
        _progress(name);
        var encoder = new CompletionEncoder(vocabulary, _settings.MaxTokens);
        var examples = _data.SftTrain.Select(e => encoder.Encode(e.Prompt, e.Response)).ToArray();
        var batches = examples.Chunk(_settings.SftBatch).Where(c => c.Length == _settings.SftBatch).ToArray();
        if (batches.Length == 0) throw new InvalidOperationException($"The corpus has fewer than {_settings.SftBatch} SFT examples.");

        GptConfig config = shape with { VocabSize = vocabulary.Size };
        manual_seed(Seed);
        using var model = new GptModel(config);
        model.train();
        var parameters = model.parameters().ToArray();
        using var optimizer = optim.AdamW(parameters, lr: 1e-3, weight_decay: 0.01);
        long blockParameters = ModelFlops.BlockParameters(model);

        var flops = new List<double>();
        var timing = repetitions.Run(i =>
        {
            var batch = batches[i % batches.Length];
            var (ids, mask) = Batching.Pad(batch);
            optimizer.zero_grad();
            var loss = CompletionLoss.Compute(model, ids, mask).MeanNegativeLogLikelihood();
            loss.backward();
            nn.utils.clip_grad_norm_(parameters, 1.0);
            NoGcRegion.Run(() => optimizer.step()); // as the Trainer steps (see NoGcRegion)
            _ = loss.item<float>();
            long supervised = batch.Sum(e => e.Ids.Length - Math.Max(e.LossStart, 1));
            flops.Add(ModelFlops.TrainingStep(config, blockParameters, ids.shape[0], ids.shape[1], supervised));
            return ids.numel();
        }, _ct);
        var timedFlops = flops.Skip(flops.Count - timing.Seconds.Count).ToArray();
        double flopRate = new Timing(timing.Seconds, timedFlops).MedianRate;

        double width = batches.Average(b => b.Max(e => e.Ids.Length));
        double supervisedPerStep = batches.Average(b => b.Sum(e => e.Ids.Length - Math.Max(e.LossStart, 1)));
        modelFlopRates.Add((report.Rows.Count, flopRate));
        report.Rows.Add(new(name, Describe(config, vocabulary), Format(timing.MedianRate, "tokens/s"),
            $"B{_settings.SftBatch}×~{width:F0} tokens, {timing.MedianSeconds * 1000:F0} ms/step (median of {timing.Seconds.Count})"));
        return new(timing.MedianRate, flopRate, config, (int)Math.Round(width), (int)Math.Round(supervisedPerStep));
    }

    /// <summary>Pairs/s of DPO steps (compact vocabulary) with reference log-probs precomputed once, as the trainer does by default.</summary>
    private double MeasureDpo(string name, GptConfig shape, BenchReport report)
    {
        _progress(name);
        var encoder = new CompletionEncoder(_compact, _settings.MaxTokens);
        int n = _settings.DpoPairs;
        var batches = _data.PrefTrain.Select(p => encoder.EncodePair(p.Prompt, p.Chosen, p.Rejected))
            .Chunk(n).Where(c => c.Length == n)
            .Select(c => c.Select(p => p.Chosen).Concat(c.Select(p => p.Rejected)).ToArray()) // chosen rows, then rejected
            .ToArray();
        if (batches.Length == 0) throw new InvalidOperationException($"The corpus has fewer than {n} preference pairs.");

        GptConfig config = shape with { VocabSize = _compact.Size };
        manual_seed(Seed);
        using var model = new GptModel(config);
        model.eval(); // DpoOptions.PolicyDropout is off by default

        // The reference is the policy's starting point; its summed log-probs are computed once, untimed.
        var reference = new float[batches.Length][];
        using (no_grad())
        {
            for (int b = 0; b < batches.Length; b++)
            {
                using var scope = NewDisposeScope();
                var (ids, mask) = Batching.Pad(batches[b]);
                reference[b] = CompletionLoss.Compute(model, ids, mask).SumLogProbs.data<float>().ToArray();
            }
        }

        var parameters = model.parameters().ToArray();
        using var optimizer = optim.AdamW(parameters, lr: 1e-4, weight_decay: 0.0);
        var timing = _settings.FastSteps.Run(i =>
        {
            int b = i % batches.Length;
            var (ids, mask) = Batching.Pad(batches[b]);
            optimizer.zero_grad();
            var policy = CompletionLoss.Compute(model, ids, mask).SumLogProbs;
            var referenceChosen = tensor(reference[b].AsSpan(0, n).ToArray());
            var referenceRejected = tensor(reference[b].AsSpan(n, n).ToArray());
            var dpo = DpoLoss.Compute(policy.narrow(0, 0, n), policy.narrow(0, n, n), referenceChosen, referenceRejected,
                DpoLossType.Sigmoid, beta: 0.1, labelSmoothing: 0.0);
            dpo.Loss.backward();
            nn.utils.clip_grad_norm_(parameters, 1.0);
            NoGcRegion.Run(() => optimizer.step()); // as the Trainer steps (see NoGcRegion)
            _ = dpo.Loss.item<float>();
            return n;
        }, _ct);

        double width = batches.Average(b => b.Max(e => e.Ids.Length));
        report.Rows.Add(new(name, Describe(config, _compact), Format(timing.MedianRate, "pairs/s"),
            $"{n} pairs = {2 * n}×~{width:F0} tokens, {timing.MedianSeconds * 1000:F0} ms/step (median of {timing.Seconds.Count})"));
        return timing.MedianRate;
    }

    /// <summary>New tokens/s of generation through TokenGenerator (compact vocabulary, EOS never stops it): one sequence;
    /// with <paramref name="sequences"/> above 1, that many side by side through <see cref="ParallelPrompts"/> (one torch
    /// thread each); with <paramref name="batch"/> above 1, that many in one batched decode (seeds differ per sequence).
    /// Every sequence's tokens count.</summary>
    private double MeasureGeneration(string name, GptConfig shape, SamplingOptions options, Repetitions repetitions, string detail, BenchReport report,
        int sequences = 1, int batch = 1, TokenVocabulary? vocabulary = null)
    {
        _progress(name);
        vocabulary ??= _compact;
        GptConfig config = shape with { VocabSize = vocabulary.Size };
        manual_seed(Seed);
        using var model = new GptModel(config);
        model.eval();
        int[] prompt = PromptIds();
        // A short untimed generation first: the first calls pay for native code paths and the allocator.
        TokenGenerator.Generate(model, prompt, options with { MaxNewTokens = Math.Min(16, options.MaxNewTokens) }, eosId: null);
        var timing = repetitions.Run(_ =>
        {
            var counts = new int[sequences];
            ParallelPrompts.For(sequences, sequences, s => counts[s] = batch == 1
                ? TokenGenerator.Generate(model, prompt, options, eosId: null).Tokens.Count
                : TokenGenerator.GenerateBatch(model, [.. Enumerable.Range(0, batch).Select(i => new DecodeRequest(prompt, options with { Seed = Seed + i }))],
                    eosId: null).Sum(r => r.Tokens.Count));
            return counts.Sum();
        }, _ct);
        report.Rows.Add(new(name, Describe(config, vocabulary), Format(timing.MedianRate, "new tokens/s"),
            $"{detail}; {timing.MedianSeconds * 1000:F0} ms/run (median of {timing.Seconds.Count})"));
        return timing.MedianRate;
    }

    /// <summary>One SFT measurement: its rates, and the model and mean step shape they were measured at.</summary>
    private readonly record struct SftMeasurement(double TokensPerSecond, double ModelFlopsPerSecond, GptConfig Config, int Width, int Supervised);

    /// <summary>A real spec prompt (the first SFT test prompt), its tail cut to the configured length.</summary>
    private int[] PromptIds()
    {
        string prompt = (_data.SftTest.Count > 0 ? _data.SftTest : _data.SftTrain)[0].Prompt;
        int[] ids = _compact.Encode(prompt);
        return ids.Length <= _settings.PromptTokens ? ids : ids[^_settings.PromptTokens..];
    }

    private static string Describe(GptConfig c, TokenVocabulary v) =>
        FormattableString.Invariant($"d{c.DModel} L{c.NLayers} H{c.NHeads} V{v.Size}{(c.FusedAttention ? " fused" : "")}{(c.Dropout == 0 ? " drop0" : "")}");

    private static string Percent(double fraction) => fraction.ToString("P1", CultureInfo.InvariantCulture);

    private static string Format(double value, string unit) =>
        value.ToString(value >= 100 ? "N0" : "N2", CultureInfo.InvariantCulture) + " " + unit;
}
