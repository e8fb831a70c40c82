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

# The integration tests run the published Native AOT executables (what ships), so publish them when artifacts/bin lacks
# them or they are older than their sources. A failed publish does not stop the run: the tests that need the
# executables fail saying so, and the failure is counted below.
# shellcheck source=lib/common.sh
source scripts/lib/common.sh
publish_failed=0
publish_started=$SECONDS
publish_if_stale "$PWD" init proxy || publish_failed=1
echo "test.sh: publishing took $((SECONDS - publish_started)) s$( ((publish_failed)) && echo ' and FAILED')"

# One dotnet test per project, all at once, each with its own trx file: a shared results directory with VSTest's
# default names (a per-second timestamp) can let two projects overwrite each other's counts.
projects=(tests/*/*.Tests.csproj)
echo "test.sh: running ${#projects[@]} test projects: ${projects[*]}"
pids=()
for project in "${projects[@]}"; do
  name=$(basename "$project" .csproj)
  dotnet test "$project" -c Release --no-build --nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" --results-directory "$results" \
    >"$results/$name.log" 2>&1 &
  pids+=($!)
done

status=0 passed=0 failed=0 skipped=0 failures=()
for i in "${!projects[@]}"; do
  name=$(basename "${projects[$i]}" .csproj)
  rc=0
  wait "${pids[$i]}" || rc=$?
  echo "===== $name (exit $rc)"
  cat "$results/$name.log"
  trx="$results/$name.trx"
  if [[ ! -f "$trx" ]]; then
    echo "test.sh: $name produced no results (exit $rc): counted as one failure" >&2
    failed=$((failed + 1)) status=1
    continue
  fi
  ((rc == 0)) || status=1
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
  while IFS= read -r test; do failures+=("$name|$test"); done < <(
    grep -o '<UnitTestResult [^>]*outcome="\(Failed\|Error\|Timeout\|Aborted\)"' "$trx" |
      sed -n 's/.* testName="\([^"]*\)".*/\1/p' | sed 's/&quot;/"/g; s/&amp;/\&/g; s/&lt;/</g; s/&gt;/>/g')
done

if ((publish_failed)); then
  echo "test.sh: scripts/publish.sh init proxy failed (its output is above): counted as one failure" >&2
  failed=$((failed + 1)) status=1
fi

# The images and the Kubernetes manifests for real (scripts/pods.sh: podman builds both Dockerfiles and plays the
# example manifests as pods, the HBONE pair included), after the test projects so the image builds do not compete with them for the CPU. Its last
# line is its own "pods.sh: N passed, N failed, N skipped", added in here; a machine that cannot run it (no root, no
# packages, no kernel support) gets a skip saying what is missing.
pods_rc=0
scripts/pods.sh >"$results/pods.sh.log" 2>&1 || pods_rc=$?
echo "===== pods.sh (exit $pods_rc)"
cat "$results/pods.sh.log"
pods_counts=$(tail -n 1 "$results/pods.sh.log")
if [[ $pods_counts =~ ^pods\.sh:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]]; then
  passed=$((passed + BASH_REMATCH[1])) failed=$((failed + BASH_REMATCH[2])) skipped=$((skipped + BASH_REMATCH[3]))
  ((BASH_REMATCH[2] == 0)) || failures+=("pods.sh|$(grep -m 1 '^    FAIL ' "$results/pods.sh.log" | sed 's/^    FAIL  //' || true)")
else
  echo "test.sh: pods.sh printed no counts (exit $pods_rc): counted as one failure" >&2
  failed=$((failed + 1)) failures+=("pods.sh|no counts (exit $pods_rc)")
fi
((pods_rc == 0)) || status=1

# CI shows only the tail of this output: repeat each failure (name and the first lines of its message and stack
# trace, from the console log) just above the summary line, so the tail alone says what broke.
if ((${#failures[@]} > 0)); then
  echo "===== ${#failures[@]} failed test(s)"
  for entry in "${failures[@]}"; do
    name=${entry%%|*} test=${entry#*|}
    echo "--- $name: $test"
    awk -v t="  Failed $test" 'on && /^  (Passed|Failed|Skipped) / { exit } on && ++n <= 14 { print } index($0, t) == 1 { on = 1 }' \
      "$results/$name.log"
  done
fi
((publish_failed == 0)) || echo "===== scripts/publish.sh init proxy failed: the tests that run the executables failed with it"
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if ((status != 0 || failed != 0)); then exit 1; fi
