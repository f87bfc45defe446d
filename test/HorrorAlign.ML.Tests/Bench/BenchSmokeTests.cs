using System.Text.Json;
using HorrorAlign.ML.Tests.App;

namespace HorrorAlign.ML.Tests.Bench;

public sealed class BenchSmokeTests
{
    /// <summary>The --quick bench runs every measurement end to end (tiny shapes) and writes exactly the JSON keys.</summary>
    [Fact]
    public void QuickBenchWritesEveryJsonKeyWithPositiveFigures()
    {
        string dir = Path.Combine(Path.GetTempPath(), "horroralign-bench-" + Guid.NewGuid().ToString("N"));
        string path = Path.Combine(dir, "bench.json");
        try
        {
            // One torch thread: two threads crawl when other tests keep both cores busy.
            var run = CliRun.Invoke(["bench", "--quick", "--threads", "1", "--json", path]);
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.DoesNotContain("PASS", run.Out); // a smoke run judges no target
            Assert.DoesNotContain("FAIL", run.Out);

            using var json = JsonDocument.Parse(File.ReadAllText(path));
            var root = json.RootElement;
            Assert.Equal(
                ["machine", "gemm_gflops", "sft_tokens_per_s", "sft_model_flops_utilization", "dpo_pairs_per_s", "generate_new_tokens_per_s", "rooflines"],
                root.EnumerateObject().Select(p => p.Name).ToArray());
            Assert.Contains("torch threads 1", root.GetProperty("machine").GetString());
            Assert.True(root.GetProperty("gemm_gflops").GetDouble() > 0);

            var groups = new Dictionary<string, string[]>
            {
                ["sft_tokens_per_s"] = ["tiny_full_vocab", "tiny_compact_vocab", "default"],
                ["sft_model_flops_utilization"] = ["default"],
                ["dpo_pairs_per_s"] = ["tiny", "default"],
                ["generate_new_tokens_per_s"] = ["default_kv_cache", "default_no_cache", "default_batched_32"],
                ["rooflines"] = ["memory_read_gb_per_s", "generate_new_tokens_per_s_bound_batched_32", "sft_matmul_gflops_default", "sft_compact_full_equal_rate"],
            };
            foreach (var (group, keys) in groups)
            {
                var element = root.GetProperty(group);
                Assert.Equal(keys, element.EnumerateObject().Select(p => p.Name).ToArray());
                foreach (string key in keys)
                    Assert.True(element.GetProperty(key).GetDouble() > 0, $"{group}.{key} should be positive");
            }
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
