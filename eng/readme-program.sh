#!/usr/bin/env bash
# Prints the first ```csharp block under the README heading "## Use it from ML.NET" — the program a user copies as
# the whole Program.cs of a fresh console project. CI runs it through eng/verify-package.sh.
set -euo pipefail
readme="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/README.md"
awk '
  /^## Use it from ML.NET/ { section = 1; next }
  section && /^## / { exit }
  section && !inblock && /^```csharp/ { inblock = 1; next }
  inblock && /^```/ { exit }
  inblock { print }
' "$readme"
