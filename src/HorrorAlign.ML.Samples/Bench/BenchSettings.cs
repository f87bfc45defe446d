using HorrorAlign.ML.Synthesis;

namespace HorrorAlign.ML.Samples.Bench;

/// <summary>
/// Sizes and repetition counts of a benchmark run. <see cref="Full"/> measures the shapes the issue defines (batch 8
/// of ~260-token template examples, 200 new tokens after a ~120-token prompt) and keeps a whole run near 2–3 minutes
/// on 2 cores; <see cref="QuickRun"/> uses tiny shapes and one iteration each, to check the plumbing in seconds.
/// </summary>
public sealed record BenchSettings
{
    /// <summary>True for the tiny smoke-test run (numbers are not meaningful).</summary>
    public bool Quick { get; init; }

    /// <summary>Side of the square fp32 matrices of the roofline GEMM.</summary>
    public int GemmSize { get; init; } = 2048;

    /// <summary>GEMM repetitions (the best one is reported).</summary>
    public Repetitions Gemm { get; init; } = new(Warmup: 2, MinIterations: 5, MaxIterations: 5, MinSeconds: 0);

    /// <summary>Values summed to measure memory bandwidth (256 MB: far beyond the last-level cache).</summary>
    public long BandwidthFloats { get; init; } = 64L << 20;

    /// <summary>Examples per SFT step.</summary>
    public int SftBatch { get; init; } = 8;

    /// <summary>Preference pairs per DPO step (the policy sees 2× as many rows).</summary>
    public int DpoPairs { get; init; } = 4;

    /// <summary>Most tokens per encoded example (the trainer's MaxTokens default).</summary>
    public int MaxTokens { get; init; } = 384;

    /// <summary>Most prompt tokens for generation (the prompt's tail is kept); the real prompts are ~120 tokens.</summary>
    public int PromptTokens { get; init; } = 384;

    /// <summary>New tokens per generation.</summary>
    public int NewTokens { get; init; } = 200;

    /// <summary>Batch sizes of the batched-decoding rows (<c>generate_new_tokens_per_s.default_batched_B</c>; 32 is a target).</summary>
    public IReadOnlyList<int> DecodeBatches { get; init; } = [8, 32, 128];

    /// <summary>Also measure the table-only rows: the original architecture (d_model 256, 8 heads, 4 layers) when it is
    /// not the default, fused-attention and no-dropout variants, top-p sampling and single-thread generation.</summary>
    public bool IncludeExtras { get; init; } = true;

    /// <summary>Training steps at full GPT-2 vocabulary (about a second each on 2 cores).</summary>
    public Repetitions SlowSteps { get; init; } = new(Warmup: 1, MinIterations: 3, MaxIterations: 3, MinSeconds: 0);

    /// <summary>Training steps of compact-vocabulary models.</summary>
    public Repetitions FastSteps { get; init; } = new(Warmup: 2, MinIterations: 5, MaxIterations: 40, MinSeconds: 3);

    /// <summary>Cached generations (one = NewTokens tokens).</summary>
    public Repetitions CachedGenerations { get; init; } = new(Warmup: 0, MinIterations: 3, MaxIterations: 10, MinSeconds: 2);

    /// <summary>Uncached generations (re-run the whole context per token; the short warmup generation is enough).</summary>
    public Repetitions UncachedGenerations { get; init; } = new(Warmup: 0, MinIterations: 2, MaxIterations: 3, MinSeconds: 2);

    /// <summary>The generated corpus (template prompts and stories).</summary>
    public DatasetOptions Data { get; init; } = new();

    /// <summary>The full measurement.</summary>
    public static BenchSettings Full { get; } = new();

    /// <summary>Tiny shapes and a single iteration of everything (for the smoke test).</summary>
    public static BenchSettings QuickRun { get; } = new()
    {
        Quick = true,
        GemmSize = 256,
        BandwidthFloats = 1L << 20,
        Gemm = new(Warmup: 0, MinIterations: 2, MaxIterations: 2, MinSeconds: 0),
        SftBatch = 2,
        DpoPairs = 1,
        MaxTokens = 48,
        PromptTokens = 24,
        NewTokens = 8,
        IncludeExtras = false,
        SlowSteps = new(Warmup: 0, MinIterations: 1, MaxIterations: 1, MinSeconds: 0),
        FastSteps = new(Warmup: 0, MinIterations: 1, MaxIterations: 1, MinSeconds: 0),
        CachedGenerations = new(Warmup: 0, MinIterations: 1, MaxIterations: 1, MinSeconds: 0),
        UncachedGenerations = new(Warmup: 0, MinIterations: 1, MaxIterations: 1, MinSeconds: 0),
        Data = new DatasetOptions
        {
            SftTrainSize = 4, SftValidationSize = 0, SftTestSize = 1,
            PrefTrainSize = 2, PrefValidationSize = 0, PrefTestSize = 0,
            HeldOutSpecCount = 0,
        },
    };
}
