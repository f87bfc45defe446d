#!/usr/bin/env bash
# Proves a ProjectReference consumer works with no manual step: creates a fresh console project in a temp folder
# OUTSIDE the repository (so none of the repository's Directory.Build.* files apply to it), references
# src/HorrorAlign.ML/HorrorAlign.ML.csproj with a ProjectReference, builds it and runs a program that
#   1. uses TorchSharp directly, before any HorrorAlign.ML code runs (the native library must already load), then
#   2. calls the library's public API: the tiny pipeline run, then a greedy story from the model zip it wrote.
# Then publishes it for linux-x64 (natives flattened beside the app) and runs that too.
#
#   eng/verify-project-reference.sh
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$repo/eng/consumer-project.sh"
work="$(mktemp -d "${TMPDIR:-/tmp}/horroralign-projref.XXXXXX")"
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/consumer"
cd "$work/consumer"
write_consumer_project "<ProjectReference Include=\"$repo/src/HorrorAlign.ML/HorrorAlign.ML.csproj\" />"
cat > Program.cs <<'CS'
using HorrorAlign.ML;
using HorrorAlign.ML.Data;
using HorrorAlign.ML.Generation;
using HorrorAlign.ML.Pipeline;
using static TorchSharp.torch;

// 1. TorchSharp alone, first.
float sum = ones(2, 3).matmul(ones(3, 4)).sum().item<float>();
Console.WriteLine($"TorchSharp OK: sum = {sum}");
if (sum != 24f) return 1;

// 2. The library, through its public API: the tiny preset of the whole pipeline (data, SFT, mining, DPO, evaluation,
//    an ML.NET zip), then a story from the zip it wrote.
string folder = Path.Combine(Path.GetTempPath(), "horroralign-projref-run-" + Guid.NewGuid().ToString("N"));
using (var run = AlignmentPipeline.Run(RunOptions.Tiny with { EvalSpecs = 1 }, folder))
    Console.WriteLine($"AlignmentPipeline OK: DPO model trained, {run.DpoEvaluation.Constraints?.Count} story evaluated");
using var model = ModelArchive.Load(Path.Combine(folder, AlignmentPipeline.ModelFile));
string text = TextGenerator.Generate(model, BenchmarkSpecs.TestSpecs(1)[0].ToPrompt(),
    new SamplingOptions { Temperature = 0, MaxNewTokens = 8 });
Console.WriteLine($"StoryModel OK: generated {text.Length} characters");
Directory.Delete(folder, recursive: true);
return 0;
CS

dotnet build -c Release -nologo -v quiet
dotnet run -c Release --no-build -nologo
if [ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ]; then
  dotnet publish -c Release -r linux-x64 --self-contained false -o "$work/publish" -nologo -v quiet
  "$work/publish/Consumer"
fi
