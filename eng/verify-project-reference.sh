#!/usr/bin/env bash
# Proves a ProjectReference consumer works with no manual step: creates a fresh console project in a temp folder
# OUTSIDE the repository (so none of the repository's Directory.Build.* files apply to it), references
# src/HorrorAlign.ML/HorrorAlign.ML.csproj with a ProjectReference, builds it and runs a program that
#   1. uses TorchSharp directly, before any HorrorAlign.ML code runs (the native library must already load), then
#   2. calls the library: a tiny GptModel forward pass and a greedy generation from a tiny StoryModel.
# Then publishes it for linux-x64 (natives flattened beside the app) and runs that too.
#
#   eng/verify-project-reference.sh
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/horroralign-projref.XXXXXX")"
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/consumer"
cd "$work/consumer"
cat > Consumer.csproj <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
  </PropertyGroup>
  <ItemGroup>
    <ProjectReference Include="$repo/src/HorrorAlign.ML/HorrorAlign.ML.csproj" />
  </ItemGroup>
</Project>
XML
cat > Program.cs <<'CS'
using HorrorAlign.ML.Generation;
using HorrorAlign.ML.Modeling;
using HorrorAlign.ML.Persistence;
using HorrorAlign.ML.Tokenization;
using static TorchSharp.torch;

// 1. TorchSharp alone, first.
float sum = ones(2, 3).matmul(ones(3, 4)).sum().item<float>();
Console.WriteLine($"TorchSharp OK: sum = {sum}");
if (sum != 24f) return 1;

// 2. The library: a one-layer model over a compact vocabulary.
manual_seed(1);
var vocabulary = TokenVocabulary.BuildCompact(["The ferry left at dawn.", "Nobody on the island answered the bell."]);
var config = new GptConfig { VocabSize = vocabulary.Size, DModel = 16, NHeads = 2, NLayers = 1, ContextLength = 64, Dropout = 0 };
using var story = new StoryModel(new GptModel(config), vocabulary);
story.Model.eval();
using (no_grad())
{
    var ids = tensor(new long[] { 1, 2, 3, 4, 5 }, [1, 5]);
    var logits = story.Model.forward(ids);
    Console.WriteLine($"GptModel OK: logits [{string.Join(", ", logits.shape)}]");
    if (!logits.shape.SequenceEqual(new long[] { 1, 5, vocabulary.Size })) return 2;
}
string text = TextGenerator.Generate(story, "The ferry", new SamplingOptions { Temperature = 0, MaxNewTokens = 8 });
Console.WriteLine($"StoryModel OK: generated {text.Length} characters");
return 0;
CS

dotnet build -c Release -nologo -v quiet
dotnet run -c Release --no-build -nologo
if [ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ]; then
  dotnet publish -c Release -r linux-x64 --self-contained false -o "$work/publish" -nologo -v quiet
  "$work/publish/Consumer"
fi
