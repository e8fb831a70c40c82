#!/usr/bin/env bash
# Capture, end to end, in one command: a Bookinfo-shaped mesh of network namespaces where capture-init installs the
# istio-init rules and capture-proxy (UID 1337) carries every hop.
#
#   client ──► productpage pod ──► reviews pod
#              [app 9080 | capture-init rules | capture-proxy 15001/15006]
#
# Then the same hop again with both proxies given a workloads file and SPIFFE credentials (scripts/hbone-certs.sh):
# productpage's proxy carries it to reviews' 15008 in an HBONE tunnel (mTLS 1.3, HTTP/2 CONNECT); both identities
# come from the access logs and a tcpdump of the wire shows TLS, not HTTP.
# Last, from the same workloads file: productpage (capture-init --redirect-dns) resolves `reviews` by name through its
# proxy's DNS proxy (15053) to the service VIP and reaches it through the tunnel; an Allow policy that admits another
# identity makes reviews' proxy answer productpage's CONNECT with 401; admitting productpage lets it in again.
#
# Usage: sudo scripts/demo.sh [--keep] [--no-install]
#   --keep        leave the namespaces and processes running (also when a step fails) and print the commands to
#                 look around and to tear down
#   --no-install  do not call scripts/install-deps.sh (the tools must already be there)
#   CAPTURE_BIN=DIR  take capture-init, capture-proxy and capture-peer from DIR instead of publishing them
# Needs root. Never touches the host's network namespace: every link, address and rule lives in namespaces named
# capdemo-<pid>-<random>-*, deleted on exit (also on failure or Ctrl-C) unless --keep; productpage's resolv.conf
# (/etc/netns/<its namespace>/resolv.conf, which ip netns exec mounts in the pod) goes with them.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/common.sh
source "$root/scripts/lib/common.sh"
# shellcheck source=lib/netns.sh
source "$root/scripts/lib/netns.sh"

keep=false install=true
for arg in "$@"; do
  case "$arg" in
    --keep) keep=true ;;
    --no-install) install=false ;;
    -h | --help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done
require_root

# CAPTURE_BIN: use binaries from elsewhere (e.g. installed ones) instead of publishing to artifacts/bin.
bin=${CAPTURE_BIN:-$root/artifacts/bin}
# The injector's default istio-init arguments (istioctl kube-inject, Istio 1.2x), unchanged.
init_args=(-p 15001 -z 15006 -u 1337 -m REDIRECT -i '*' -x "" -b '*' -d 15090,15021,15020)
init_text="-p 15001 -z 15006 -u 1337 -m REDIRECT -i '*' -x \"\" -b '*' -d 15090,15021,15020"
subnet=10.44.0
pp_ip=$subnet.10 rv_ip=$subnet.20 cl_ip=$subnet.30
app_uid=1000 # the apps run as an ordinary user: their traffic is what gets captured
work=""
dns_etc="" # /etc/netns/<productpage>, removed on exit

# keep_help: how to look around a kept mesh and how to remove it.
keep_help() {
  cat <<EOF

==> Kept running (--keep). Look around:
    ip netns list | grep $NETNS_PREFIX
    ip netns exec $(netns_name client) $bin/capture-peer http-get http://$pp_ip:9080/productpage
    ip netns exec $(netns_name productpage) iptables-save -t nat
    ip netns exec $(netns_name client) $bin/capture-peer http-get http://$pp_ip:15090/stats/prometheus
    ip netns exec $(netns_name productpage) ss -tnp
    less $work/productpage-proxy.log $work/reviews-proxy.log
  Tear down:
    kill ${NETNS_PIDS[*]}; for ns in \$(ip netns list | awk '/^$NETNS_PREFIX-/{print \$1}'); do ip netns del \$ns; done; rm -rf $work${dns_etc:+; rm -rf $dns_etc; rmdir /etc/netns 2>/dev/null}
EOF
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ $keep == true && -n "$NETNS_PREFIX" ]]; then
    keep_help
    exit "$rc"
  fi
  netns_cleanup
  [[ -z "$work" ]] || rm -rf "$work"
  if [[ -n "$dns_etc" ]]; then
    rm -rf "$dns_etc"
    rmdir /etc/netns 2>/dev/null || true # only when no other namespace's file is left in it
  fi
  if [[ -n "$NETNS_PREFIX" ]]; then
    left=$(netns_leftovers)
    [[ -z "$left" ]] || echo "demo: could not delete namespaces: $left" >&2
  fi
  ((rc == 0)) && printf '\n==> torn down: namespaces deleted, processes stopped, nothing left behind\n'
  exit "$rc"
}
trap on_err ERR
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------------------------
step "Installing what the demo needs and publishing capture-init, capture-proxy and capture-peer"
if [[ $install == true ]]; then "$root/scripts/install-deps.sh"; fi
for tool in ip iptables-save setpriv openssl tcpdump; do command -v "$tool" >/dev/null || die "$tool is missing (run scripts/install-deps.sh)"; done
if [[ -z "${CAPTURE_BIN:-}" ]]; then publish_if_stale "$root" init proxy peer; fi
for b in capture-init capture-proxy capture-peer; do [[ -x "$bin/$b" ]] || die "$bin/$b was not built"; done
peer=$bin/capture-peer
# capture-proxy is ready when its CLI knows its flags; until then the demo shows the rules only.
proxy_ready=false
if "$bin/capture-proxy" --help 2>/dev/null | grep -q -- '--outbound-port'; then proxy_ready=true; fi
"$bin/capture-init" --help >/dev/null 2>&1 || die "capture-init --help failed: capture-init is not usable yet ($bin/capture-init)"
ok "binaries in $bin$([[ $proxy_ready == true ]] || echo ' (capture-proxy is not finished yet: proxy steps will be skipped)')"

work=$(mktemp -d /tmp/capdemo.XXXXXX)
chmod 755 "$work" # the proxy (UID 1337) writes nothing here, but reads its working directory

# ---------------------------------------------------------------------------------------------------------------
step "Building the mesh: a node with a bridge; productpage, reviews and client namespaces"
netns_init capdemo
netns_add node
netns_bridge node br0
for pod in productpage:$pp_ip reviews:$rv_ip client:$cl_ip; do
  netns_add "${pod%%:*}"
  netns_attach node br0 "${pod%%:*}" "${pod#*:}/24"
done
nsx client "$peer" --help >/dev/null # namespaces are usable
ok "productpage $pp_ip, reviews $rv_ip, client $cl_ip on bridge br0 in $(netns_name node)"

step "Starting the apps (capture-peer http-server, UID $app_uid): productpage calls reviews"
as_app=(setpriv --reuid "$app_uid" --regid "$app_uid" --clear-groups)
netns_spawn reviews "$work/reviews-app.log" "${as_app[@]}" "$peer" http-server --port 9080 --name reviews-v1
netns_spawn productpage "$work/productpage-app.log" "${as_app[@]}" "$peer" http-server --port 9080 --name productpage \
  --call "http://reviews:9080/reviews/0" --resolve "reviews=$rv_ip"
wait_until 10 "the apps to listen on 9080" nsx client "$peer" http-get "http://$rv_ip:9080/ping"
ok "both apps answer on :9080"

# ---------------------------------------------------------------------------------------------------------------
step "capture-init ${init_text} --dry-run (what it would install)"
nsx productpage "$bin/capture-init" "${init_args[@]}" --dry-run | tee "$work/dry-run.txt" | sed 's/^/    /'
grep -q 'ISTIO_OUTPUT' "$work/dry-run.txt" || die "the dry run printed no ISTIO_OUTPUT chain"

step "capture-init ${init_text} in both pods (the init container's job)"
for pod in productpage reviews; do
  nsx "$pod" "$bin/capture-init" "${init_args[@]}" >"$work/$pod-init.log" 2>&1 ||
    { cat "$work/$pod-init.log" >&2; die "capture-init failed in $pod"; }
  ok "$pod: $(tail -n 1 "$work/$pod-init.log")"
done

# live_rules POD: the nat table from whichever backend capture-init used (nft unless legacy already held rules).
live_rules() {
  local save
  for save in iptables-nft-save iptables-legacy-save iptables-save; do
    command -v "$save" >/dev/null || continue
    if nsx "$1" "$save" -t nat 2>/dev/null | grep -q ISTIO_OUTPUT; then
      echo "# $save -t nat"
      nsx "$1" "$save" -t nat | grep -v '^#'
      return 0
    fi
  done
  return 1
}
step "The live rules in productpage (iptables-save)"
live_rules productpage | tee "$work/live.txt" | sed 's/^/    /' || die "no ISTIO_* chains in productpage's iptables-save"
# iptables-save spells matches out (-m tcp --dport), so these are patterns, not the rendered text.
for rule in '-A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN' '-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001' \
  '-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006' '-A PREROUTING -p tcp -j ISTIO_INBOUND' '-A OUTPUT -j ISTIO_OUTPUT' \
  '-A ISTIO_INBOUND -p tcp (-m tcp )?--dport 15090 -j RETURN' '-A ISTIO_INBOUND -p tcp (-m tcp )?--dport 15021 -j RETURN' \
  '-A ISTIO_INBOUND -p tcp (-m tcp )?--dport 15020 -j RETURN'; do
  grep -qE -- "^$rule\$" "$work/live.txt" || die "the live rules lack: $rule"
done
ok "outbound → 15001, inbound → 15006, UID 1337 and ports 15090/15021/15020 exempt"

if [[ $proxy_ready != true ]]; then
  step "Without a proxy, captured connections have nowhere to go"
  if nsx client "$peer" http-get --timeout 2 "http://$pp_ip:9080/productpage" >/dev/null 2>"$work/refused.txt"; then
    die "a request to productpage succeeded although nothing listens on 15006: traffic was not captured"
  fi
  ok "client → $pp_ip:9080 is redirected to 15006 and refused: $(tail -n 1 "$work/refused.txt")"
  say "capture-proxy is not finished yet; once scripts/publish.sh proxy builds it, this demo runs every hop through it."
  exit 0
fi

# ---------------------------------------------------------------------------------------------------------------
step "Starting capture-proxy in both pods as UID/GID 1337 (no capabilities)"
as_proxy=(setpriv --reuid 1337 --regid 1337 --clear-groups --inh-caps=-all --bounding-set=-all)
declare -A proxy_pid
for pod in productpage reviews; do
  netns_spawn "$pod" "$work/$pod-proxy.log" env -u HOME DOTNET_gcServer=0 "${as_proxy[@]}" "$bin/capture-proxy"
  proxy_pid[$pod]=$SPAWNED_PID
done
ip_of() { case "$1" in productpage) echo "$pp_ip" ;; reviews) echo "$rv_ip" ;; esac; }
for pod in productpage reviews; do
  # The kubelet's readiness probe path: from outside the pod to pod-IP:15021, an excluded port.
  wait_until 15 "$pod's proxy to report ready on $(ip_of "$pod"):15021/healthz/ready" \
    nsx client "$peer" http-get --timeout 1 "http://$(ip_of "$pod"):15021/healthz/ready"
  ok "$pod: capture-proxy PID ${proxy_pid[$pod]} runs as UID $(awk '/^Uid:/{print $2}' "/proc/${proxy_pid[$pod]}/status"), ready"
done

# scrape POD FILE: the proxy's Prometheus text, fetched from the client namespace like Prometheus would.
scrape() { nsx client "$peer" http-get "http://$(ip_of "$1"):15090/stats/prometheus" >"$2" 2>/dev/null; }
# metric FILE NAME LABEL-FILTER: the sum of the samples of NAME whose labels contain LABEL-FILTER (0 if none).
metric() {
  awk -v name="$2" -v filter="$3" '
    $1 == name || index($1, name "{") == 1 { if (filter == "" || index($1, filter) > 0) sum += $NF }
    END { printf "%d\n", sum }' "$1"
}
# changed BEFORE AFTER: the capture_* samples that moved, as "name{labels}  before → after".
changed() {
  awk 'NR == FNR { if ($1 !~ /^#/) before[$1] = $NF; next }
       $1 ~ /^capture_/ { was = ($1 in before) ? before[$1] : 0; if ($NF != was) printf "      %-72s %s → %s\n", $1, was, $NF }' "$1" "$2"
}
accepted() { metric "$1" capture_connections_accepted_total "direction=\"$2\""; }

# ---------------------------------------------------------------------------------------------------------------
step "A request: client → productpage → reviews, every hop through the proxies"
scrape productpage "$work/pp.0"
scrape reviews "$work/rv.0"
pp_log_at=$(wc -l <"$work/productpage-proxy.log")
rv_log_at=$(wc -l <"$work/reviews-proxy.log")
say "\$ ip netns exec $(netns_name client) capture-peer http-get http://$pp_ip:9080/productpage"
nsx client "$peer" http-get "http://$pp_ip:9080/productpage" >"$work/reply.txt" 2>"$work/reply.err" ||
  { cat "$work/reply.err" "$work/reply.txt" >&2; die "the request through the mesh failed"; }
sed 's/^/      /' "$work/reply.txt"
grep -q 'reviews-v1: GET /reviews/0' "$work/reply.txt" || die "productpage's reply does not include reviews' answer"
sleep 0.5 # access-log lines are written when a connection closes; give the log a moment to be flushed
scrape productpage "$work/pp.1"
scrape reviews "$work/rv.1"

say ""
say "Each app saw the connection come from the proxy's passthrough address 127.0.0.6, not from the real client:"
grep -q "productpage: GET /productpage from 127.0.0.6:" "$work/reply.txt" &&
  ok "productpage was reached by its proxy's inbound listener (15006)" ||
  say "(productpage saw: $(head -n 1 "$work/reply.txt"))"
say ""
say "productpage's proxy access log (direction source -> original destination):"
tail -n +"$((pp_log_at + 1))" "$work/productpage-proxy.log" | grep -E 'inbound|outbound' | sed 's/^/      /' || true
say "reviews' proxy access log:"
tail -n +"$((rv_log_at + 1))" "$work/reviews-proxy.log" | grep -E 'inbound|outbound' | sed 's/^/      /' || true
say ""
say "productpage's proxy metrics that moved:"
changed "$work/pp.0" "$work/pp.1"
say "reviews' proxy metrics that moved:"
changed "$work/rv.0" "$work/rv.1"

d_pp_out=$(($(accepted "$work/pp.1" outbound) - $(accepted "$work/pp.0" outbound)))
d_pp_in=$(($(accepted "$work/pp.1" inbound) - $(accepted "$work/pp.0" inbound)))
d_rv_in=$(($(accepted "$work/rv.1" inbound) - $(accepted "$work/rv.0" inbound)))
d_rv_out=$(($(accepted "$work/rv.1" outbound) - $(accepted "$work/rv.0" outbound)))
((d_pp_in == 1)) || die "productpage's proxy accepted $d_pp_in inbound connections for one request (expected 1)"
((d_pp_out == 1)) || die "productpage's proxy accepted $d_pp_out outbound connections for one request (expected 1)"
((d_rv_in == 1)) || die "reviews' proxy accepted $d_rv_in inbound connections for one request (expected 1)"
((d_rv_out == 0)) || die "reviews' proxy accepted $d_rv_out outbound connections (expected 0: reviews calls nobody)"
grep -q "outbound .* -> $rv_ip:9080" <(tail -n +"$((pp_log_at + 1))" "$work/productpage-proxy.log") ||
  die "productpage's access log has no outbound line to the original destination $rv_ip:9080"
grep -q "inbound .* -> $rv_ip:9080" <(tail -n +"$((rv_log_at + 1))" "$work/reviews-proxy.log") ||
  die "reviews' access log has no inbound line to the original destination $rv_ip:9080"
ok "hop 1 client → productpage: inbound at productpage's 15006 (+$d_pp_in)"
ok "hop 2 productpage → reviews: outbound at productpage's 15001 (+$d_pp_out), original destination $rv_ip:9080"
ok "hop 3 arriving at reviews: inbound at reviews' 15006 (+$d_rv_in), original destination $rv_ip:9080"

# ---------------------------------------------------------------------------------------------------------------
step "What is NOT captured: the proxy's own traffic (UID 1337) and the excluded ports"
scrape productpage "$work/pp.2"
scrape reviews "$work/rv.2"
# The same request from inside productpage, once as UID 1337 (the proxy's identity) and then as the app's UID.
nsx productpage setpriv --reuid 1337 --regid 1337 --clear-groups "$peer" http-get "http://$rv_ip:9080/as-1337" >/dev/null 2>&1 ||
  die "a UID 1337 request from productpage to reviews failed"
scrape productpage "$work/pp.3"
d_1337=$(($(accepted "$work/pp.3" outbound) - $(accepted "$work/pp.2" outbound)))
((d_1337 == 0)) || die "a UID 1337 connection went through productpage's outbound listener ($d_1337): the owner rule does not hold"
ok "UID 1337 → reviews:9080 left productpage directly: outbound accepted +0 (the --uid-owner 1337 RETURN rule)"
nsx productpage "${as_app[@]}" "$peer" http-get "http://$rv_ip:9080/as-app" >/dev/null 2>&1 || die "an app request to reviews failed"
scrape productpage "$work/pp.4"
d_app=$(($(accepted "$work/pp.4" outbound) - $(accepted "$work/pp.3" outbound)))
((d_app == 1)) || die "the app's connection did not go through productpage's outbound listener (+$d_app)"
ok "UID $app_uid → reviews:9080, same destination: outbound accepted +1"

# Scraping 15090 and probing 15021 from outside hit the proxy's own ports directly, never 15006.
rv_in_before=$(accepted "$work/rv.2" inbound)
for _ in 1 2 3; do
  nsx client "$peer" http-get "http://$rv_ip:15021/healthz/ready" >/dev/null 2>&1 || die "readiness probe from outside failed"
done
scrape reviews "$work/rv.3"
rv_in_after=$(accepted "$work/rv.3" inbound)
# rv.2 → rv.3 includes: the UID 1337 request and the app request (2 inbound at reviews), 3 probes and 1 scrape (0).
((rv_in_after - rv_in_before == 2)) ||
  die "reviews' inbound count moved by $((rv_in_after - rv_in_before)) (expected 2: the two requests, not the probes or the scrape)"
ok "3 readiness probes to :15021 and a scrape of :15090 from outside: reviews' inbound accepted moved only by the 2 requests"

loops=$(($(metric "$work/pp.4" capture_loops_refused_total "") + $(metric "$work/rv.3" capture_loops_refused_total "")))
((loops == 0)) || die "the proxies refused $loops looping connections: something is captured twice"
active=$(metric "$work/pp.4" capture_connections_active "")
ok "no loops: capture_loops_refused_total = 0 on both proxies; the proxy's upstream connections were not captured again"
say "productpage's proxy now has $active active connections (all requests done)"

# ---------------------------------------------------------------------------------------------------------------
step "HBONE: the productpage → reviews hop through an mTLS HTTP/2 CONNECT tunnel (reviews' 15008)"
certs=$work/certs
"$root/scripts/hbone-certs.sh" mesh "$certs" default/bookinfo-productpage default/bookinfo-reviews --owner 1337:1337 |
  sed 's/^/    /'
pp_id=spiffe://cluster.local/ns/default/sa/bookinfo-productpage
rv_id=spiffe://cluster.local/ns/default/sa/bookinfo-reviews
# write_workloads [--service] [PRINCIPAL]: the workloads file with both pods protocol HBONE; --service adds a reviews
# service (VIP $vip); a principal adds an Allow policy selected by reviews that admits only that principal. Renamed
# into place: running proxies follow the change.
write_workloads() {
  local service=false
  if [[ ${1:-} == --service ]]; then service=true; shift; fi
  cat >"$work/workloads.yaml.tmp" <<YAML
workloads:
- uid: demo//v1/Pod/default/productpage-v1
  name: productpage-v1
  namespace: default
  serviceAccount: bookinfo-productpage
  workloadIps: ["$pp_ip"]
  protocol: HBONE
- uid: demo//v1/Pod/default/reviews-v1
  name: reviews-v1
  namespace: default
  serviceAccount: bookinfo-reviews
  workloadIps: ["$rv_ip"]
  protocol: HBONE
YAML
  if [[ $service == true ]]; then
    cat >>"$work/workloads.yaml.tmp" <<YAML
  services:
    "default/reviews.default.svc.cluster.local": {9080: 9080}
  authorizationPolicies: ["default/reviews-callers"]
services:
- name: reviews
  namespace: default
  hostname: reviews.default.svc.cluster.local
  vips: ["/$vip"]
  ports: {9080: 9080}
YAML
  fi
  if [[ -n ${1:-} ]]; then
    cat >>"$work/workloads.yaml.tmp" <<YAML
policies:
- name: reviews-callers
  namespace: default
  scope: WorkloadSelector
  action: Allow
  rules:
  - - - principals: [{Exact: "$1"}]
YAML
  fi
  chmod 644 "$work/workloads.yaml.tmp"
  mv "$work/workloads.yaml.tmp" "$work/workloads.yaml"
}
write_workloads
say "workloads file (ztunnel's local config): both pods protocol HBONE; credentials as pilot-agent writes them (OUTPUT_CERTS)"
netns_stop "${proxy_pid[productpage]}" "${proxy_pid[reviews]}"
for pod in productpage reviews; do
  account=bookinfo-$pod
  netns_spawn "$pod" "$work/$pod-hbone.log" env -u HOME DOTNET_gcServer=0 "${as_proxy[@]}" "$bin/capture-proxy" \
    --workloads "$work/workloads.yaml" --certs "$certs/default.$account"
  proxy_pid[$pod]=$SPAWNED_PID
done
for pod in productpage reviews; do
  wait_until 15 "$pod's proxy (with --workloads/--certs) to report ready" \
    nsx client "$peer" http-get --timeout 1 "http://$(ip_of "$pod"):15021/healthz/ready"
done
ok "both proxies restarted with --workloads $work/workloads.yaml --certs $certs/default.bookinfo-<pod>"
# tcpdump on reviews' side of the wire; --immediate-mode so that stopping it loses no packet.
netns_spawn reviews "$work/tcpdump.log" tcpdump -i eth0 -nn --immediate-mode -U -s 0 -Z root -w "$work/wire.pcap" tcp
tcpdump_pid=$SPAWNED_PID
wait_until 10 "tcpdump to listen on reviews' eth0" grep -q 'listening on' "$work/tcpdump.log"
nsx client "$peer" http-get "http://$pp_ip:9080/productpage" >"$work/reply-hbone.txt" 2>"$work/reply-hbone.err" ||
  { cat "$work/reply-hbone.err" "$work/productpage-hbone.log" "$work/reviews-hbone.log" >&2; die "the request through the HBONE tunnel failed"; }
grep -q 'reviews-v1: GET /reviews/0' "$work/reply-hbone.txt" || die "productpage's reply does not include reviews' answer"
sleep 0.5 # access-log lines are written when a connection closes
kill -INT "$tcpdump_pid"
wait "$tcpdump_pid" 2>/dev/null || true
ok "client → productpage → reviews answered: $(grep -o 'reviews-v1: GET /reviews/0[^"]*' "$work/reply-hbone.txt" | head -n 1)"
pp_line=$(grep -E "outbound .* -> $rv_ip:9080 .*via=hbone" "$work/productpage-hbone.log" | head -n 1)
rv_line=$(grep -E "inbound .* -> $rv_ip:9080 .*via=hbone" "$work/reviews-hbone.log" | head -n 1)
say "productpage's proxy (outbound, 15001 → reviews' 15008):"
say "      ${pp_line#*AccessLog*] }"
say "reviews' proxy (inbound, 15008 → app):"
say "      ${rv_line#*AccessLog*] }"
[[ $pp_line == *"peer=$rv_id tunnel=$rv_ip:15008"* ]] || die "productpage's access log does not show the tunnel to reviews' identity $rv_id"
[[ $rv_line == *"peer=$pp_id"* ]] || die "reviews' access log does not show productpage's identity $pp_id"
ok "productpage verified reviews as $rv_id; reviews verified productpage as $pp_id"
say "On the wire between the pods (tcpdump on reviews' eth0), the first data packet to 15008:"
# The first packet with a payload towards 15008: the ClientHello, a TLS handshake record (0x16 0x03 0x01).
hello=$(tcpdump -r "$work/wire.pcap" -nn -x -c 1 "tcp dst port 15008 and (tcp[((tcp[12:1] & 0xf0) >> 2):1] = 0x16)" 2>/dev/null)
say "      $(head -n 1 <<<"$hello")"
record=$(tail -n +2 <<<"$hello" | sed 's/^[^:]*://' | tr -d ' \n')
ip_len=$(( (16#${record:1:1}) * 8 ))
tcp_len=$(( (16#${record:$((ip_len + 24)):1}) * 8 ))
first=${record:$((ip_len + tcp_len)):6}
say "      payload starts ${first:0:2} ${first:2:2} ${first:4:2}: a TLS handshake record (ClientHello), not an HTTP request line"
[[ ${first:0:4} == 1603 ]] || die "the first bytes to 15008 are $first, not a TLS handshake record"
http=$(tcpdump -r "$work/wire.pcap" -nn -A 2>/dev/null | grep -c 'GET /reviews' || true)
((http == 0)) || die "the HTTP request to reviews crossed the wire in plaintext ($http packets)"
ok "'GET /reviews/0' appears in no packet between the pods: the hop was TLS 1.3 inside HBONE"

# ---------------------------------------------------------------------------------------------------------------
step "DNS and authorization from the workloads file: reviews by name through 15053, then an Allow policy that says 401"
vip=10.96.0.20
reloads() { grep -c "Workloads file .* changed: now .* $1 policies" "$work/$2-hbone.log" || true; }
# reloaded POLICIES POD SEEN: POD's proxy has logged more than SEEN reloads to a file with POLICIES policies.
reloaded() { (($(reloads "$1" "$2") > $3)); }
rv_reloads=$(reloads 0 reviews) pp_reloads=$(reloads 0 productpage)
write_workloads --service
wait_until 10 "productpage's proxy to read the file with the service" reloaded 0 productpage "$pp_reloads"
wait_until 10 "reviews' proxy to read the file with the service" reloaded 0 reviews "$rv_reloads"
# The service range gets a route in productpage, as a cluster's pod network has one: a connect to a VIP must leave
# routing before the nat rules can send it to 15001 (without one it fails with "Network is unreachable").
nsx productpage ip route add 10.96.0.0/16 dev eth0
# The pod's resolv.conf: ip netns exec bind-mounts /etc/netns/<ns>/resolv.conf over /etc/resolv.conf for what runs
# in the pod. Its nameserver (the client's address, where nothing answers DNS) is only ever asked for names the
# workloads file does not hold; capture-init --redirect-dns sends the app's queries to it to 15053 instead.
dns_etc=/etc/netns/$(netns_name productpage)
mkdir -p "$dns_etc"
printf 'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver %s\noptions timeout:2 attempts:1\n' "$cl_ip" |
  tee "$work/resolv.conf" >"$dns_etc/resolv.conf"
chmod 644 "$work/resolv.conf"
say "\$ capture-init ${init_text} --redirect-dns --resolv-conf $work/resolv.conf --reconcile   (in productpage)"
nsx productpage "$bin/capture-init" "${init_args[@]}" --redirect-dns --resolv-conf "$work/resolv.conf" --reconcile \
  >"$work/productpage-init-dns.log" 2>&1 || { cat "$work/productpage-init-dns.log" >&2; die "capture-init --redirect-dns failed in productpage"; }
live_rules productpage | grep -E -- '--dport 53 .*15053' | sed 's/^/      /' || die "productpage's rules send no DNS to 15053"
say "\$ ip netns exec $(netns_name productpage) setpriv --reuid $app_uid ... getent ahosts reviews"
nsx productpage "${as_app[@]}" getent ahosts reviews >"$work/getent.txt" 2>&1 ||
  { cat "$work/getent.txt" "$work/productpage-hbone.log" >&2; die "productpage's app could not resolve reviews"; }
sed 's/^/      /' "$work/getent.txt"
grep -q "^$vip " "$work/getent.txt" || die "reviews did not resolve to its VIP $vip"
ok "productpage's app resolved reviews (search list → reviews.default.svc.cluster.local) to the VIP $vip, answered by its proxy's 15053"

say "\$ ip netns exec $(netns_name productpage) setpriv --reuid $app_uid ... capture-peer http-get http://reviews:9080/reviews/by-name"
nsx productpage "${as_app[@]}" "$peer" http-get "http://reviews:9080/reviews/by-name" >"$work/by-name.txt" 2>&1 ||
  { cat "$work/by-name.txt" "$work/productpage-hbone.log" >&2; die "productpage's app could not reach reviews by name"; }
sed 's/^/      /' "$work/by-name.txt"
sleep 0.5 # access-log lines are written when a connection closes
vip_line=$(grep -E "outbound .* -> $vip:9080 .*via=hbone" "$work/productpage-hbone.log" | tail -n 1)
[[ -n $vip_line ]] || die "productpage's access log has no outbound line to $vip:9080 through the tunnel"
say "productpage's proxy: ${vip_line#*AccessLog*] }"
ok "reviews by name → $vip:9080 → HBONE tunnel to reviews' 15008"

pp_principal=${pp_id#spiffe://}
rv_reloads=$(reloads 1 reviews)
write_workloads --service "cluster.local/ns/default/sa/bookinfo-ratings"
say "policy default/reviews-callers (Allow, selected by reviews) admits only cluster.local/ns/default/sa/bookinfo-ratings"
wait_until 10 "reviews' proxy to read the policy" reloaded 1 reviews "$rv_reloads"
scrape reviews "$work/rv.auth0"
rv_log_at=$(wc -l <"$work/reviews-hbone.log")
if nsx productpage "${as_app[@]}" "$peer" http-get --timeout 5 "http://reviews:9080/reviews/denied" >"$work/denied.txt" 2>&1; then
  cat "$work/denied.txt" >&2
  die "productpage reached reviews although the policy admits only bookinfo-ratings"
fi
say "productpage's app: $(tail -n 1 "$work/denied.txt")"
sleep 0.5
scrape reviews "$work/rv.auth1"
denied_line=$(tail -n +"$((rv_log_at + 1))" "$work/reviews-hbone.log" | grep -E "inbound .*end=denied" | head -n 1)
[[ -n $denied_line ]] || { cat "$work/reviews-hbone.log" >&2; die "reviews' access log has no denied stream"; }
say "reviews' proxy (the denying side):"
tail -n +"$((rv_log_at + 1))" "$work/reviews-hbone.log" | grep -E "denied" | sed 's/^[^]]*] /      /'
[[ $denied_line == *401* ]] || die "reviews' denied stream does not show its 401"
[[ $denied_line == *"peer=$pp_id"* ]] || die "reviews' denied stream does not name productpage's identity"
say "reviews' metrics that moved:"
changed "$work/rv.auth0" "$work/rv.auth1" | grep -E 'authorization|hbone' || true
d_denied=$(($(metric "$work/rv.auth1" capture_authorization_denied_total 'transport="hbone"') - $(metric "$work/rv.auth0" capture_authorization_denied_total 'transport="hbone"')))
((d_denied >= 1)) || die "capture_authorization_denied_total{transport=\"hbone\"} did not move on reviews"
! grep -q '/reviews/denied' "$work/reviews-app.log" || die "the denied request reached reviews' app"
ok "productpage ($pp_id) denied by reviews with 401 (no allow policy matched); reviews' app was never connected"

rv_reloads=$(reloads 1 reviews)
write_workloads --service "$pp_principal"
say "policy default/reviews-callers now admits $pp_principal"
wait_until 10 "reviews' proxy to read the new policy" reloaded 1 reviews "$rv_reloads"
nsx productpage "${as_app[@]}" "$peer" http-get "http://reviews:9080/reviews/allowed" >"$work/allowed.txt" 2>&1 ||
  { cat "$work/allowed.txt" "$work/reviews-hbone.log" >&2; die "productpage was still denied after the policy admitted it"; }
say "productpage's app: $(head -n 1 "$work/allowed.txt")"
sleep 0.5
allowed_line=$(grep -E "inbound .*policy=default/reviews-callers" "$work/reviews-hbone.log" | grep -v 'end=denied' | tail -n 1)
[[ -n $allowed_line ]] || die "reviews' access log has no allowed stream naming policy default/reviews-callers"
say "reviews' proxy: ${allowed_line#*AccessLog*] }"
ok "allowed again without a restart: the policy in force when the connection arrived decided"

# ---------------------------------------------------------------------------------------------------------------
if [[ $keep == true ]]; then
  printf '\n==> demo passed: every hop captured, the proxy'"'"'s own traffic and the excluded ports were not, the HBONE hop was encrypted, reviews resolved by name through 15053, and a policy denied with 401\n'
  exit 0 # the EXIT trap prints how to look around and how to tear down
fi

step "Tearing down"
netns_cleanup
[[ -z $(netns_leftovers) ]] || die "namespaces left behind: $(netns_leftovers)"
ok "all demo namespaces deleted and processes stopped"
printf '\n==> demo passed: every hop captured, the proxy'"'"'s own traffic and the excluded ports were not, the HBONE hop was encrypted, reviews resolved by name through 15053, and a policy denied with 401\n'
