#!/usr/bin/env bash
# Builds the solution and runs every test project; the last line is the total over all of them:
#   N passed, N failed, N skipped
# Tests that need root (network namespaces, iptables) skip with a reason when run unprivileged.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# On a fresh machine as root, install what the tests use (iptables, iproute2); a no-op when present.
if [[ $(id -u) -eq 0 ]]; then scripts/install-deps.sh; fi

results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"

dotnet build Capture.sln -c Release -nologo -clp:ErrorsOnly
status=0
dotnet test Capture.sln -c Release --no-build --nologo \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" || status=$?

passed=0 failed=0 skipped=0 files=0
for trx in "$results"/*.trx; do
  [[ -e "$trx" ]] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
done

if ((files == 0)) && ((status != 0)); then
  failed=$((failed + 1)) # the run broke before any project reported: count it as a failure, not as silence
fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if ((status != 0 || failed != 0)); then exit 1; fi
