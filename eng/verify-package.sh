#!/usr/bin/env bash
# Proves the packed library works OUTSIDE the repository: packs src/HorrorAlign.ML into a local folder, creates a
# fresh console project in a temp folder (so none of the repository's Directory.Build.* files apply), references
# the package from that folder, and runs a program. By default the program is a TorchSharp smoke test; pass a C#
# file to use it as the whole Program.cs instead (CI passes the README's "Use it from ML.NET" block). Like a user's
# app, the consumer references TorchSharp-cpu itself (the package depends on the managed TorchSharp only). Before
# that, it checks the package's metadata: MIT licence, repository URL, a .snupkg whose pdb has SourceLink.
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

# The package's metadata, as Microsoft's packages have it: the MIT licence expression, the repository, and a symbols
# package (.snupkg) whose pdb carries SourceLink to that repository.
repository_url="https://github.com/horroralign/HorrorAlign.ML"
nupkg="$work/feed/HorrorAlign.ML.$version.nupkg"
snupkg="$work/feed/HorrorAlign.ML.$version.snupkg"
package_error() { echo "verify-package: $1" >&2; exit 1; }
command -v unzip >/dev/null || package_error "unzip is needed to read the package"
test -f "$snupkg" || package_error "no symbols package $(basename "$snupkg") beside $(basename "$nupkg")"
unzip -q -o "$nupkg" HorrorAlign.ML.nuspec -d "$work/nupkg"
unzip -q -o "$snupkg" lib/net10.0/HorrorAlign.ML.pdb -d "$work/snupkg"
nuspec="$work/nupkg/HorrorAlign.ML.nuspec"
grep -q '<license type="expression">MIT</license>' "$nuspec" || package_error "the nuspec has no MIT licence expression"
grep -q "<repository type=\"git\" url=\"$repository_url\"" "$nuspec" || package_error "the nuspec has no git repository $repository_url"
grep -q "<projectUrl>$repository_url</projectUrl>" "$nuspec" || package_error "the nuspec has no project URL $repository_url"
grep -aq "raw.githubusercontent.com/${repository_url#https://github.com/}/" "$work/snupkg/lib/net10.0/HorrorAlign.ML.pdb" \
  || package_error "the symbols package's pdb has no SourceLink to $repository_url"
echo "Package OK: MIT licence, repository $repository_url, $(basename "$snupkg") with SourceLink"

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
