#!/usr/bin/env bash
# Proves the packed library works OUTSIDE the repository: packs src/HorrorAlign.ML into a local folder, creates a
# fresh console project in a temp folder (so none of the repository's Directory.Build.* files apply), references
# the package from that folder, and runs a program. By default the program is a TorchSharp smoke test; pass a C#
# file to use it as the whole Program.cs instead (CI passes the README's "Use it from ML.NET" block). Like a user's
# app, the consumer references TorchSharp-cpu itself (the package depends on the managed TorchSharp only).
#
#   eng/verify-package.sh [Program.cs]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$repo/eng/consumer-project.sh"
work="$(mktemp -d "${TMPDIR:-/tmp}/horroralign-pkg.XXXXXX")"
trap 'rm -rf "$work"' EXIT
# A unique version, so a package cached from an earlier run is never reused.
version="0.1.0-verify.$(date +%s)"

dotnet pack "$repo/src/HorrorAlign.ML" -c Release -o "$work/feed" -p:Version="$version" \
  --artifacts-path "$work/artifacts" -nologo -v quiet

mkdir -p "$work/consumer"
cd "$work/consumer"
cat > nuget.config <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="local" value="$work/feed" />
  </packageSources>
</configuration>
XML
write_consumer_project "<PackageReference Include=\"HorrorAlign.ML\" Version=\"$version\" />"
if [ $# -ge 1 ]; then
  cp "$1" Program.cs
else
  cat > Program.cs <<'CS'
using static TorchSharp.torch;
var a = ones(2, 3);
var b = ones(3, 4);
var c = a.matmul(b);
Console.WriteLine($"TorchSharp OK: sum = {c.sum().item<float>()}");
if (c.sum().item<float>() != 24f) return 1;
return 0;
CS
fi
dotnet run -c Release -nologo
