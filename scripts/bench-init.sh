#!/usr/bin/env bash
# Times capture-init end to end (process start, backend detection, state check, apply) with the istio-init container's
# default arguments, each run in a fresh network namespace, side by side in the same run with the same rules applied the
# old istio-iptables.sh way (one iptables call per rule), with capture-init --native-nftables (Istio's nft tables, one
# nft -f) and, for reference, with one bare iptables-restore, one bare nft -f of the same transaction and capture-init
# --version (the start-up every run pays). The ways take turns within every round.
# Prints median and p90 of each and the ratio, then the processes one capture-init run spawns (strace).
# Usage (as root): scripts/bench-init.sh [RUNS] [OTHER_CAPTURE_INIT ...]
#   RUNS default 20; env: BACKEND=nft|legacy, default nft.
#   OTHER_CAPTURE_INIT: further capture-init executables (e.g. a copy of artifacts/bin/capture-init before a change),
#   each timed the same way (apply and --version), interleaved with the others in every round, to measure a change.
#   CAPTURE_BIN=DIR: take capture-init from DIR instead of publishing artifacts/bin.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

runs=${1:-${RUNS:-20}}
others=("${@:2}")
for other in "${others[@]}"; do
  [[ -x "$other" ]] || { echo "bench-init: $other is not an executable" >&2; exit 1; }
done
backend=${BACKEND:-nft}
if [[ $(id -u) -ne 0 ]]; then
  echo "bench-init: needs root (it creates network namespaces); run: sudo $0" >&2
  exit 1
fi

scripts/install-deps.sh
if [[ -n "${CAPTURE_BIN:-}" ]]; then
  bin=$CAPTURE_BIN/capture-init
else
  scripts/publish.sh init >/dev/null
  bin=$PWD/artifacts/bin/capture-init
fi
args=(-p 15001 -z 15006 -u 1337 -m REDIRECT -i '*' -x "" -b '*' -d 15090,15021,15020)
prefix="cap-bench-init-$$"

cleanup() {
  for ns in $(ip netns list | awk '{print $1}' | grep "^${prefix}-" || true); do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns delete "$ns" 2>/dev/null || true
  done
}
trap cleanup EXIT

fresh_ns() { # fresh_ns NAME: a new namespace with lo up
  ip netns add "$1"
  ip -n "$1" link set lo up
}

now_ns() { date +%s%N; }

# The rule set, from capture-init itself, so all three variants apply exactly the same rules.
payload=$("$bin" "${args[@]}" --dry-run --ipv6 false 2>/dev/null | sed -n '/^# iptables-restore/,/^COMMIT/p' | grep -v '^#')
# The per-rule way: "iptables -t TABLE -N CHAIN" / "-A CHAIN …" per line, as istio-iptables.sh ran them.
per_rule=$(awk -v ipt="iptables-$backend" '
  /^\* / { table = $2; next }
  /^-[NAI] / { print ipt " -t " table " " $0 }' <<<"$payload")
rule_count=$(grep -c '^-[AI] ' <<<"$payload")
call_count=$(wc -l <<<"$per_rule")
# The nft transaction of the same flags (--native-nftables --dry-run prints "# nft -f -", the transaction, then "# ip"
# lines; REDIRECT has none), for the bare nft -f reference.
transaction=$("$bin" "${args[@]}" --native-nftables --dry-run --ipv6 false 2>/dev/null | grep -v '^#')
nft_rule_count=$(grep -cE '^(add|insert) rule ' <<<"$transaction")

# nft is what detection picks in a fresh namespace, so it is left to detection (part of what is timed); legacy must be forced.
force=()
[[ $backend == nft ]] || force=(--force-iptables-binary "$backend")

declare -a t_init t_rules t_restore t_version t_nft t_nft_bare
declare -A t_other_init t_other_version # "index" -> space-separated microseconds
for ((i = 1; i <= runs; i++)); do
  for j in "${!others[@]}"; do
    ns="$prefix-$i-other$j"; fresh_ns "$ns"
    start=$(now_ns)
    "${others[$j]}" "${args[@]}" "${force[@]}" --network-namespace "/var/run/netns/$ns" 2>/dev/null
    t_other_init[$j]+=" $(( ($(now_ns) - start) / 1000 ))"
    ip netns delete "$ns"
    start=$(now_ns)
    "${others[$j]}" --version >/dev/null
    t_other_version[$j]+=" $(( ($(now_ns) - start) / 1000 ))"
  done

  ns="$prefix-$i-init"; fresh_ns "$ns"
  start=$(now_ns)
  "$bin" "${args[@]}" "${force[@]}" --network-namespace "/var/run/netns/$ns" 2>/dev/null
  t_init+=($(( ($(now_ns) - start) / 1000 )))
  if ! ip netns exec "$ns" "iptables-$backend-save" | grep -c -- '-A OUTPUT -j ISTIO_OUTPUT' >/dev/null; then
    echo "bench-init: capture-init run $i did not apply the rules" >&2; exit 1
  fi
  ip netns delete "$ns"

  # Timed inside the namespace, so entering it (ip netns exec) is not counted against the per-rule way.
  ns="$prefix-$i-rules"; fresh_ns "$ns"
  t_rules+=($(ip netns exec "$ns" bash -c '
    start=$(date +%s%N)
    while IFS= read -r line; do eval "$line" || exit 1; done <<<"$1"
    echo $(( ($(date +%s%N) - start) / 1000 ))' _ "$per_rule"))
  ip netns delete "$ns"

  # The same flags with --native-nftables: nft --version, nft -j list ruleset, one nft -f.
  ns="$prefix-$i-nft"; fresh_ns "$ns"
  start=$(now_ns)
  "$bin" "${args[@]}" --native-nftables --network-namespace "/var/run/netns/$ns" 2>/dev/null
  t_nft+=($(( ($(now_ns) - start) / 1000 )))
  # grep -c reads to the end: with pipefail, grep -q quitting early can fail the pipeline with nft's SIGPIPE.
  if ! ip netns exec "$ns" nft list chain inet istio-proxy-nat istio-redirect | grep -c 'redirect to :15001' >/dev/null; then
    echo "bench-init: capture-init --native-nftables run $i did not apply the tables" >&2; exit 1
  fi
  ip netns delete "$ns"

  # The same binary doing no work (--version): .NET start-up plus building the command line, what every run pays.
  start=$(now_ns)
  "$bin" --version >/dev/null
  t_version+=($(( ($(now_ns) - start) / 1000 )))

  ns="$prefix-$i-restore"; fresh_ns "$ns"
  t_restore+=($(ip netns exec "$ns" bash -c '
    start=$(date +%s%N)
    "$2" --noflush <<<"$1" || exit 1
    echo $(( ($(date +%s%N) - start) / 1000 ))' _ "$payload" "iptables-$backend-restore"))
  ip netns delete "$ns"

  ns="$prefix-$i-nftbare"; fresh_ns "$ns"
  t_nft_bare+=($(ip netns exec "$ns" bash -c '
    start=$(date +%s%N)
    nft -f - <<<"$1" || exit 1
    echo $(( ($(date +%s%N) - start) / 1000 ))' _ "$transaction"))
  ip netns delete "$ns"
done

stats() { # stats MICROSECONDS… → "median p90" in ms
  printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END {
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    p = v[int(0.9 * NR + 0.999)]
    printf "%.1f %.1f", m / 1000, p / 1000 }'
}
read -r init_median init_p90 <<<"$(stats "${t_init[@]}")"
read -r rules_median rules_p90 <<<"$(stats "${t_rules[@]}")"
read -r restore_median restore_p90 <<<"$(stats "${t_restore[@]}")"
read -r version_median version_p90 <<<"$(stats "${t_version[@]}")"
read -r nft_median nft_p90 <<<"$(stats "${t_nft[@]}")"
read -r nft_bare_median nft_bare_p90 <<<"$(stats "${t_nft_bare[@]}")"

echo
echo "capture-init (iptables and --native-nftables) vs per-rule iptables, $runs runs each, ways interleaved, fresh namespace per run, iptables-$backend, $rule_count rules ($call_count iptables calls the per-rule way)"
printf '%-58s %10s %10s\n' "variant" "median ms" "p90 ms"
printf '%-58s %10s %10s\n' "capture-init end to end (Native AOT, --network-namespace)" "$init_median" "$init_p90"
printf '%-58s %10s %10s\n' "one iptables call per rule (istio-iptables.sh way)" "$rules_median" "$rules_p90"
printf '%-58s %10s %10s\n' "capture-init --native-nftables end to end ($nft_rule_count nft rules)" "$nft_median" "$nft_p90"
printf '%-58s %10s %10s\n' "one bare iptables-restore (reference floor)" "$restore_median" "$restore_p90"
printf '%-58s %10s %10s\n' "one bare nft -f of the same transaction (nft floor)" "$nft_bare_median" "$nft_bare_p90"
printf '%-58s %10s %10s\n' "capture-init --version (start-up and parsing, no work)" "$version_median" "$version_p90"
for j in "${!others[@]}"; do
  # shellcheck disable=SC2086 # space-separated lists of numbers
  read -r m p <<<"$(stats ${t_other_init[$j]})"
  printf '%-58s %10s %10s\n' "other $((j + 1)) end to end (${others[$j]##*/})" "$m" "$p"
  # shellcheck disable=SC2086
  read -r m p <<<"$(stats ${t_other_version[$j]})"
  printf '%-58s %10s %10s\n' "other $((j + 1)) --version" "$m" "$p"
done
awk -v a="$rules_median" -v b="$init_median" 'BEGIN { printf "per-rule / capture-init (median): %.2fx\n", a / b }'
awk -v a="$init_median" -v b="$rules_median" 'BEGIN { printf "capture-init / per-rule (median): %.2fx\n", a / b }'
awk -v a="$nft_median" -v b="$init_median" 'BEGIN { printf "capture-init --native-nftables / capture-init iptables (median): %.2fx\n", a / b }'
awk -v a="$nft_median" -v b="$rules_median" 'BEGIN { printf "capture-init --native-nftables / per-rule (median): %.2fx\n", a / b }'
awk -v a="$nft_bare_median" -v b="$restore_median" 'BEGIN { printf "bare nft -f / bare iptables-restore (median): %.2fx\n", a / b }'
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

if command -v strace >/dev/null 2>&1; then
  ns="$prefix-strace"; fresh_ns "$ns"
  trace=$(mktemp)
  strace -f -qq -e trace=execve -o "$trace" "$bin" "${args[@]}" "${force[@]}" --network-namespace "/var/run/netns/$ns" 2>/dev/null
  echo
  echo "processes one capture-init run spawns (strace -f -e trace=execve, first is capture-init itself):"
  grep -E 'execve\(' "$trace" | grep -v ENOENT | sed -E 's/^[0-9]+ +//; s/execve\("([^"]+)", \[([^]]*)\].*/  \1  [\2]/' | cut -c1-150
  ip netns delete "$ns"
  ns="$prefix-strace-nft"; fresh_ns "$ns"
  strace -f -qq -e trace=execve -o "$trace" "$bin" "${args[@]}" --native-nftables --network-namespace "/var/run/netns/$ns" 2>/dev/null
  echo "processes one capture-init --native-nftables run spawns:"
  grep -E 'execve\(' "$trace" | grep -v ENOENT | sed -E 's/^[0-9]+ +//; s/execve\("([^"]+)", \[([^]]*)\].*/  \1  [\2]/' | cut -c1-150
  rm -f "$trace"
  ip netns delete "$ns"
fi
