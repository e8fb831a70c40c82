#!/usr/bin/env bash
# The HBONE benchmark (scripts/bench.sh --hbone): pod A → pod B over a veth, four ways of carrying the same traffic,
# measured in one run, the ways taking turns:
#
#   direct  : A ──────────────────────────────────────────────────────────► B's servers
#   plain   : A ─► rules ─► capture-proxy:15001 ─► B's rules ─► capture-proxy:15006 ─► B's servers (today's path)
#   hbone   : A ─► rules ─► capture-proxy:15001 ══ mTLS HTTP/2 CONNECT ══► B's capture-proxy:15008 ─► B's servers
#   haproxy : A ─► rules ─► HAProxy:15001 ══ TLS 1.3, client certificate, PROXY v2 ══► B's HAProxy:15008 ─► B's servers
#
# Both pods of every proxied way have capture-init's default istio-init rules and run their proxy as UID/GID 1337;
# credentials come from scripts/hbone-certs.sh (one CA, one SPIFFE certificate per pod). HAProxy does the same job
# the way a user would pick instead of HBONE: `ssl crt … verify required ca-file …` towards B, whose HAProxy requires
# a client certificate from the same CA; the original destination travels in a PROXY v2 header.
#
# Figures: bulk Gbit/s (iperf3, one stream) and the CPU seconds per GB of both proxies together; short connections
# per second (64 at a time, 1 KiB each way) and both proxies' CPU per connection; 1-byte round trips p50/p99; RSS of
# both proxies with N open tunnelled connections. Ratios against the HAProxy mTLS pair.
#
# Usage: sudo scripts/bench.sh --hbone [--no-install] [--quick] [--rounds N] [--only PARTS] [--baseline DIR]
#   --quick       3 s bulk, 2 s cps, 5,000 round trips: for checking the script
#   --rounds N    bulk, cps and rr N times, the ways in a rotating order each round; medians reported (default 1)
#   --only PARTS  comma-separated subset of bulk,cps,rr,idle (default all)
#   --baseline DIR  also DIR/capture-proxy (another build, e.g. the commit before a change) as a fifth way,
#                 "baseline", HBONE in its own pair of pods, taking turns with the others; a second table compares
#                 this build's HBONE with it. The bulk lines say how the CPU splits between A's and B's proxy.
# Environment: BULK_SECONDS (10), CPS_SECONDS (5), CPS_CONCURRENCY (64), RR_COUNT (20000), IDLE_CONNECTIONS (1000),
#              CAPTURE_BIN (binaries from this directory instead of publishing to artifacts/bin)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/common.sh
source "$root/scripts/lib/common.sh"
# shellcheck source=lib/netns.sh
source "$root/scripts/lib/netns.sh"

install=true quick=false rounds=1 parts=bulk,cps,rr,idle baseline=""
while (($#)); do
  case "$1" in
    --hbone) ;;
    --no-install) install=false ;;
    --quick) quick=true ;;
    --rounds) rounds=${2:?--rounds needs a count}; shift ;;
    --only) parts=${2:?--only needs a list, e.g. bulk,rr}; shift ;;
    --baseline) baseline=${2:?--baseline needs a directory holding capture-proxy}; shift ;;
    -h | --help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "$0"; exit 0 ;;
    *) echo "bench.sh --hbone: unknown argument '$1' (try --hbone --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ $rounds =~ ^[1-9][0-9]?$ ]] || { echo "bench.sh --hbone: --rounds: expected a count from 1 to 99, got '$rounds'" >&2; exit 2; }
for p in ${parts//,/ }; do
  [[ $p =~ ^(bulk|cps|rr|idle)$ ]] || { echo "bench.sh --hbone: --only: unknown part '$p' (bulk, cps, rr, idle)" >&2; exit 2; }
done
part() { [[ ",$parts," == *",$1,"* ]]; }
if [[ -n $baseline ]]; then
  [[ -x $baseline/capture-proxy ]] || { echo "bench.sh --hbone: --baseline: no executable $baseline/capture-proxy" >&2; exit 2; }
  baseline=$(cd "$baseline" && pwd)
fi
require_root
if [[ $quick == true ]]; then
  : "${BULK_SECONDS:=3}" "${CPS_SECONDS:=2}" "${RR_COUNT:=5000}"
fi
bulk_seconds=${BULK_SECONDS:-10}
cps_seconds=${CPS_SECONDS:-5}
cps_concurrency=${CPS_CONCURRENCY:-64}
rr_count=${RR_COUNT:-20000}
idle_count=${IDLE_CONNECTIONS:-1000}
bin=${CAPTURE_BIN:-$root/artifacts/bin}
init_args=(-p 15001 -z 15006 -u 1337 -m REDIRECT -i '*' -x "" -b '*' -d 15090,15021,15020)
as_proxy=(setpriv --reuid 1337 --regid 1337 --clear-groups --inh-caps=-all --bounding-set=-all)
clk_tck=$(getconf CLK_TCK)
ways=(direct plain hbone haproxy)
proxied=(plain hbone haproxy)
if [[ -n $baseline ]]; then ways+=(baseline) proxied+=(baseline); fi
work=""
bench_traps

# ---------------------------------------------------------------------------------------------------------------
step "Installing iperf3, haproxy, openssl; publishing capture-init, capture-proxy and capture-peer"
if [[ $install == true ]]; then "$root/scripts/install-deps.sh" --bench; fi
for tool in iperf3 haproxy openssl setpriv ip; do command -v "$tool" >/dev/null || die "$tool is missing (scripts/install-deps.sh --bench)"; done
if [[ -z "${CAPTURE_BIN:-}" ]]; then publish_if_stale "$root" init proxy peer; fi
peer=$bin/capture-peer
"$bin/capture-proxy" --help 2>/dev/null | grep -q -- '--workloads' || die "$bin/capture-proxy has no --workloads (HBONE): publish it anew"
ulimit -Sn "$(ulimit -Hn)"
work=$(mktemp -d /tmp/capbench-hbone.XXXXXX)
chmod 755 "$work"

# ---------------------------------------------------------------------------------------------------------------
step "Credentials: one mesh CA, SPIFFE certificates for pod A (sa a) and pod B (sa b)"
"$root/scripts/hbone-certs.sh" mesh "$work/certs" default/a default/b --owner 1337:1337 | sed 's/^/    /'
for sa in a b; do
  # HAProxy's crt: certificate and key in one file.
  cat "$work/certs/default.$sa/cert-chain.pem" "$work/certs/default.$sa/key.pem" >"$work/certs/haproxy-$sa.pem"
  chown 1337:1337 "$work/certs/haproxy-$sa.pem"
  chmod 0640 "$work/certs/haproxy-$sa.pem"
done

step "Building the pods: an A and a B namespace per way, on a veth each; servers in every B"
netns_init capbh
declare -A ip_a ip_b proxy_pids
n=1
for way in "${ways[@]}"; do
  netns_add "$way-a"
  netns_add "$way-b"
  netns_veth "$way-a" eth0 "10.66.$n.1/24" "$way-b" eth0 "10.66.$n.2/24"
  ip_a[$way]=10.66.$n.1 ip_b[$way]=10.66.$n.2
  for side in a b; do nsx "$way-$side" sysctl -qw net.ipv4.ip_local_port_range="1024 65000" net.ipv4.tcp_tw_reuse=1; done
  netns_spawn "$way-b" "$work/$way-iperf3.log" iperf3 -s -p 5201
  netns_spawn "$way-b" "$work/$way-rr.log" "$peer" rr-server --port 9001
  netns_spawn "$way-b" "$work/$way-cps.log" "$peer" cps-server --port 9002
  netns_spawn "$way-b" "$work/$way-idle.log" "$peer" idle-server --port 9003
  n=$((n + 1))
done

step "capture-init (istio-init defaults) in both pods of plain, hbone and haproxy; the proxies as UID 1337"
for way in "${proxied[@]}"; do
  for side in a b; do
    nsx "$way-$side" "$bin/capture-init" "${init_args[@]}" >"$work/$way-$side-init.log" 2>&1 ||
      { cat "$work/$way-$side-init.log" >&2; die "capture-init failed in $way-$side"; }
  done
done
cat >"$work/workloads.yaml" <<EOF
workloads:
- uid: bench//v1/Pod/default/a
  name: a
  namespace: default
  serviceAccount: a
  workloadIps: ["${ip_a[hbone]}"]
  protocol: HBONE
- uid: bench//v1/Pod/default/b
  name: b
  namespace: default
  serviceAccount: b
  workloadIps: ["${ip_b[hbone]}"]
  protocol: HBONE
EOF
chmod 644 "$work/workloads.yaml"
if [[ -n $baseline ]]; then
  sed -e "s/\"${ip_a[hbone]}\"/\"${ip_a[baseline]}\"/" -e "s/\"${ip_b[hbone]}\"/\"${ip_b[baseline]}\"/" "$work/workloads.yaml" >"$work/workloads-baseline.yaml"
  chmod 644 "$work/workloads-baseline.yaml"
fi
spawn_proxy() { # WAY SIDE ARGS...: capture-proxy in WAY-SIDE, its PID added to proxy_pids[WAY]
  local way=$1 side=$2 exe=$bin/capture-proxy
  shift 2
  [[ $way != baseline ]] || exe=$baseline/capture-proxy
  netns_spawn "$way-$side" "$work/$way-$side-proxy.log" env -u HOME DOTNET_gcServer=0 "${as_proxy[@]}" "$exe" --access-log false "$@"
  proxy_pids[$way]="${proxy_pids[$way]:-} $SPAWNED_PID"
}
spawn_proxy plain a
spawn_proxy plain b
spawn_proxy hbone a --workloads "$work/workloads.yaml" --certs "$work/certs/default.a"
spawn_proxy hbone b --workloads "$work/workloads.yaml" --certs "$work/certs/default.b"
if [[ -n $baseline ]]; then
  spawn_proxy baseline a --workloads "$work/workloads-baseline.yaml" --certs "$work/certs/default.a"
  spawn_proxy baseline b --workloads "$work/workloads-baseline.yaml" --certs "$work/certs/default.b"
fi
# HAProxy in A: the redirected connection's original destination goes to B's HAProxy in a PROXY v2 header, over TLS
# 1.3 with A's certificate, B's verified against the mesh root. HAProxy in B: TLS 1.3, client certificate required
# from the same root, then a plain connection to the original destination (B's server) from 127.0.0.6, as Istio's
# sidecar connects: B's rules send UID 1337's connections to its own pod IP back to 15006 unless they come from there.
cat >"$work/haproxy-a.cfg" <<EOF
global
  maxconn $((idle_count + 500))
defaults
  mode tcp
  timeout connect 10s
  timeout client 1h
  timeout server 1h
listen outbound
  bind 127.0.0.1:15001
  server b ${ip_b[haproxy]}:15008 ssl crt $work/certs/haproxy-a.pem ca-file $work/certs/ca/root-cert.pem verify required ssl-min-ver TLSv1.3 send-proxy-v2
EOF
cat >"$work/haproxy-b.cfg" <<EOF
global
  maxconn $((idle_count + 500))
defaults
  mode tcp
  timeout connect 10s
  timeout client 1h
  timeout server 1h
listen inbound
  bind ${ip_b[haproxy]}:15008 ssl crt $work/certs/haproxy-b.pem ca-file $work/certs/ca/root-cert.pem verify required ssl-min-ver TLSv1.3 accept-proxy
  server app 0.0.0.0 source 127.0.0.6
EOF
for side in a b; do
  netns_spawn "haproxy-$side" "$work/haproxy-$side.log" "${as_proxy[@]}" haproxy -db -f "$work/haproxy-$side.cfg"
  proxy_pids[haproxy]="${proxy_pids[haproxy]:-} $SPAWNED_PID"
done
round_trip() { nsx "$1-a" "$peer" rr-client --host "${ip_b[$1]}" --port 9001 --count 10 --warmup 0 >/dev/null 2>&1; }
for way in "${ways[@]}"; do
  deadline=$((SECONDS + 30))
  until round_trip "$way"; do
    if ((SECONDS >= deadline)); then
      for log in "$work/$way"-*.log; do echo "--- $log" >&2; tail -n 20 "$log" >&2; done
      die "no round trip through $way within 30 s (its logs above)"
    fi
    sleep 0.2
  done
done
for way in "${proxied[@]}"; do
  for pid in ${proxy_pids[$way]}; do
    uid=$(awk '/^Uid:/{print $2}' "/proc/$pid/status")
    ((uid == 1337)) || die "a $way proxy runs as UID $uid, not 1337"
  done
done
tunnelled=$(nsx hbone-a "$peer" http-get "http://127.0.0.1:15090/stats/prometheus" 2>/dev/null | awk '/^capture_hbone_streams_opened_total\{direction="outbound"/ {s += $NF} END {print s + 0}')
((tunnelled > 0)) || die "the hbone way's round trips did not go through a tunnel (capture_hbone_streams_opened_total is 0)"
ok "every way carries a round trip; hbone through $tunnelled tunnel streams so far; proxies run as UID 1337"

cpu_ticks() { local pid t=0; for pid in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done; echo "$t"; }
# Voluntary context switches of all of a process's threads: each is a thread going to sleep to wait for work, so per
# MB moved it counts the hand-offs between threads, a figure that moves much less with the machine's load than CPU time.
switches() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/^voluntary_ctxt_switches/ {s += $2} END {print s + 0}'; }
rss_kb() { local pid k=0; for pid in "$@"; do k=$((k + $(awk '/^VmRSS:/{print $2}' "/proc/$pid/status"))); done; echo "$k"; }
declare -A r
round_label() { ((rounds == 1)) || printf ' (round %d of %d)' "$1" "$rounds"; }

measure_bulk() {
  local way=$1 n=$2 t0 t1 bytes bps pid split="" ta=() tb=() sa=() sb=()
  step "$way: bulk, iperf3 one stream for ${bulk_seconds}s$(round_label "$n")"
  # shellcheck disable=SC2086 # a list of PIDs
  t0=$(cpu_ticks ${proxy_pids[$way]:-})
  for pid in ${proxy_pids[$way]:-}; do ta+=("$(cpu_ticks "$pid")") sa+=("$(switches "$pid")"); done
  nsx "$way-a" iperf3 -c "${ip_b[$way]}" -p 5201 -t "$bulk_seconds" -J >"$work/$way-iperf.json" || die "iperf3 through $way failed"
  # shellcheck disable=SC2086
  t1=$(cpu_ticks ${proxy_pids[$way]:-})
  for pid in ${proxy_pids[$way]:-}; do tb+=("$(cpu_ticks "$pid")") sb+=("$(switches "$pid")"); done
  read -r bytes bps < <(awk '/"sum_received"/ {s = 1} s && /"bytes"/ {gsub(/[,]/, ""); b = $2}
                             s && /"bits_per_second"/ {gsub(/[,]/, ""); print b, $2; exit}' "$work/$way-iperf.json")
  r[$way.gbps.$n]=$(awk -v b="$bps" 'BEGIN {printf "%.2f", b / 1e9}')
  [[ -z ${proxy_pids[$way]:-} ]] || r[$way.cpu_per_gb.$n]=$(awk -v t="$((t1 - t0))" -v hz="$clk_tck" -v b="$bytes" 'BEGIN {printf "%.3f", (t / hz) / (b / 1e9)}')
  # Each side's share (A's proxy sends into the tunnel, B's receives): where the CPU goes, for whoever tunes it.
  ((${#ta[@]} != 2)) || split=$(awk -v a="$((tb[0] - ta[0]))" -v b="$((tb[1] - ta[1]))" -v hz="$clk_tck" -v by="$bytes" \
    -v sa="$((sb[0] - sa[0]))" -v sb="$((sb[1] - sa[1]))" \
    'BEGIN {printf " (A %.3f, B %.3f; thread wake-ups per MB: A %.1f, B %.1f)", (a / hz) / (by / 1e9), (b / hz) / (by / 1e9), sa / (by / 1e6), sb / (by / 1e6)}')
  say "${r[$way.gbps.$n]} Gbit/s${r[$way.cpu_per_gb.$n]:+, both proxies ${r[$way.cpu_per_gb.$n]} CPU-s/GB$split}"
}

measure_cps() {
  local way=$1 n=$2 line t0 t1
  step "$way: short connections, 1 KiB each way, $cps_concurrency at a time for ${cps_seconds}s$(round_label "$n")"
  # shellcheck disable=SC2086
  t0=$(cpu_ticks ${proxy_pids[$way]:-})
  line=$(nsx "$way-a" "$peer" cps-client --host "${ip_b[$way]}" --port 9002 --concurrency "$cps_concurrency" --duration "$cps_seconds" 2>/dev/null) ||
    die "cps-client through $way failed: $line"
  # shellcheck disable=SC2086
  t1=$(cpu_ticks ${proxy_pids[$way]:-})
  r[$way.cps.$n]=$(printf '%.0f' "$(kv cps "$line")")
  [[ -z ${proxy_pids[$way]:-} ]] || r[$way.cpu_per_conn.$n]=$(awk -v t="$((t1 - t0))" -v hz="$clk_tck" -v c="$(kv connections "$line")" 'BEGIN {printf "%.1f", (t / hz) * 1e6 / c}')
  say "${r[$way.cps.$n]} connections/s ($(kv errors "$line") errors)${r[$way.cpu_per_conn.$n]:+, both proxies ${r[$way.cpu_per_conn.$n]} µs CPU per connection}"
}

measure_rr() {
  local way=$1 n=$2 line
  step "$way: 1-byte ping-pong, $rr_count round trips$(round_label "$n")"
  line=$(nsx "$way-a" "$peer" rr-client --host "${ip_b[$way]}" --port 9001 --count "$rr_count" 2>/dev/null) || die "rr-client through $way failed"
  r[$way.p50.$n]=$(kv p50_us "$line")
  r[$way.p99.$n]=$(kv p99_us "$line")
  say "p50 ${r[$way.p50.$n]} µs, p99 ${r[$way.p99.$n]} µs"
}

measure_idle() {
  local way=$1 line idle_pid
  step "$way: both proxies' RSS with $idle_count open connections"
  # shellcheck disable=SC2086
  r[$way.rss_before]=$(rss_kb ${proxy_pids[$way]})
  netns_spawn "$way-a" "$work/$way-idle-client.log" "$peer" idle-client --host "${ip_b[$way]}" --port 9003 --count "$idle_count" --hold 300
  idle_pid=$SPAWNED_PID
  wait_until 120 "$idle_count idle connections through $way" grep -q 'opened=' "$work/$way-idle-client.log"
  line=$(grep 'opened=' "$work/$way-idle-client.log")
  [[ $(kv failed "$line") == 0 ]] || die "idle connections through $way failed: $line"
  sleep 2
  # shellcheck disable=SC2086
  r[$way.rss_conns]=$(rss_kb ${proxy_pids[$way]})
  netns_stop "$idle_pid"
  say "both proxies: RSS $((r[$way.rss_before] / 1024)) MB before, $((r[$way.rss_conns] / 1024)) MB with $idle_count connections"
}

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

sleep 1
for way in "${proxied[@]}"; do
  # shellcheck disable=SC2086
  r[$way.rss_idle]=$(rss_kb ${proxy_pids[$way]})
done
if part idle; then
  for way in "${proxied[@]}"; do measure_idle "$way"; done
fi
for part_name in bulk cps rr; do
  part "$part_name" || continue
  for ((n = 1; n <= rounds; n++)); do
    for ((i = 0; i < ${#ways[@]}; i++)); do
      "measure_$part_name" "${ways[$(((i + n - 1) % ${#ways[@]}))]}" "$n"
    done
  done
done
median gbps '%.2f'; median cpu_per_gb '%.3f'; median cps '%.0f'; median cpu_per_conn '%.1f'; median p50 '%.1f'; median p99 '%.1f'

# ---------------------------------------------------------------------------------------------------------------
step "Results"
get() { printf '%s' "${r[$1]:-}"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "–"; else printf "%.2f×\n", a / b }'; }
mb() { [[ -z "$1" ]] && printf '–' || awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
row() { printf '| %s | %s | %s | %s | %s | %s |\n' "$@"; }
per_round() { # WAY OTHER [median]: WAY ÷ OTHER for each round's figures (and their medians)
  local n name
  printf '| Round | Bulk | CPU per GB | Short connections/s | CPU per connection | p50 | p99 |\n'
  printf '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
  for ((n = 1; n <= rounds; n++)); do
    printf '| %d |' "$n"
    for name in gbps cpu_per_gb cps cpu_per_conn p50 p99; do printf ' %s |' "$(ratio "$(get "$1.$name.$n")" "$(get "$2.$name.$n")")"; done
    echo
  done
  [[ -z ${3:-} ]] || { printf '| median |'; for name in gbps cpu_per_gb cps cpu_per_conn p50 p99; do printf ' %s |' "$(ratio "$(get "$1.$name")" "$(get "$2.$name")")"; done; echo; }
}
cpu_model=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
table=$work/table.md
{
  echo "HBONE benchmark: $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) vCPU ${cpu_model:-$(uname -m)}; kernel $(uname -r); load $(cut -d' ' -f1-3 /proc/loadavg);"
  echo "$(haproxy -v | head -n 1 | awk '{print "HAProxy", $3}') with $(openssl version | awk '{print $1, $2}'); capture-proxy from $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?');"
  echo "one stream ${bulk_seconds}s; ${cps_concurrency}×short connections ${cps_seconds}s; ${rr_count} round trips; ${idle_count} open connections$(
    ((rounds == 1)) || echo "; medians of $rounds rounds, the ways taking turns"). CPU and RSS: both proxies of the way together."
  echo
  row "Measure" "direct" "capture plaintext" "capture HBONE" "HAProxy mTLS pair" "HBONE ÷ HAProxy"
  row "---" "---:" "---:" "---:" "---:" "---:"
  row "Bulk throughput, Gbit/s" "$(get direct.gbps)" "$(get plain.gbps)" "$(get hbone.gbps)" "$(get haproxy.gbps)" "$(ratio "$(get hbone.gbps)" "$(get haproxy.gbps)")"
  row "CPU-seconds per GB (both proxies)" "–" "$(get plain.cpu_per_gb)" "$(get hbone.cpu_per_gb)" "$(get haproxy.cpu_per_gb)" "$(ratio "$(get hbone.cpu_per_gb)" "$(get haproxy.cpu_per_gb)")"
  row "Short connections per second" "$(get direct.cps)" "$(get plain.cps)" "$(get hbone.cps)" "$(get haproxy.cps)" "$(ratio "$(get hbone.cps)" "$(get haproxy.cps)")"
  row "CPU per short connection, µs (both)" "–" "$(get plain.cpu_per_conn)" "$(get hbone.cpu_per_conn)" "$(get haproxy.cpu_per_conn)" "$(ratio "$(get hbone.cpu_per_conn)" "$(get haproxy.cpu_per_conn)")"
  row "Round trip p50, µs" "$(get direct.p50)" "$(get plain.p50)" "$(get hbone.p50)" "$(get haproxy.p50)" "$(ratio "$(get hbone.p50)" "$(get haproxy.p50)")"
  row "Round trip p99, µs" "$(get direct.p99)" "$(get plain.p99)" "$(get hbone.p99)" "$(get haproxy.p99)" "$(ratio "$(get hbone.p99)" "$(get haproxy.p99)")"
  row "RSS idle, MB (both)" "–" "$(mb "$(get plain.rss_idle)")" "$(mb "$(get hbone.rss_idle)")" "$(mb "$(get haproxy.rss_idle)")" "$(ratio "$(get hbone.rss_idle)" "$(get haproxy.rss_idle)")"
  row "RSS with $idle_count open connections, MB (both)" "–" "$(mb "$(get plain.rss_conns)")" "$(mb "$(get hbone.rss_conns)")" "$(mb "$(get haproxy.rss_conns)")" "$(ratio "$(get hbone.rss_conns)" "$(get haproxy.rss_conns)")"
  if ((rounds > 1)); then
    echo
    echo "HBONE ÷ HAProxy in each round:"
    echo
    per_round hbone haproxy
  fi
  if [[ -n $baseline ]]; then
    echo
    echo "This build's HBONE ÷ the baseline's ($baseline/capture-proxy), same run:"
    echo
    per_round hbone baseline median
  fi
} >"$table"
echo
cat "$table"
mkdir -p "$root/artifacts"
cp "$table" "$root/artifacts/bench-hbone.md"
echo
say "table saved to artifacts/bench-hbone.md"
