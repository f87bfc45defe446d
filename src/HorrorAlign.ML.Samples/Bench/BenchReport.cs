using System.Text.Json;
using HorrorAlign.ML.IO;

namespace HorrorAlign.ML.Samples.Bench;

/// <summary>Everything one benchmark run measured: the figures of the JSON file plus table-only rows and notes.</summary>
public sealed class BenchReport
{
    /// <summary>CPU, cores, OS, .NET and torch threads.</summary>
    public required string Machine { get; init; }

    /// <summary>Whether this was a --quick run (tiny shapes; figures not meaningful).</summary>
    public bool Quick { get; init; }

    /// <summary>fp32 GEMM GFLOP/s (best of several).</summary>
    public double GemmGflops { get; set; }

    /// <summary>SFT tokens/s (all B·T positions of the padded batch): tiny_full_vocab, tiny_compact_vocab, default.</summary>
    public Dictionary<string, double> SftTokensPerSecond { get; } = new(StringComparer.Ordinal);

    /// <summary>SFT model-FLOP utilisation against <see cref="GemmGflops"/>: default.</summary>
    public Dictionary<string, double> SftModelFlopsUtilization { get; } = new(StringComparer.Ordinal);

    /// <summary>DPO pairs/s: tiny, default.</summary>
    public Dictionary<string, double> DpoPairsPerSecond { get; } = new(StringComparer.Ordinal);

    /// <summary>New tokens/s of batch-1 generation: default_kv_cache, default_no_cache.</summary>
    public Dictionary<string, double> GenerateNewTokensPerSecond { get; } = new(StringComparer.Ordinal);

    /// <summary>Bytes/s one thread reads from memory (the bandwidth roofline of batched decoding).</summary>
    public double MemoryReadBytesPerSecond { get; set; }

    /// <summary>New tokens/s that 32 sequences decoded together on one thread cannot exceed: every step reads the
    /// weights and the K/V of all 32 at <see cref="MemoryReadBytesPerSecond"/>.</summary>
    public double DecodeBatched32Bound { get; set; }

    /// <summary>FLOP/s of the default SFT step's matrix products alone, at their real shapes (the most the step can reach).</summary>
    public double SftMatmulFlopsPerSecond { get; set; }

    /// <summary>Compact / full vocabulary SFT tokens/s if both ran at the same FLOP/s: the ratio of their FLOPs per token.</summary>
    public double SftCompactFullEqualRate { get; set; }

    /// <summary>Table rows in measurement order (JSON figures and extra ones).</summary>
    public List<BenchRow> Rows { get; } = [];

    /// <summary>Lines printed under the table.</summary>
    public List<string> Notes { get; } = [];

    /// <summary>The issue's targets, computed from this run's figures.</summary>
    public IReadOnlyList<BenchTarget> Targets() =>
    [
        new("SFT compact / full vocabulary (d_model 128)", SftTokensPerSecond["tiny_compact_vocab"] / SftTokensPerSecond["tiny_full_vocab"], 8, "×",
            $"{SftCompactFullEqualRate:F1}× at equal FLOP/s (FLOPs per token)"),
        new("generation KV cache / no cache (default)", GenerateNewTokensPerSecond["default_kv_cache"] / GenerateNewTokensPerSecond["default_no_cache"], 5, "×"),
        new("SFT model-FLOP utilisation (default)", SftModelFlopsUtilization["default"], 0.5, "",
            $"≤ {SftMatmulFlopsPerSecond / (GemmGflops * 1e9):P1} (its matrix products alone)"),
        new("cached generation (default)", GenerateNewTokensPerSecond["default_kv_cache"], 1000, "tokens/s"),
        new("batched generation B=32 / one sequence (default)", GenerateNewTokensPerSecond["default_batched_32"] / GenerateNewTokensPerSecond["default_kv_cache"], 20, "×",
            $"≤ {DecodeBatched32Bound / GenerateNewTokensPerSecond["default_kv_cache"]:F1}× (memory bandwidth)"),
        new("batched generation B=32 (default)", GenerateNewTokensPerSecond["default_batched_32"], 5000, "tokens/s",
            $"≤ {DecodeBatched32Bound:F0} (memory bandwidth)"),
    ];

    /// <summary>Writes the JSON summary (exactly the issue's keys) atomically to <paramref name="path"/>.</summary>
    public void WriteJson(string path) => AtomicFile.Write(path, stream =>
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("machine", Machine);
        w.WriteNumber("gemm_gflops", Math.Round(GemmGflops, 2));
        WriteGroup(w, "sft_tokens_per_s", SftTokensPerSecond, ["tiny_full_vocab", "tiny_compact_vocab", "default"], 1);
        WriteGroup(w, "sft_model_flops_utilization", SftModelFlopsUtilization, ["default"], 4);
        WriteGroup(w, "dpo_pairs_per_s", DpoPairsPerSecond, ["tiny", "default"], 2);
        WriteGroup(w, "generate_new_tokens_per_s", GenerateNewTokensPerSecond, ["default_kv_cache", "default_no_cache", "default_batched_32"], 1);
        w.WriteStartObject("rooflines");
        w.WriteNumber("memory_read_gb_per_s", Math.Round(MemoryReadBytesPerSecond / 1e9, 2));
        w.WriteNumber("generate_new_tokens_per_s_bound_batched_32", Math.Round(DecodeBatched32Bound, 1));
        w.WriteNumber("sft_matmul_gflops_default", Math.Round(SftMatmulFlopsPerSecond / 1e9, 2));
        w.WriteNumber("sft_compact_full_equal_rate", Math.Round(SftCompactFullEqualRate, 2));
        w.WriteEndObject();
        w.WriteEndObject();
    });

    private static void WriteGroup(Utf8JsonWriter w, string name, Dictionary<string, double> values, string[] keys, int digits)
    {
        w.WriteStartObject(name);
        foreach (string key in keys) w.WriteNumber(key, Math.Round(values[key], digits));
        w.WriteEndObject();
    }
}
