#!/usr/bin/env bash
# Regenerates capture-init's golden files (tests/Capture.Init.Tests/Golden/NAME.dry-run, NAME.ipv4.rules, NAME.ipv6.rules)
# from the cases in tests/Capture.Init.Tests/Golden/GoldenCases.cs. Review the diff like code.
#
#   scripts/update-golden.sh                  # goldens only (no root needed)
#   scripts/update-golden.sh --save-fixtures  # also (as root) load every golden into the real iptables-nft-restore and
#                                             # iptables-legacy-restore in a throwaway network namespace and record
#                                             # the -save output in tests/Capture.Init.Tests/Fixtures/Save/ (the parser's
#                                             # test input: parse(save(render(plan))) == plan)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

golden=tests/Capture.Init.Tests/Golden
fixtures=tests/Capture.Init.Tests/Fixtures/Save

rm -f "$golden"/*.rules "$golden"/*.dry-run
dotnet build tests/Capture.Init.Tests -c Release -nologo -clp:ErrorsOnly
CAPTURE_UPDATE_GOLDEN=1 dotnet test tests/Capture.Init.Tests -c Release --no-build --nologo \
  --filter "FullyQualifiedName~Capture.Init.Tests.Golden.GoldenTests.DryRun_GoldenCase_MatchesGoldenFiles"
# The files were just written into the source tree; build again so the test output has the new copies.
dotnet build tests/Capture.Init.Tests -c Release -nologo -clp:ErrorsOnly >/dev/null
echo "goldens: $(ls "$golden"/*.rules | wc -l) payload files in $golden"

if [[ "${1:-}" != "--save-fixtures" ]]; then
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "--save-fixtures needs root (network namespaces)" >&2
  exit 1
fi

mkdir -p "$fixtures"
rm -f "$fixtures"/*.save
namespace=""
cleanup() { if [[ -n "$namespace" ]]; then ip netns delete "$namespace" 2>/dev/null || true; fi; }
trap cleanup EXIT

for payload in "$golden"/*.rules; do
  file=$(basename "$payload" .rules)          # NAME.ipv4 or NAME.ipv6
  case "$file" in
    *.ipv4) tool=iptables ;;
    *.ipv6) tool=ip6tables ;;
    *) echo "unexpected golden $payload" >&2; exit 1 ;;
  esac
  for backend in nft legacy; do
    # A fresh namespace per load: nothing else in it, and nft and legacy never see each other's tables.
    namespace="cap-rules-$RANDOM$RANDOM"
    ip netns add "$namespace"
    ip netns exec "$namespace" "$tool-$backend-restore" --noflush <"$payload"
    # Timestamps in the "# Generated/Completed" comments would churn every regeneration; the parser skips comments.
    ip netns exec "$namespace" "$tool-$backend-save" | grep -v '^#' >"$fixtures/$file.$backend.save"
    ip netns delete "$namespace"
    namespace=""
  done
done
echo "fixtures: $(ls "$fixtures"/*.save | wc -l) save outputs in $fixtures"
