# shellcheck shell=bash
# Network-namespace helpers for the demo and the benchmark. Everything lives in namespaces we create with a unique
# prefix; the host namespace's links, addresses, routes and rules are never touched (veth ends are created directly
# inside their namespaces). netns_cleanup (run it from an EXIT trap) stops what we started and deletes what we made.

NETNS_PREFIX=""
NETNS_CREATED=()
NETNS_PIDS=()

# netns_init TAG: picks the unique prefix, e.g. capdemo-4711-29361.
netns_init() { NETNS_PREFIX="$1-$$-${RANDOM}"; }

# netns_name SHORT: the full name of one of our namespaces.
netns_name() { printf '%s-%s' "$NETNS_PREFIX" "$1"; }

# netns_add SHORT: creates the namespace, brings lo up, returns nothing; registered for cleanup first.
netns_add() {
  local ns
  ns=$(netns_name "$1")
  NETNS_CREATED+=("$ns")
  ip netns add "$ns"
  ip -n "$ns" link set lo up
}

# nsx SHORT CMD...: runs CMD inside the namespace.
nsx() {
  local ns
  ns=$(netns_name "$1")
  shift
  ip netns exec "$ns" "$@"
}

# netns_veth SHORT_A IF_A ADDR_A SHORT_B IF_B [ADDR_B]: a veth pair between two namespaces; ADDR in CIDR form, or "".
netns_veth() {
  local a b
  a=$(netns_name "$1") b=$(netns_name "$4")
  ip link add name "$2" netns "$a" type veth peer name "$5" netns "$b"
  [[ -z "$3" ]] || ip -n "$a" addr add "$3" dev "$2"
  [[ -z "${6:-}" ]] || ip -n "$b" addr add "$6" dev "$5"
  ip -n "$a" link set "$2" up
  ip -n "$b" link set "$5" up
}

# netns_bridge SHORT BRIDGE: a bridge inside SHORT (the "node").
netns_bridge() {
  local ns
  ns=$(netns_name "$1")
  ip -n "$ns" link add name "$2" type bridge
  ip -n "$ns" link set "$2" up
}

# netns_attach NODE BRIDGE POD ADDR: the pod's eth0, its peer enslaved to the node's bridge.
netns_attach() {
  local node=$1 bridge=$2 pod=$3 addr=$4 port="v-$3"
  netns_veth "$pod" eth0 "$addr" "$node" "${port:0:15}" ""
  ip -n "$(netns_name "$node")" link set "${port:0:15}" master "$bridge"
}

# netns_spawn SHORT LOG CMD...: starts CMD in the background inside the namespace, output to LOG; sets SPAWNED_PID.
# `ip netns exec` and setpriv exec in place, so the PID is the program's own (what /proc/PID/stat measures).
netns_spawn() {
  local ns log=$2
  ns=$(netns_name "$1")
  shift 2
  ip netns exec "$ns" "$@" >"$log" 2>&1 &
  SPAWNED_PID=$!
  NETNS_PIDS+=("$SPAWNED_PID")
}

# netns_stop PID...: SIGTERM, up to 5 s to exit (the proxy drains), then SIGKILL. Only PIDs we started.
netns_stop() {
  local pid deadline
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  deadline=$((SECONDS + 5))
  for pid in "$@"; do
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}

# netns_cleanup: stops every process we spawned, then any process still inside our namespaces (all of them started
# by us: nothing else can enter a namespace it does not know), then deletes the namespaces. Idempotent.
netns_cleanup() {
  local ns pids
  ((${#NETNS_PIDS[@]})) && netns_stop "${NETNS_PIDS[@]}"
  NETNS_PIDS=()
  for ns in "${NETNS_CREATED[@]}"; do
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    # shellcheck disable=SC2086 # a list of PIDs
    [[ -z "$pids" ]] || kill -KILL $pids 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
  NETNS_CREATED=()
}

# netns_leftovers: our namespaces that still exist (should print nothing after cleanup).
netns_leftovers() { ip netns list | awk '{print $1}' | grep -F -- "$NETNS_PREFIX-" || true; }

# The benchmarks' traps: on any exit their namespaces and their work directory ($work, when set) go, and a namespace
# that could not be deleted is named; a failing command is reported (on_err); Ctrl-C ends with 130.
bench_traps() {
  trap on_err ERR
  trap _bench_cleanup EXIT
  trap 'exit 130' INT TERM
}
_bench_cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  netns_cleanup
  [[ -z "${work:-}" ]] || rm -rf "$work"
  if [[ -n "$NETNS_PREFIX" && -n $(netns_leftovers) ]]; then echo "bench: could not delete: $(netns_leftovers)" >&2; fi
  exit "$rc"
}
