#!/usr/bin/env bash
# Benchmarks capture-proxy against no proxy (direct) and HAProxy with splice, in one run, on the same path:
# a client namespace joined by veth to a peer namespace. The two proxied clients sit in "pods" with capture-init's
# default istio-init rules, their proxy (capture-proxy or HAProxy, UID/GID 1337) on 127.0.0.1:15001.
#
#   direct  : client ───────────────────────────────► peer (iperf3, rr/cps/idle servers)
#   capture : client ─► rules ─► capture-proxy:15001 ─► peer
#   haproxy : client ─► rules ─► haproxy:15001 (splice) ─► peer
#
# Figures: bulk throughput (iperf3, one stream) and proxy CPU-seconds per GB; short connections per second
# (connect, 1 KiB each way, close; 64 at a time) and proxy CPU per connection; 1-byte ping-pong round trip p50/p99 and what the proxy adds;
# proxy RSS idle and with N idle connections. Prints a markdown table with ratios.
#
# Usage: sudo scripts/bench.sh [--no-install] [--quick] [--only PARTS] [--ways WAYS] [--rounds N] [--baseline DIR]
#   --quick       shorter runs (3 s bulk, 2 s cps, 5,000 round trips, 2,000 idle connections): for checking the script
#   --only PARTS  comma-separated subset of bulk,cps,rr,idle (default: all); idle RSS is always read
#   --ways WAYS   comma-separated subset of direct,capture,haproxy (default: all three)
#   --rounds N    measure bulk, cps and rr N times, the ways taking turns in a rotating order within each round, and
#                 report each figure's median (default 1). On a shared machine a figure drifts over a minute; taking
#                 turns puts every way through the same drift, so the ratios hold up where one pass does not.
#   --baseline DIR  also measure DIR/capture-proxy (another build, e.g. the commit before a change) as a fourth way,
#                 "baseline", in its own pod, taking turns with the others; a second table compares it with this build
# Environment: BULK_SECONDS (10), CPS_SECONDS (5), CPS_CONCURRENCY (64), RR_COUNT (20000), IDLE_CONNECTIONS (10000),
#              CAPTURE_BIN (use binaries from this directory instead of publishing to artifacts/bin)
#
# sudo scripts/bench.sh --hbone [...]: the HBONE benchmark instead (pod A → pod B: direct, capture plaintext, capture
# HBONE, HAProxy mTLS pair); scripts/bench-hbone.sh, whose --help says more.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
for arg in "$@"; do
  if [[ $arg == --hbone ]]; then exec "$root/scripts/bench-hbone.sh" "$@"; fi
done
# shellcheck source=lib/common.sh
source "$root/scripts/lib/common.sh"
# shellcheck source=lib/netns.sh
source "$root/scripts/lib/netns.sh"

install=true quick=false parts=bulk,cps,rr,idle only_ways=direct,capture,haproxy rounds=1 baseline_bin=""
while (($#)); do
  case "$1" in
    --no-install) install=false ;;
    --quick) quick=true ;;
    --only) parts=${2:?--only needs a list, e.g. bulk,idle}; shift ;;
    --ways) only_ways=${2:?--ways needs a list, e.g. capture,haproxy}; shift ;;
    --rounds) rounds=${2:?--rounds needs a count}; shift ;;
    --baseline) baseline_bin=$(cd "${2:?--baseline needs a directory holding capture-proxy}" && pwd); shift ;;
    -h | --help) sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
for part in ${parts//,/ }; do
  [[ $part =~ ^(bulk|cps|rr|idle)$ ]] || { echo "bench.sh: --only: unknown part '$part' (bulk, cps, rr, idle)" >&2; exit 2; }
done
[[ $rounds =~ ^[1-9][0-9]?$ ]] || { echo "bench.sh: --rounds: expected a count from 1 to 99, got '$rounds'" >&2; exit 2; }
for way in ${only_ways//,/ }; do
  [[ $way =~ ^(direct|capture|haproxy)$ ]] || { echo "bench.sh: --ways: unknown way '$way' (direct, capture, haproxy)" >&2; exit 2; }
done
# part NAME / wanted WAY: whether this run measures it.
part() { [[ ",$parts," == *",$1,"* ]]; }
wanted() { [[ ",$only_ways," == *",$1,"* ]]; }
require_root

if [[ $quick == true ]]; then
  : "${BULK_SECONDS:=3}" "${CPS_SECONDS:=2}" "${RR_COUNT:=5000}" "${IDLE_CONNECTIONS:=2000}"
fi
bulk_seconds=${BULK_SECONDS:-10}
cps_seconds=${CPS_SECONDS:-5}
cps_concurrency=${CPS_CONCURRENCY:-64}
rr_count=${RR_COUNT:-20000}
idle_wanted=${IDLE_CONNECTIONS:-10000}
bin=${CAPTURE_BIN:-$root/artifacts/bin}
init_args=(-p 15001 -z 15006 -u 1337 -m REDIRECT -i '*' -x "" -b '*' -d 15090,15021,15020)
as_proxy=(setpriv --reuid 1337 --regid 1337 --clear-groups --inh-caps=-all --bounding-set=-all)
clk_tck=$(getconf CLK_TCK)
work=""
bench_traps

# ---------------------------------------------------------------------------------------------------------------
step "Installing iperf3 and haproxy, publishing capture-init, capture-proxy and capture-peer"
if [[ $install == true ]]; then "$root/scripts/install-deps.sh" --bench; fi
for tool in iperf3 haproxy setpriv ip; do command -v "$tool" >/dev/null || die "$tool is missing (scripts/install-deps.sh --bench)"; done
if [[ -z "${CAPTURE_BIN:-}" ]]; then publish_if_stale "$root" init proxy peer; fi
peer=$bin/capture-peer
"$bin/capture-init" --help >/dev/null 2>&1 || die "capture-init is not usable ($bin/capture-init --help failed)"
if wanted capture && ! "$bin/capture-proxy" --help 2>/dev/null | grep -q -- '--outbound-port'; then
  say "capture-proxy is not finished yet: not measuring it"
  only_ways=${only_ways//capture/}
fi
ways=()
for way in direct capture haproxy; do
  if wanted "$way"; then ways+=("$way"); fi
done
((${#ways[@]})) || die "--ways left nothing to measure"
if [[ -n $baseline_bin ]]; then
  "$baseline_bin/capture-proxy" --help 2>/dev/null | grep -q -- '--outbound-port' || die "--baseline: $baseline_bin/capture-proxy is not usable"
  ways+=(baseline)
fi

# Descriptor limits: a proxy holds two descriptors per idle connection, and HAProxy reserves two more per splice
# pipe (maxpipes, set to 512 below) and refuses to start if the limit cannot cover all of it. Raise the soft
# limit to the hard one (and the hard one too, when we may); size the idle test to what the limit allows.
ulimit -Hn 1048576 2>/dev/null || true
ulimit -Sn "$(ulimit -Hn)"
nofile=$(ulimit -Sn)
idle_count=$idle_wanted
if ((2 * idle_count + 2000 > nofile)); then
  idle_count=$(((nofile - 2000) / 2 / 100 * 100))
  say "nofile limit is $nofile here (and may not be raised): idle test uses $idle_count connections, not $idle_wanted"
fi
work=$(mktemp -d /tmp/capbench.XXXXXX)
chmod 755 "$work"

# ---------------------------------------------------------------------------------------------------------------
step "Building the path: peer namespace with servers; direct, capture and haproxy client namespaces"
netns_init capbench
netns_add peer
declare -A peer_ip client_ns
n=1
for way in "${ways[@]}"; do
  netns_add "$way"
  netns_veth "$way" eth0 "10.55.$n.2/24" peer "p-$way" "10.55.$n.1/24"
  peer_ip[$way]=10.55.$n.1
  n=$((n + 1))
done
for ns in peer "${ways[@]}"; do
  # Namespace-local sysctls, the same everywhere: many short connections need ports and quick TIME_WAIT reuse.
  nsx "$ns" sysctl -qw net.ipv4.ip_local_port_range="1024 65000" net.ipv4.tcp_tw_reuse=1
done
netns_spawn peer "$work/iperf3.log" iperf3 -s -p 5201
netns_spawn peer "$work/rr.log" "$peer" rr-server --port 9001
netns_spawn peer "$work/cps.log" "$peer" cps-server --port 9002
netns_spawn peer "$work/idle.log" "$peer" idle-server --port 9003
for way in "${ways[@]}"; do
  wait_until 10 "the peer's servers to answer from $way" nsx "$way" "$peer" rr-client --host "${peer_ip[$way]}" --port 9001 --count 10 --warmup 0
done
ok "peer servers: iperf3 5201, rr 9001, cps 9002, idle 9003"

step "capture-init (istio-init defaults) in the capture and haproxy pods; starting the proxies as UID 1337"
declare -A proxy_pid
for way in "${ways[@]}"; do
  [[ $way != direct ]] || continue
  nsx "$way" "$bin/capture-init" "${init_args[@]}" >"$work/$way-init.log" 2>&1 ||
    { cat "$work/$way-init.log" >&2; die "capture-init failed in $way"; }
done
if [[ -v 'peer_ip[capture]' ]]; then
  netns_spawn capture "$work/capture-proxy.log" env -u HOME DOTNET_gcServer=0 "${as_proxy[@]}" "$bin/capture-proxy" --access-log false
  proxy_pid[capture]=$SPAWNED_PID
fi
if [[ -v 'peer_ip[baseline]' ]]; then
  netns_spawn baseline "$work/baseline-proxy.log" env -u HOME DOTNET_gcServer=0 "${as_proxy[@]}" "$baseline_bin/capture-proxy" --access-log false
  proxy_pid[baseline]=$SPAWNED_PID
fi
# PROXY.md's HAProxy peer: a REDIRECTed listener, transparent to the original destination, splice both ways.
haproxy_maxconn=$((idle_count + 200))
cat >"$work/haproxy.cfg" <<EOF
global
  maxconn $haproxy_maxconn
  maxpipes 512
defaults
  mode tcp
  timeout connect 10s
  timeout client 1h
  timeout server 1h
listen outbound
  bind 127.0.0.1:15001
  option splice-request
  option splice-response
  server orig 0.0.0.0
EOF
if [[ -v 'peer_ip[haproxy]' ]]; then
  netns_spawn haproxy "$work/haproxy.log" "${as_proxy[@]}" haproxy -db -f "$work/haproxy.cfg"
  proxy_pid[haproxy]=$SPAWNED_PID
fi
for way in "${!proxy_pid[@]}"; do
  wait_until 20 "the $way proxy to carry a connection" nsx "$way" "$peer" rr-client --host "${peer_ip[$way]}" --port 9001 --count 10 --warmup 0
  uid=$(awk '/^Uid:/{print $2}' "/proc/${proxy_pid[$way]}/status")
  ((uid == 1337)) || die "$way proxy runs as UID $uid, not 1337"
done
ok "proxies up: ${!proxy_pid[*]} (UID 1337)"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$1/status"; }
anon_kb() { awk '/^Anonymous:/{print $2}' "/proc/$1/smaps_rollup"; }
mb() { [[ -z "$1" ]] && printf '–' || awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
declare -A r
sleep 1 # let start-up work (JIT, first allocations) settle before the idle reading
for way in "${!proxy_pid[@]}"; do
  r[$way.rss_idle]=$(rss_kb "${proxy_pid[$way]}")
  # The split: anonymous memory (heaps, stacks) vs the rest: pages of the executable and libraries (and .NET's W^X memfd).
  r[$way.anon_idle]=$(anon_kb "${proxy_pid[$way]}")
  say "$way idle: RSS $(mb "${r[$way.rss_idle]}") MB, of which anonymous $(mb "${r[$way.anon_idle]}") MB"
done

# ---------------------------------------------------------------------------------------------------------------
# One measurement of one way; round N's figures go to r[way.name.N], the table's median to r[way.name].
measure_bulk() {
  local way=$1 n=$2 pid=${proxy_pid[$1]:-} t0 t1 bytes bps
  step "$way: bulk throughput, iperf3 one stream for ${bulk_seconds}s$(round_label "$n")"
  t0=$([[ -z $pid ]] && echo 0 || cpu_ticks "$pid")
  nsx "$way" iperf3 -c "${peer_ip[$way]}" -p 5201 -t "$bulk_seconds" -J >"$work/$way-iperf.json" ||
    die "iperf3 through $way failed: $(grep -m1 '"error"' "$work/$way-iperf.json" || true)"
  t1=$([[ -z $pid ]] && echo 0 || cpu_ticks "$pid")
  # The receiver's view of the whole run, from the "sum_received" object of iperf3's JSON end section.
  read -r bytes bps < <(awk '/"sum_received"/ {s = 1} s && /"bytes"/ {gsub(/[,]/, ""); b = $2}
                             s && /"bits_per_second"/ {gsub(/[,]/, ""); print b, $2; exit}' "$work/$way-iperf.json")
  [[ -n "${bytes:-}" && -n "${bps:-}" ]] || die "could not read iperf3's result for $way"
  r[$way.gbps.$n]=$(awk -v b="$bps" 'BEGIN {printf "%.2f", b / 1e9}')
  r[$way.gb.$n]=$(awk -v b="$bytes" 'BEGIN {printf "%.2f", b / 1e9}')
  if [[ -n $pid ]]; then
    r[$way.cpu_per_gb.$n]=$(awk -v t="$((t1 - t0))" -v hz="$clk_tck" -v b="$bytes" 'BEGIN {printf "%.3f", (t / hz) / (b / 1e9)}')
    say "${r[$way.gbps.$n]} Gbit/s, ${r[$way.gb.$n]} GB moved, proxy CPU $(awk -v t="$((t1 - t0))" -v hz="$clk_tck" 'BEGIN {printf "%.2f", t / hz}') s → ${r[$way.cpu_per_gb.$n]} CPU-s/GB"
  else
    say "${r[$way.gbps.$n]} Gbit/s, ${r[$way.gb.$n]} GB moved"
  fi
}

measure_cps() {
  local way=$1 n=$2 pid=${proxy_pid[$1]:-} line t0 t1
  step "$way: short connections, 1 KiB each way, $cps_concurrency at a time for ${cps_seconds}s$(round_label "$n")"
  t0=$([[ -z $pid ]] && echo 0 || cpu_ticks "$pid")
  line=$(nsx "$way" "$peer" cps-client --host "${peer_ip[$way]}" --port 9002 --concurrency "$cps_concurrency" --duration "$cps_seconds" 2>/dev/null) ||
    die "cps-client through $way failed: $line"
  t1=$([[ -z $pid ]] && echo 0 || cpu_ticks "$pid")
  r[$way.cps.$n]=$(printf '%.0f' "$(kv cps "$line")")
  # The rate also depends on how much CPU the client and server get on a small machine; the proxy's own CPU time
  # per connection does not.
  if [[ -n $pid ]]; then
    r[$way.cpu_per_conn.$n]=$(awk -v t="$((t1 - t0))" -v hz="$clk_tck" -v c="$(kv connections "$line")" 'BEGIN {printf "%.1f", (t / hz) * 1e6 / c}')
  fi
  say "${r[$way.cps.$n]} connections/s ($(kv connections "$line") in $(kv seconds "$line") s, $(kv errors "$line") errors)$(
    [[ -z $pid ]] || echo ", proxy CPU ${r[$way.cpu_per_conn.$n]} µs per connection")"
}

measure_rr() {
  local way=$1 n=$2 line
  step "$way: 1-byte ping-pong, $rr_count round trips$(round_label "$n")"
  line=$(nsx "$way" "$peer" rr-client --host "${peer_ip[$way]}" --port 9001 --count "$rr_count" 2>/dev/null) ||
    die "rr-client through $way failed"
  r[$way.p50.$n]=$(kv p50_us "$line")
  r[$way.p99.$n]=$(kv p99_us "$line")
  say "p50 ${r[$way.p50.$n]} µs, p99 ${r[$way.p99.$n]} µs"
}

measure_idle() {
  local way=$1 pid=${proxy_pid[$1]} line idle_pid
  step "$way: proxy memory with $idle_count idle connections"
  r[$way.rss_before]=$(rss_kb "$pid")
  netns_spawn "$way" "$work/$way-idle.log" "$peer" idle-client --host "${peer_ip[$way]}" --port 9003 --count "$idle_count" --hold 300
  idle_pid=$SPAWNED_PID
  wait_until 120 "$idle_count idle connections through $way" grep -q 'opened=' "$work/$way-idle.log"
  line=$(grep 'opened=' "$work/$way-idle.log")
  [[ $(kv failed "$line") == 0 ]] || die "idle connections through $way failed: $line"
  sleep 2 # let the proxy finish its connects upstream and settle
  r[$way.rss_conns]=$(rss_kb "$pid")
  netns_stop "$idle_pid"
  r[$way.per_conn]=$(awk -v a="${r[$way.rss_conns]}" -v b="${r[$way.rss_before]}" -v n="$idle_count" 'BEGIN {printf "%.2f", (a - b) * 1024 / n / 1000}')
  say "RSS $((r[$way.rss_before] / 1024)) MB before, $((r[$way.rss_conns] / 1024)) MB with $idle_count connections: ${r[$way.per_conn]} KB per connection"
}

round_label() { ((rounds == 1)) || printf ' (round %d of %d)' "$1" "$rounds"; }

# median NAME: the median over the rounds of r[way.NAME.N] for every way, stored as r[way.NAME] (even counts: the
# mean of the middle two).
median() {
  local way n values
  for way in "${ways[@]}"; do
    values=()
    for ((n = 1; n <= rounds; n++)); do
      [[ -z "${r[$way.$1.$n]:-}" ]] || values+=("${r[$way.$1.$n]}")
    done
    ((${#values[@]})) || continue
    r[$way.$1]=$(printf '%s\n' "${values[@]}" | sort -g | awk -v f="$2" '{v[NR] = $1} END {m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf f, m}')
  done
}

# Memory first, while the proxies are as fresh as a pod's: after the other parts their heaps have grown, and idle
# connections would then fit into memory already taken.
if part idle; then
  for way in "${ways[@]}"; do
    [[ -z ${proxy_pid[$way]:-} ]] || measure_idle "$way"
  done
fi

# Each round runs every way once per part, starting one way further along each time, so no way is always first
# (the one that runs after a long idle) or always last.
for part_name in bulk cps rr; do
  part "$part_name" || continue
  for ((n = 1; n <= rounds; n++)); do
    for ((i = 0; i < ${#ways[@]}; i++)); do
      "measure_$part_name" "${ways[$(((i + n - 1) % ${#ways[@]}))]}" "$n"
    done
  done
done
median gbps '%.2f'; median gb '%.2f'; median cpu_per_gb '%.3f'; median cps '%.0f'; median cpu_per_conn '%.1f'
median p50 '%.1f'; median p99 '%.1f'

# ---------------------------------------------------------------------------------------------------------------
step "Results"
get() { printf '%s' "${r[$1]:-}"; }
# ratio A B: A/B with two decimals, or – when either is missing or B is 0.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "–"; else printf "%.2f×\n", a / b }'; }
added() { [[ -z "$1" || -z "$2" ]] && printf '–' || awk -v a="$1" -v d="$2" 'BEGIN {printf "%+.1f", a - d}'; }
row() { printf '| %s | %s | %s | %s | %s | %s |\n' "$@"; }
cpu_model=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
table=$work/table.md
{
  echo "Benchmark: $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) vCPU ${cpu_model:-$(uname -m)}; kernel $(uname -r);"
  echo "$(haproxy -v | head -n 1 | awk '{print "HAProxy", $3}'); capture-proxy from $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$(
    [[ -z "${CAPTURE_BIN:-}" ]] || echo " (binaries from CAPTURE_BIN=$CAPTURE_BIN)");"
  echo "one stream ${bulk_seconds}s; ${cps_concurrency}×short connections ${cps_seconds}s; ${rr_count} round trips; ${idle_count} idle connections$(
    ((rounds == 1)) || echo "; medians of $rounds rounds, the ways taking turns")."
  echo
  row "Measure" "direct" "capture-proxy" "HAProxy (splice)" "capture ÷ HAProxy" "capture ÷ direct"
  row "---" "---:" "---:" "---:" "---:" "---:"
  row "Bulk throughput, Gbit/s" "$(get direct.gbps)" "$(get capture.gbps)" "$(get haproxy.gbps)" \
    "$(ratio "$(get capture.gbps)" "$(get haproxy.gbps)")" "$(ratio "$(get capture.gbps)" "$(get direct.gbps)")"
  row "Proxy CPU-seconds per GB" "–" "$(get capture.cpu_per_gb)" "$(get haproxy.cpu_per_gb)" \
    "$(ratio "$(get capture.cpu_per_gb)" "$(get haproxy.cpu_per_gb)")" "–"
  row "Short connections per second" "$(get direct.cps)" "$(get capture.cps)" "$(get haproxy.cps)" \
    "$(ratio "$(get capture.cps)" "$(get haproxy.cps)")" "$(ratio "$(get capture.cps)" "$(get direct.cps)")"
  row "Proxy CPU per short connection, µs" "–" "$(get capture.cpu_per_conn)" "$(get haproxy.cpu_per_conn)" \
    "$(ratio "$(get capture.cpu_per_conn)" "$(get haproxy.cpu_per_conn)")" "–"
  row "Round trip p50, µs" "$(get direct.p50)" "$(get capture.p50)" "$(get haproxy.p50)" \
    "$(ratio "$(get capture.p50)" "$(get haproxy.p50)")" "$(ratio "$(get capture.p50)" "$(get direct.p50)")"
  row "Round trip p99, µs" "$(get direct.p99)" "$(get capture.p99)" "$(get haproxy.p99)" \
    "$(ratio "$(get capture.p99)" "$(get haproxy.p99)")" "$(ratio "$(get capture.p99)" "$(get direct.p99)")"
  row "Added p50 / p99 vs direct, µs" "–" "$(added "$(get capture.p50)" "$(get direct.p50)") / $(added "$(get capture.p99)" "$(get direct.p99)")" \
    "$(added "$(get haproxy.p50)" "$(get direct.p50)") / $(added "$(get haproxy.p99)" "$(get direct.p99)")" "–" "–"
  row "Proxy RSS idle, MB" "–" "$(mb "$(get capture.rss_idle)")" "$(mb "$(get haproxy.rss_idle)")" \
    "$(ratio "$(get capture.rss_idle)" "$(get haproxy.rss_idle)")" "–"
  row "… of which anonymous, MB" "–" "$(mb "$(get capture.anon_idle)")" "$(mb "$(get haproxy.anon_idle)")" \
    "$(ratio "$(get capture.anon_idle)" "$(get haproxy.anon_idle)")" "–"
  row "Proxy RSS with $idle_count idle connections, MB" "–" "$(mb "$(get capture.rss_conns)")" "$(mb "$(get haproxy.rss_conns)")" \
    "$(ratio "$(get capture.rss_conns)" "$(get haproxy.rss_conns)")" "–"
  row "RSS per idle connection, KB" "–" "$(get capture.per_conn)" "$(get haproxy.per_conn)" \
    "$(ratio "$(get capture.per_conn)" "$(get haproxy.per_conn)")" "–"
  if ((rounds > 1)) && [[ -v 'peer_ip[capture]' && -v 'peer_ip[haproxy]' ]]; then
    echo
    echo "capture ÷ HAProxy in each round (the table above: medians over the rounds):"
    echo
    printf '| Round | Bulk throughput | CPU per GB | Short connections/s | CPU per connection | p50 | p99 |\n'
    printf '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
    for ((n = 1; n <= rounds; n++)); do
      printf '| %d |' "$n"
      for name in gbps cpu_per_gb cps cpu_per_conn p50 p99; do
        printf ' %s |' "$(ratio "$(get "capture.$name.$n")" "$(get "haproxy.$name.$n")")"
      done
      echo
    done
  fi
  if [[ -v 'peer_ip[baseline]' && -v 'peer_ip[capture]' ]]; then
    echo
    echo "This build against the baseline (--baseline $baseline_bin), same run:"
    echo
    printf '| Measure | capture-proxy | baseline | capture ÷ baseline | capture ÷ HAProxy | baseline ÷ HAProxy |\n'
    printf '| --- | ---: | ---: | ---: | ---: | ---: |\n'
    for name in gbps cpu_per_gb cps cpu_per_conn p50 p99 rss_idle rss_conns per_conn; do
      printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "$(get "capture.$name")" "$(get "baseline.$name")" \
        "$(ratio "$(get "capture.$name")" "$(get "baseline.$name")")" "$(ratio "$(get "capture.$name")" "$(get "haproxy.$name")")" \
        "$(ratio "$(get "baseline.$name")" "$(get "haproxy.$name")")"
    done
    if ((rounds > 1)); then
      echo
      echo "capture ÷ HAProxy / baseline ÷ HAProxy in each round:"
      echo
      printf '| Round | Bulk throughput | CPU per GB | Short connections/s | CPU per connection | p50 | p99 |\n'
      printf '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
      for ((n = 1; n <= rounds; n++)); do
        printf '| %d |' "$n"
        for name in gbps cpu_per_gb cps cpu_per_conn p50 p99; do
          printf ' %s / %s |' "$(ratio "$(get "capture.$name.$n")" "$(get "haproxy.$name.$n")")" \
            "$(ratio "$(get "baseline.$name.$n")" "$(get "haproxy.$name.$n")")"
        done
        echo
      done
    fi
  fi
} >"$table"
echo
cat "$table"
mkdir -p "$root/artifacts"
cp "$table" "$root/artifacts/bench.md"
echo
say "table saved to artifacts/bench.md"
