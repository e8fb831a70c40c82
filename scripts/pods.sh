#!/usr/bin/env bash
# The container images and the Kubernetes manifests, for real: builds Dockerfile.init and Dockerfile.proxy with
# podman, plays examples/kubernetes/productpage.yaml (REDIRECT) and productpage-tproxy.yaml (TPROXY) as pods with an
# app container, then the HBONE pair productpage-hbone.yaml + reviews-hbone.yaml (credentials from a Secret, the
# workloads file from a ConfigMap) and checks that productpage -> reviews went through the tunnel; then tears
# everything down and checks that nothing is left.
#
# Usage: sudo scripts/pods.sh [--no-install] [--purge] [--keep-images] [--reuse-images]
#   --no-install    do not call scripts/install-deps.sh --pods (podman, buildah, mmdebstrap, runc, ... must be there)
#   --purge         also delete the cached base images (kept by default, see below) and their storage
#   --keep-images   keep the capture-init and capture-proxy images this run built (in the private store)
#   --reuse-images  play kept images instead of building them (for work on the pods part; proves no build)
# Last line: pods.sh: N passed, N failed, N skipped (scripts/test.sh adds it to its totals). A machine without root,
# the packages or the kernel features prints one "skipped: <what is missing>" line and counts as skipped.
#
# How (docs/kubernetes.md has the why of each point):
# - podman 4.3 from Debian, with its own containers.conf (CONTAINERS_CONF) and storage.conf (CONTAINERS_STORAGE_CONF):
#   nothing is written under /etc; images and containers live in a private store under /var/cache/capture-pods.
# - No registry is reachable here, so the base images are made from Debian packages with mmdebstrap and `podman
#   import`ed: an SDK stand-in (Debian with clang; the machine's .NET SDK is mounted read-only into the build), a
#   runtime-deps stand-in with iptables and iproute2 for the init image, a "chiseled" stand-in (only libc, libstdc++,
#   zlib, libssl, CA certificates, tzdata; no shell) for the proxy image, and a busybox app. They are tagged with a
#   hash of their recipe and kept between runs (rebuilt when the recipe changes or after 7 days).
# - The builds run with --network none: the host's NuGet cache is mounted as an overlay (restored here first).
# - Never podman's own networking (it would write rules into the host's namespace): pods are played with
#   --network none, the pod's infra container is started, its namespace attached under our own name and given a veth
#   to a bridge in a "node" namespace; then the pod starts. The host namespace's rules, routes and links are compared
#   byte for byte before and after.
# - podman 4.3 quirks are handled in a play-time copy of each manifest (never in the manifests): no `ports:` without
#   bridge networking, restartPolicy OnFailure (Always restarts init containers forever), the app image replaced by
#   the busybox app; readiness probes are ignored by podman 4.3, so this script polls 15021 itself.
# - The HBONE pair's Secrets: podman 4.3 writes a Secret volume's `data:` values to the files as they are, without
#   base64-decoding them, and its own `kind: Secret` handling insists they are base64. So the copy leaves the Secret
#   document out and the script creates each Secret with `podman secret create` from a Secret YAML whose data are the
#   freshly minted PEM files as text; the pod's `secret:` volume is played unchanged. The copy also puts this
#   script's pod IPs where the manifests' workloads file has placeholders.
set -Eeuo pipefail
# The whole script is one block, read before it runs: editing the file during a run cannot change that run.
{
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=lib/netns.sh
source "$root/scripts/lib/netns.sh"

install=true purge=false keep_images=false reuse_images=false
for arg in "$@"; do
  case "$arg" in
    --no-install) install=false ;;
    --purge) purge=true ;;
    --keep-images) keep_images=true ;;
    --reuse-images) reuse_images=true ;;
    -h | --help) sed -n '2,36p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "pods.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

passed=0 failed=0 skipped=0
started=$SECONDS
pass() { printf '    ok    %s\n' "$*"; passed=$((passed + 1)); }
fail() { printf '    FAIL  %s\n' "$*"; failed=$((failed + 1)); }
skip() { printf '    skip  %s\n' "$*"; skipped=$((skipped + 1)); }
step() { printf '\n==> %s (%ds)\n' "$*" $((SECONDS - started)); }
say() { printf '    %s\n' "$*"; }
summary() { printf 'pods.sh: %d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"; }
# skip_all REASON: the whole run cannot happen here; one skipped check says why.
skip_all() {
  echo "pods.sh: skipped: $*"
  skipped=$((skipped + 1))
  summary
  exit 0
}
# check DESCRIPTION CMD...: one check, passed when CMD succeeds.
check() {
  local what=$1
  shift
  if "$@" >/dev/null 2>&1; then pass "$what"; else fail "$what"; fi
}

# What the real build cannot prove (pinned tags, no shell in the proxy image): checked from the Dockerfiles alone.
step "Static checks of the Dockerfiles (scripts/check-dockerfiles.sh)"
static=$(scripts/check-dockerfiles.sh 2>&1) || true
grep -E '^    (ok|FAIL) ' <<<"$static" || true
passed=$((passed + $(grep -c '^    ok ' <<<"$static" || true)))
failed=$((failed + $(grep -c '^    FAIL ' <<<"$static" || true)))

# ---------------------------------------------------------------------------------------------------------------
# What this machine needs; anything missing is one clear skip line.
[[ $(id -u) -eq 0 ]] || skip_all "needs root (podman, network namespaces, iptables in the pods' namespaces)"
if [[ $install == true ]]; then
  if ! deps_log=$(scripts/install-deps.sh --pods 2>&1); then
    skip_all "could not install podman, buildah, mmdebstrap, runc, catatonit, uidmap, nftables: $(tail -n 1 <<<"$deps_log")"
  fi
fi
missing=()
for tool in podman buildah mmdebstrap runc catatonit newuidmap ip iptables-save nft dotnet; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
((${#missing[@]} == 0)) || skip_all "missing ${missing[*]} (scripts/install-deps.sh --pods installs them)"
grep -qw overlay /proc/filesystems || skip_all "the kernel has no overlay filesystem (podman's storage needs it)"
podman_version=$(podman version --format '{{.Client.Version}}' 2>/dev/null || true)
[[ $podman_version == 4.* ]] || skip_all "podman $podman_version: this script is written for podman 4.x (Debian 12's 4.3)"
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
sdk_version=$(dotnet --version 2>/dev/null || true)
[[ -n $sdk_version ]] || skip_all "dotnet --version failed: the .NET SDK is needed for the image builds"

# Everything podman keeps: a private store (base images are cached there) and run-time state; our own configs.
cache=${CAPTURE_PODS_CACHE:-/var/cache/capture-pods}
runroot=/run/capture-pods
work=$(mktemp -d /tmp/capture-pods.XXXXXX)
mkdir -p "$cache" "$runroot"
exec 9>"$cache/lock"
flock -n 9 || skip_all "another scripts/pods.sh is running (lock $cache/lock)"
cat >"$work/containers.conf" <<EOF
# podman for scripts/pods.sh only. root here lacks CAP_SYS_RESOURCE, so podman's default ulimits fail with EPERM;
# crun 1.8.1 refuses this machine's hybrid cgroup layout, runc works; no systemd to manage cgroups.
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
log_driver = "k8s-file"
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$runroot/events.log"
tmp_dir = "$runroot/libpod"
EOF
cat >"$work/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$cache/storage"
runroot = "$runroot/storage"
EOF
export CONTAINERS_CONF=$work/containers.conf CONTAINERS_STORAGE_CONF=$work/storage.conf

# The host namespace's firewall, routes, rules and links, and the files under /etc podman could write: compared
# byte for byte after the teardown. iptables-save's comment lines carry timestamps and are left out.
host_state() {
  local save
  for save in iptables-save ip6tables-save iptables-legacy-save ip6tables-legacy-save; do
    command -v "$save" >/dev/null 2>&1 || continue
    echo "### $save"
    "$save" 2>&1 | grep -v '^#' || true
  done
  echo "### nft list ruleset"; nft list ruleset 2>&1 || true
  echo "### routes"; ip -4 route show table all; ip -6 route show table all
  echo "### rules"; ip -4 rule show; ip -6 rule show
  echo "### links"; ip -d link show
  echo "### addresses"; ip addr show
  echo "### /etc/containers /etc/cni"
  find /etc/containers /etc/cni -type f -exec sha256sum {} + 2>/dev/null | sort || true
}
# Lifetimes of dynamic addresses and routes count down, and a link's promiscuity and allmulti are counts of the
# packet sockets (tcpdump) open on it anywhere on the machine: not changes.
host_snapshot() { host_state | sed -E 's/(valid_lft|preferred_lft|expires) [0-9]+sec/\1 N/g; s/(promiscuity|allmulti) [0-9]+/\1 N/g'; }
# Namespaces that are not ours and existed before we started are someone else's; ours carry our prefix, podman's
# own are named netns-<uuid>.
podman_netns() { ip netns list | awk '$1 ~ /^netns-/ {print $1}' | sort; }
host_snapshot >"$work/host-before.txt"
podman_netns >"$work/netns-before.txt"

netns_init capods
node=$(netns_name node) peer=$(netns_name peer)
subnet=10.47.0
peer_ip=$subnet.2
pods=()           # pod names played, for the teardown
secrets=()        # podman secrets created for the HBONE pods, for the teardown
declare -A play_ip=() # placeholder pod IP in a manifest -> the pod IP this script gives it
certs=$work/certs     # the HBONE pods' credentials, minted by scripts/hbone-certs.sh
declare -A job=() # mmdebstrap runs in the background, by base image
images_built=(capture-init:0.1.0 capture-proxy:0.1.0) # this run's images (in our private store), removed at the end
peer_ctr=capods-peer-$$

# ---------------------------------------------------------------------------------------------------------------
teardown() {
  local rc=$?
  trap - EXIT INT TERM ERR
  set +e
  # mmdebstrap runs still going (an interrupted first run): stop them, they unmount and clean up their own work.
  local j
  for j in "${job[@]}"; do
    kill -0 "$j" 2>/dev/null || continue
    pkill -TERM -P "$j"
    wait "$j" 2>/dev/null
  done
  step "Tearing down: pods, containers, images of this run, namespaces"
  local p
  # Stopping takes seconds per pod (the sidecar drains; busybox's httpd as PID 1 ignores SIGTERM until -t), so the
  # pods stop in parallel; removing them is quick and done one at a time (podman 4.3 left a pod behind when several
  # `pod rm` ran at once).
  local stopping=()
  for p in "${pods[@]}"; do
    podman pod stop -t 10 "$p" >/dev/null 2>&1 &
    stopping+=($!)
  done
  for p in "${stopping[@]}"; do wait "$p"; done
  for p in "${pods[@]}"; do podman pod rm -f -t 2 "$p" >/dev/null 2>&1; done
  podman rm -f -t 2 "$peer_ctr" >/dev/null 2>&1
  # kube play keeps a Secret's and a ConfigMap's volume as named volumes (the Secret's holds the key), and the
  # Secrets themselves in the store: all of them go.
  ((${#secrets[@]} == 0)) || podman secret rm "${secrets[@]}" >/dev/null 2>&1
  podman volume prune -f >/dev/null 2>&1
  netns_cleanup
  [[ $keep_images == true && $purge == false ]] || ((${#images_built[@]} == 0)) || podman rmi -f "${images_built[@]}" >/dev/null 2>&1
  # podman 4.3 builds its pod infra ("pause") image locally from catatonit: ours too.
  podman images --format '{{.Repository}}:{{.Tag}}' | grep '^localhost/podman-pause:' | xargs -r podman rmi -f >/dev/null 2>&1
  podman image prune -f >/dev/null 2>&1
  if [[ $purge == true ]]; then
    podman rmi -a -f >/dev/null 2>&1
  fi

  step "Checking that nothing is left"
  local left
  left=$(podman ps -a --format '{{.Names}}' 2>&1)
  if [[ -z $left ]]; then pass "no containers left"; else fail "containers left: $left"; fi
  left=$(podman pod ps --format '{{.Name}}' 2>&1)
  if [[ -z $left ]]; then pass "no pods left"; else fail "pods left: $left"; fi
  left=$( { podman secret ls --format '{{.Name}}'; podman volume ls --format '{{.Name}}'; } 2>&1)
  if [[ -z $left ]]; then pass "no secrets or volumes left (the HBONE pods' Secrets, ConfigMap and Secret volumes)"; else fail "secrets or volumes left: $(tr '\n' ' ' <<<"$left")"; fi
  left=$(podman images -a --format '{{.Repository}}:{{.Tag}}' 2>&1 | grep -v '^localhost/capture-pods-base/' || true)
  [[ $keep_images == false || $purge == true ]] || left=$(grep -v -x -e localhost/capture-init:0.1.0 -e localhost/capture-proxy:0.1.0 <<<"$left" || true)
  if [[ -z $left ]]; then
    pass "no images of this run left ($(podman images -q | wc -l) cached base images kept$([[ $purge == true ]] && echo ', --purge: none'))"
  else
    fail "images left: $(tr '\n' ' ' <<<"$left")"
  fi
  left=$( { ip netns list | awk '{print $1}' | grep -F -- "$NETNS_PREFIX-"; comm -13 "$work/netns-before.txt" <(podman_netns); } || true)
  if [[ -z $left ]]; then pass "no network namespaces left (ours or podman's)"; else fail "namespaces left: $left"; fi
  left=$(grep -F -- "$cache/storage/overlay" /proc/mounts || true)
  if [[ -z $left ]]; then pass "no container filesystems left mounted"; else fail "mounts left: $left"; fi
  host_snapshot >"$work/host-after.txt"
  if cmp -s "$work/host-before.txt" "$work/host-after.txt"; then
    pass "host namespace byte-identical before and after: iptables-save, nft list ruleset, routes, rules, links, addresses, /etc/containers, /etc/cni ($(wc -l <"$work/host-before.txt") lines)"
  else
    fail "the host namespace changed:"
    diff "$work/host-before.txt" "$work/host-after.txt" | head -n 20 | sed 's/^/          /'
  fi
  if [[ $purge == true ]]; then rm -rf "$cache/storage"; fi
  rm -rf "$runroot" "$work"
  ((rc == 0)) || ((failed > 0)) || fail "stopped early (exit $rc)"
  say "wall time $((SECONDS - started)) s"
  summary
  ((failed == 0)) || exit 1
  exit 0
}
# An unexpected error ends the run (counted as a failure, naming the line), then the teardown runs.
on_error() {
  local rc=$? line=${BASH_LINENO[0]:-?} cmd=${BASH_COMMAND:-?}
  fail "unexpected error at line $line (exit $rc): $cmd"
  exit "$rc"
}
trap teardown EXIT
trap on_error ERR
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------------------------
# Base images from Debian packages. Each recipe is mmdebstrap's arguments, a customize hook and podman import's
# --change lines; the tag is a hash of all of it.
suite=bookworm
path_env='ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
declare -A recipe_args recipe_hook recipe_change
# The SDK stand-in: Debian and the C toolchain Native AOT links with; the .NET SDK itself is this machine's, mounted
# read-only at build time (the dotnet link points at it). Environment as in Microsoft's SDK images, plus no NuGet
# vulnerability audit (the builds have no network; the host's restore audits).
recipe_args[sdk]="--variant=minbase --include=clang,zlib1g-dev,libicu72,libssl3,ca-certificates"
recipe_hook[sdk]='mkdir -p "$1/usr/share/dotnet" && ln -s /usr/share/dotnet/dotnet "$1/usr/bin/dotnet"'
recipe_change[sdk]="$path_env|ENV DOTNET_NOLOGO=true|ENV DOTNET_CLI_TELEMETRY_OPTOUT=1|ENV DOTNET_GENERATE_ASPNET_CERTIFICATE=false|ENV DOTNET_CLI_WORKLOAD_UPDATE_NOTIFY_DISABLE=true|ENV NUGET_XMLDOC_MODE=skip|ENV NuGetAudit=false"
# runtime-deps stand-in for the init image, with iptables and iproute2 already there: its apt step fetches nothing.
recipe_args[runtime]="--variant=minbase --include=iptables,iproute2"
recipe_hook[runtime]='true'
recipe_change[runtime]="$path_env"
# "chiseled" stand-in for the proxy image: only the libraries' packages extracted, no shell, no package manager (the
# few executables those packages bring are removed), the CA bundle assembled as update-ca-certificates would.
recipe_args[chiseled]="--variant=extract --include=libc6,libstdc++6,zlib1g,libssl3,ca-certificates,tzdata"
recipe_hook[chiseled]='mkdir -p "$1/etc/ssl/certs" "$1/tmp" && chmod 1777 "$1/tmp" && cat "$1"/usr/share/ca-certificates/mozilla/*.crt >"$1/etc/ssl/certs/ca-certificates.crt" && rm -rf "$1/usr/bin" "$1/usr/sbin" "$1/bin" "$1/sbin" "$1/usr/share/doc" "$1/usr/share/man" && printf "root:x:0:0:root:/root:/nonexistent\n" >"$1/etc/passwd" && printf "root:x:0:\n" >"$1/etc/group"'
recipe_change[chiseled]="$path_env"
# The app: busybox's httpd on 9080 with one CGI that answers with the client address it sees, and wget for the
# outbound request.
recipe_args[app]="--variant=extract --include=busybox-static"
recipe_hook[app]='mkdir -p "$1/www/cgi-bin" "$1/tmp" && chmod 1777 "$1/tmp" && { echo "#!/bin/busybox sh"; echo "echo Content-Type: text/plain"; echo echo; echo "echo client=\$REMOTE_ADDR"; } >"$1/www/cgi-bin/client" && chmod 755 "$1/www/cgi-bin/client"'
recipe_change[app]="$path_env|CMD [\"/bin/busybox\",\"httpd\",\"-f\",\"-p\",\"9080\",\"-h\",\"/www\"]"
declare -A base
for name in sdk runtime chiseled app; do
  key=$(printf '%s\n' "v2" "$suite" "${recipe_args[$name]}" "${recipe_hook[$name]}" "${recipe_change[$name]}" | sha256sum | cut -c1-12)
  base[$name]=localhost/capture-pods-base/$name:$key
done

step "Base images from Debian packages (mmdebstrap $suite, podman import), cached by recipe"
# Drop cached images whose recipe changed or that are older than 7 days (Debian's security updates).
now=$(date +%s)
while read -r image; do
  [[ -n $image ]] || continue
  created=$(podman image inspect --format '{{.Created.Unix}}' "$image")
  name=${image#localhost/capture-pods-base/}
  name=${name%%:*}
  if [[ ${base[$name]:-} != "$image" ]] || ((now - created > 7 * 86400)); then
    say "dropping stale cached $image"
    podman rmi -f "$image" >/dev/null
  fi
done < <(podman images --format '{{.Repository}}:{{.Tag}}' | grep '^localhost/capture-pods-base/' || true)
for name in sdk runtime chiseled app; do
  if podman image exists "${base[$name]}"; then
    say "cached: ${base[$name]}"
    continue
  fi
  # shellcheck disable=SC2086 # the recipe's arguments are a list
  # The extract variant runs no customize hooks, only extract hooks.
  hook=--customize-hook
  [[ ${recipe_args[$name]} != *--variant=extract* ]] || hook=--extract-hook
  (mmdebstrap --quiet ${recipe_args[$name]} "$hook=${recipe_hook[$name]}" "$suite" "$work/$name.tar" &&
    IFS='|' read -r -a changes <<<"${recipe_change[$name]}" &&
    args=() && for c in "${changes[@]}"; do args+=(--change "$c"); done &&
    podman import "${args[@]}" "$work/$name.tar" "${base[$name]}" &&
    rm -f "$work/$name.tar") >"$work/$name.log" 2>&1 9>&- &
  job[$name]=$!
done
made_all=true
for name in "${!job[@]}"; do
  if wait "${job[$name]}"; then
    pass "made ${base[$name]} ($(podman image inspect --format '{{.Size}}' "${base[$name]}" | awk '{printf "%.0f MB", $1 / 1e6}'))"
  else
    tail -n 15 "$work/$name.log" | sed 's/^/          /'
    fail "could not make ${base[$name]} (mmdebstrap ${recipe_args[$name]})"
    made_all=false
  fi
done
[[ $made_all == true ]] || exit 1

# ---------------------------------------------------------------------------------------------------------------
step "Building Dockerfile.init and Dockerfile.proxy (podman build --network none)"
rid=linux-$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')
# The builds have no network: restore here first so the host's NuGet cache holds every package they need.
for project in init/Capture.Init.csproj proxy/Capture.Proxy.csproj; do
  # PublishReadyToRun too: its crossgen package is part of the restore when a project publishes ReadyToRun.
  dotnet restore "$project" -r "$rid" -p:PublishReadyToRun=true -nologo -v quiet >"$work/restore.log" 2>&1 ||
    { tail -n 15 "$work/restore.log" | sed 's/^/          /'; fail "dotnet restore $project -r $rid"; exit 1; }
done
nuget_cache=$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')
build() { # build DOCKERFILE TAG BASE_IMAGE
  local t0=$SECONDS
  if [[ $reuse_images == true ]] && podman image exists "$2"; then
    skip "podman build -f $1: --reuse-images, playing the kept $2"
    return
  fi
  if podman build --pull=never --network none --layers=false --force-rm \
    -f "$1" --ignorefile "$1.dockerignore" \
    --build-arg SDK_IMAGE="${base[sdk]}" --build-arg BASE_IMAGE="$3" \
    -v "$dotnet_root:/usr/share/dotnet:ro" -v "$nuget_cache:/root/.nuget/packages:O" \
    -t "$2" . >"$work/build-$2.log" 2>&1; then
    pass "podman build -f $1 -t $2 ($((SECONDS - t0)) s, $(podman image inspect --format '{{.Size}}' "$2" | awk '{printf "%.0f MB", $1 / 1e6}'))"
  else
    grep -v '^time=' "$work/build-$2.log" | tail -n 25 | sed 's/^/          /'
    fail "podman build -f $1 -t $2"
    exit 1
  fi
}
build Dockerfile.init capture-init:0.1.0 "${base[runtime]}"
build Dockerfile.proxy capture-proxy:0.1.0 "${base[chiseled]}"

# What the images are, checked on the images themselves.
inspect() { podman image inspect --format "$2" "$1"; }
[[ $(inspect capture-init:0.1.0 '{{json .Config.Entrypoint}}') == '["capture-init"]' ]] &&
  pass "capture-init image: ENTRYPOINT [\"capture-init\"], user $(inspect capture-init:0.1.0 '{{or .Config.User "root"}}')" ||
  fail "capture-init image: ENTRYPOINT is $(inspect capture-init:0.1.0 '{{json .Config.Entrypoint}}')"
[[ $(inspect capture-proxy:0.1.0 '{{json .Config.Entrypoint}} {{.Config.User}}') == '["capture-proxy"] 1337:1337' ]] &&
  pass "capture-proxy image: ENTRYPOINT [\"capture-proxy\"], USER 1337:1337" ||
  fail "capture-proxy image: ENTRYPOINT/USER are $(inspect capture-proxy:0.1.0 '{{json .Config.Entrypoint}} {{.Config.User}}')"
mnt=$(podman image mount capture-proxy:0.1.0)
shells=$(cd "$mnt" && find . -maxdepth 3 \( -name sh -o -name bash -o -name dash -o -name busybox -o -name perl \) -print || true)
if [[ -z $shells ]]; then pass "capture-proxy image has no shell or interpreter"; else fail "capture-proxy image has $shells"; fi
needed=$(LC_ALL=C readelf -d "$mnt/usr/local/bin/capture-proxy" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
say "capture-proxy links: ${needed:-unknown (no readelf)}"
podman image unmount capture-proxy:0.1.0 >/dev/null
check "capture-init in its image: --version" podman run --rm --network none capture-init:0.1.0 --version
check "capture-proxy in its image: --help as 1337, read-only root" podman run --rm --network none --read-only capture-proxy:0.1.0 --help

# ---------------------------------------------------------------------------------------------------------------
step "Network: a node namespace with a bridge, a peer namespace ($peer_ip) with an HTTP server on 8080"
netns_add node
netns_bridge node br0
netns_add peer
netns_attach node br0 peer "$peer_ip/24"
podman run -d --name "$peer_ctr" --network "ns:/run/netns/$peer" --read-only "${base[app]}" \
  /bin/busybox httpd -f -p 8080 -h /www >/dev/null
say "node $node, peer $peer, peer server container $peer_ctr"

# http NS HOST PORT PATH: HTTP/1.0 GET from inside namespace NS with bash's /dev/tcp; prints the status code, then
# the body (CR removed).
http() {
  ip netns exec "$1" timeout 5 bash -c '
    exec 3<>"/dev/tcp/$0/$1" || exit 1
    printf "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n" "$2" "$0" >&3
    cat <&3' "$2" "$3" "$4" | tr -d '\r' | awk 'NR == 1 { print $2; next } body { print } /^$/ { body = 1 }'
}
# metric NS HOST NAME DIRECTION: the counter's value from the sidecar's Prometheus endpoint (0 when absent).
metric() {
  http "$1" "$2" 15090 /stats/prometheus | awk -v m="$3{direction=\"$4\"}" '$1 == m { v = $2 } END { print v + 0 }'
}
ready() { [[ $(http "$1" "$2" 15021 /healthz/ready | head -n 1) == 200 ]]; }
# joined_log FILE: a pod's k8s-file log with each line whole. conmon writes a long line (the sidecar's JSON lines
# with certificate details) as several records tagged P (partial) and a last one tagged F; they are joined here.
# Only the sidecar logs while the pod runs (the init container has finished, busybox's httpd is quiet), so the
# records of one line are consecutive.
joined_log() {
  awk '{ c = $0; sub(/^[^ ]* [^ ]* [^ ]* ?/, "", c); buf = buf c
         if ($3 != "P") { print $1 " " $2 " F " buf; buf = "" } }
       END { if (buf != "") print $1 " " $2 " P " buf }' "$1"
}

# play MANIFEST MODE IP SHORT: plays one manifest as a pod in its own namespace and checks it.
play() {
  local manifest=$1 mode=$2 ip=$3 short=$4 t0=$SECONDS
  local pod copy=$work/$(basename "$manifest")
  # The manifest may hold several documents (the HBONE pair): the pod is the one of kind Pod.
  pod=$(awk '/^---/ { kind = ""; m = 0 } /^kind:/ { kind = $2 } kind == "Pod" && /^metadata:/ { m = 1 } m && /^  name:/ { print $2; exit }' "$manifest")
  step "Playing $manifest ($mode) as pod $pod at $ip"
  # The play-time copy: podman 4.3 quirks and the app, never in the manifest itself. Secret documents are left out
  # (made with podman secret create below); the workloads file's placeholder pod IPs become ours.
  local placeholder ips=(-e '')
  for placeholder in "${!play_ip[@]}"; do ips+=(-e "s/\\<${placeholder//./[.]}\\>/${play_ip[$placeholder]}/g"); done
  awk 'function flush() { if (kind != "Secret") printf "%s", doc; doc = ""; kind = "" }
    /^---/ { flush() } /^kind:/ { kind = $2 } { doc = doc $0 "\n" } END { flush() }' "$manifest" |
  awk -v app="${base[app]}" '
    { indent = match($0, /[^ ]/) - 1 }
    /^---/ { kind = "" } /^kind:/ { kind = $2 }
    skip && (indent > skip_indent || (indent == skip_indent && substr($0, indent + 1, 2) == "- ")) { next }
    { skip = 0 }
    kind == "Pod" && /^ *ports:$/ { skip = 1; skip_indent = indent; next }
    kind == "Pod" && /^spec:$/ { print; print "  restartPolicy: OnFailure"; next }
    /^ *image: docker.io\/istio\/examples-bookinfo-/ {
      pad = substr($0, 1, indent)
      print pad "image: " app
      print pad "command: [\"/bin/busybox\", \"httpd\", \"-f\", \"-p\", \"9080\", \"-h\", \"/www\"]"
      next
    }
    { print }' | sed "${ips[@]}" >"$copy"
  say "play-time copy (diff against the manifest):"
  diff "$manifest" "$copy" | sed 's/^/      /' || true
  # Each Secret of the manifest, made from the minted credentials (istio.<service account>: default.<service
  # account> from scripts/hbone-certs.sh mesh), with the PEM text as the data (podman 4.3 does not decode base64).
  local secret
  for secret in $(awk '/^---/ { kind = "" } /^kind:/ { kind = $2 } kind == "Secret" && /^  name:/ { print $2 }' "$manifest"); do
    make_secret "$secret" "$certs/default.${secret#istio.}"
  done
  pods+=("$pod")
  # podman 4.3 runs kube play's init containers once and then removes them, logs included: the pod's containers
  # log into one file of ours instead (k8s-file lines; the sidecar's lines are JSON, capture-init's are not).
  local podlog=$work/$pod.log
  podman kube play --network none --start=false --log-opt "path=$podlog" "$copy" >"$work/play-$pod.log" 2>&1 ||
    { sed 's/^/          /' "$work/play-$pod.log"; fail "podman kube play $manifest"; exit 1; }
  local infra pid ns
  infra=$(podman pod inspect --format '{{.InfraContainerID}}' "$pod")
  podman start "$infra" >/dev/null
  pid=$(podman inspect --format '{{.State.Pid}}' "$infra")
  ns=$(netns_name "$short")
  ip netns attach "$ns" "$pid"
  NETNS_CREATED+=("$ns")
  netns_attach node br0 "$short" "$ip/24"
  # A default route, as a CNI gives a pod: a connect to an address outside the pod network (a service VIP) needs a
  # route before the OUTPUT rules redirect it to the sidecar.
  ip -n "$ns" route add default dev eth0
  say "infra container ${infra:0:12} (PID $pid): namespace attached as $ns, eth0 $ip"
  # pod start runs the init container to completion first and fails if it exits non-zero.
  if podman pod start "$pod" >"$work/start-$pod.log" 2>&1; then
    pass "$pod: started; the init container ran and exited 0 ($((SECONDS - t0)) s)"
  else
    sed 's/^/          /' "$work/start-$pod.log" "$podlog"
    fail "$pod: podman pod start failed"
    exit 1
  fi

  # The init container ran capture-init with the manifest's istio-init arguments, in the pod's namespace.
  local proxy=$pod-capture-proxy
  joined_log "$podlog" | awk '$4 !~ /^\{/' | cut -d' ' -f4- >"$work/$pod-init.log"
  sed 's/^/      init| /' "$work/$pod-init.log" | tail -n 8
  local applied
  applied=$(grep -o 'IPv4: applied [0-9]* rules.*' "$work/$pod-init.log" | head -n 1 || true)
  if [[ -n $applied ]]; then pass "$pod: capture-init's log: $applied"; else fail "$pod: capture-init's log says no rules were applied"; fi
  ip netns exec "$ns" iptables-save >"$work/$pod-iptables.txt"
  local want=(-e '-A PREROUTING -p tcp -j ISTIO_INBOUND' -e '-A OUTPUT -j ISTIO_OUTPUT' -e '-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001')
  if [[ $mode == REDIRECT ]]; then
    want+=(-e '-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006')
  else
    want+=(-e 'TPROXY --on-port 15006')
  fi
  local pattern lacking=()
  for ((i = 1; i < ${#want[@]}; i += 2)); do
    pattern=${want[$i]}
    grep -q -F -e "$pattern" "$work/$pod-iptables.txt" || lacking+=("$pattern")
  done
  if ((${#lacking[@]} == 0)); then
    pass "$pod: iptables-save in the pod's namespace has the ISTIO_* rules ($(grep -c '^-A ISTIO' "$work/$pod-iptables.txt") rules in ISTIO_* chains, $mode)"
  else
    fail "$pod: iptables-save in the pod's namespace lacks: ${lacking[*]}"
    grep -E '^(\*|-A (PREROUTING|OUTPUT))' "$work/$pod-iptables.txt" | sed 's/^/          /'
  fi
  if [[ $mode == TPROXY ]]; then
    check "$pod: TPROXY routing in the pod's namespace (fwmark 1337 rule, local route in table 133)" \
      bash -c "ip -n '$ns' rule | grep -q 'fwmark 0x539 lookup 133' && ip -n '$ns' route show table 133 | grep -q '^local default'"
  fi

  # Readiness, polled here (podman 4.3 ignores readinessProbe).
  deadline=$((SECONDS + 30))
  until ready "$peer" "$ip" || ((SECONDS >= deadline)); do sleep 0.2; done
  if ready "$peer" "$ip"; then pass "$pod: sidecar ready (GET $ip:15021/healthz/ready: 200)"; else fail "$pod: sidecar not ready within 30 s"; tail -n 10 "$podlog" | sed 's/^/          /'; exit 1; fi
  local ppid status
  ppid=$(podman inspect --format '{{.State.Pid}}' "$proxy")
  status=$(awk '/^(Uid|Gid|CapEff):/ { printf "%s %s ", $1, $2 }' "/proc/$ppid/status")
  local want_status="Uid: 1337 Gid: 1337 CapEff: 0000000000000000 "
  [[ $mode == TPROXY ]] && want_status="Uid: 0 Gid: 1337 CapEff: 0000000000001000 "
  if [[ $status == "$want_status" ]]; then pass "$pod: sidecar runs as $status"; else fail "$pod: sidecar runs as $status, expected $want_status"; fi
  check "$pod: sidecar's root filesystem is read-only" test "$(podman inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$proxy")" = true
  say "sidecar loaded: $(awk '$6 ~ /\.so/ { n = split($6, p, "/"); print p[n] }' "/proc/$ppid/maps" | sort -u | tr '\n' ' ')"

  # One request in, one out: counted in the sidecar's metrics and access log; the app's view of the client.
  local in0 out0 in1 out1 body want_client
  in0=$(metric "$peer" "$ip" capture_connections_accepted_total inbound)
  out0=$(metric "$peer" "$ip" capture_connections_accepted_total outbound)
  body=$(http "$peer" "$ip" 9080 /cgi-bin/client)
  want_client=127.0.0.6
  [[ $mode == TPROXY ]] && want_client=$peer_ip
  # busybox's httpd listens on IPv6 too and reports an IPv4 client in its mapped form, [::ffff:a.b.c.d].
  body=$(sed -E 's/^client=\[::ffff:(.*)\]$/client=\1/' <<<"$body")
  if [[ $body == $'200\nclient='"$want_client" ]]; then
    pass "$pod: inbound GET $ip:9080 from $peer_ip: the app saw client=$want_client"
  else
    fail "$pod: inbound GET $ip:9080: expected 200 and client=$want_client, got: $(tr '\n' ' ' <<<"$body")"
  fi
  # The outbound request comes from a client in the pod's network namespace (as root, like the app: not 1337).
  body=$(http "$ns" "$peer_ip" 8080 /cgi-bin/client)
  body=$(sed -E 's/^client=\[::ffff:(.*)\]$/client=\1/' <<<"$body")
  if [[ $body == $'200\nclient='"$ip" ]]; then
    pass "$pod: outbound GET $peer_ip:8080 from the pod: the peer saw client=$ip"
  else
    fail "$pod: outbound GET $peer_ip:8080 from the pod: expected 200 and client=$ip, got: $(tr '\n' ' ' <<<"$body")"
  fi
  deadline=$((SECONDS + 10))
  while in1=$(metric "$peer" "$ip" capture_connections_accepted_total inbound) &&
    out1=$(metric "$peer" "$ip" capture_connections_accepted_total outbound) &&
    ((in1 != in0 + 1 || out1 != out0 + 1)) && ((SECONDS < deadline)); do sleep 0.2; done
  if ((in1 == in0 + 1 && out1 == out0 + 1)); then
    pass "$pod: capture_connections_accepted_total inbound $in0 -> $in1, outbound $out0 -> $out1"
  else
    fail "$pod: capture_connections_accepted_total inbound $in0 -> $in1, outbound $out0 -> $out1 (expected +1 each)"
  fi
  deadline=$((SECONDS + 10))
  local log_in log_out
  while joined_log "$podlog" | grep '^[^ ]* [^ ]* [^ ]* {' >"$work/$pod-proxy.log" &&
    log_in=$(grep -oE "inbound $peer_ip:[0-9]+ -(>|\\\\u003[eE]) $ip:9080 [^\"]*" "$work/$pod-proxy.log" | tail -n 1) &&
    log_out=$(grep -oE "outbound $ip:[0-9]+ -(>|\\\\u003[eE]) $peer_ip:8080 [^\"]*" "$work/$pod-proxy.log" | tail -n 1) &&
    [[ -z $log_in || -z $log_out ]] && ((SECONDS < deadline)); do sleep 0.2; done
  log_in=${log_in//\\u003E/>} log_out=${log_out//\\u003E/>}
  if [[ -n $log_in ]]; then pass "$pod: access log: $log_in"; else fail "$pod: no inbound line for $peer_ip -> $ip:9080 in the access log"; fi
  if [[ -n $log_out ]]; then pass "$pod: access log: $log_out"; else fail "$pod: no outbound line for $ip -> $peer_ip:8080 in the access log"; fi
}

# make_secret NAME DIR: the podman secret NAME (a Secret YAML, as kube play's secret volumes read them) holding
# cert-chain.pem, key.pem and root-cert.pem from DIR.
make_secret() {
  local name=$1 dir=$2 file=$work/secret-$1.yaml f
  [[ -s $dir/key.pem && -s $dir/cert-chain.pem && -s $dir/root-cert.pem ]] || { fail "Secret $name: no credentials in $dir"; exit 1; }
  {
    printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\ntype: istio.io/key-and-cert\ndata:\n' "$name"
    for f in cert-chain.pem key.pem root-cert.pem; do
      printf '  %s: |\n' "$f"
      sed 's/^/    /' "$dir/$f"
    done
  } >"$file"
  podman secret rm "$name" >/dev/null 2>&1 || true # left by an interrupted run
  podman secret create "$name" "$file" >/dev/null
  secrets+=("$name")
  rm -f "$file"
  say "Secret $name: podman secret create from $dir (cert-chain.pem, key.pem, root-cert.pem as PEM text)"
}

# TPROXY needs the kernel's TPROXY target and socket match; without them that pod is skipped, saying so.
tproxy_missing() {
  local probe=capods-probe-$$
  ip netns add "$probe" || return 0
  local out
  out=$(ip netns exec "$probe" iptables -t mangle -A PREROUTING -p tcp -m socket -j TPROXY --on-port 1 --tproxy-mark 1 2>&1) || true
  ip netns del "$probe"
  [[ -z $out ]] || echo "$out"
}

play examples/kubernetes/productpage.yaml REDIRECT "$subnet.10" pp
if reason=$(tproxy_missing) && [[ -z $reason ]]; then
  play examples/kubernetes/productpage-tproxy.yaml TPROXY "$subnet.11" pp-tproxy
else
  skip "productpage-tproxy.yaml: the kernel lacks TPROXY ($reason)"
fi

# ---------------------------------------------------------------------------------------------------------------
# The HBONE pair: reviews-hbone.yaml and productpage-hbone.yaml, each pod with its Secret at /etc/certs and the
# workloads file from the ConfigMap; productpage's app calls reviews, by pod IP and by the service VIP.
hbone_missing=()
for tool in openssl tcpdump; do command -v "$tool" >/dev/null 2>&1 || hbone_missing+=("$tool"); done
if ((${#hbone_missing[@]})); then
  skip "the HBONE pair (reviews-hbone.yaml, productpage-hbone.yaml): missing ${hbone_missing[*]} (scripts/install-deps.sh installs them)"
  exit
fi
pp_ip=$subnet.12 rv_ip=$subnet.13 vip=10.96.0.20
pp_id=spiffe://cluster.local/ns/default/sa/bookinfo-productpage
rv_id=spiffe://cluster.local/ns/default/sa/bookinfo-reviews
step "HBONE: credentials for bookinfo-productpage and bookinfo-reviews (scripts/hbone-certs.sh mesh)"
scripts/hbone-certs.sh mesh "$certs" default/bookinfo-productpage default/bookinfo-reviews | sed 's/^/    /'
play_ip=([10.244.1.10]=$pp_ip [10.244.1.20]=$rv_ip)
play examples/kubernetes/reviews-hbone.yaml REDIRECT "$rv_ip" rv-hbone
play examples/kubernetes/productpage-hbone.yaml REDIRECT "$pp_ip" pp-hbone
pp_ns=$(netns_name pp-hbone) rv_ns=$(netns_name rv-hbone)

step "HBONE: productpage-v1-hbone -> reviews-v1-hbone through the tunnel (reviews' 15008)"
# What each sidecar sees at /etc/certs and /etc/capture is what the Secret and the ConfigMap hold.
for pod in productpage reviews; do
  ppid=$(podman inspect --format '{{.State.Pid}}' "$pod-v1-hbone-capture-proxy")
  differ=()
  for f in cert-chain.pem key.pem root-cert.pem; do
    cmp -s "/proc/$ppid/root/etc/certs/$f" "$certs/default.bookinfo-$pod/$f" || differ+=("$f")
  done
  if ((${#differ[@]} == 0)); then
    pass "$pod-v1-hbone: the sidecar's /etc/certs (Secret istio.bookinfo-$pod) holds the minted cert-chain.pem, key.pem, root-cert.pem byte for byte"
  else
    fail "$pod-v1-hbone: /etc/certs in the sidecar differs from the minted files: ${differ[*]}"
  fi
  check "$pod-v1-hbone: the sidecar's /etc/capture/workloads.yaml (ConfigMap capture-workloads) lists both pod IPs" \
    bash -c "grep -qF '\"$pp_ip\"' '/proc/$ppid/root/etc/capture/workloads.yaml' && grep -qF '\"$rv_ip\"' '/proc/$ppid/root/etc/capture/workloads.yaml'"
done
# tcpdump on reviews' end of the wire (its veth's port on the node's bridge), for the whole exchange.
rv_port=v-rv-hbone
ip netns exec "$node" tcpdump -i "$rv_port" -nn --immediate-mode -U -s 0 -Z root -w "$work/hbone.pcap" tcp >"$work/tcpdump.log" 2>&1 &
tcpdump_pid=$!
NETNS_PIDS+=("$tcpdump_pid")
deadline=$((SECONDS + 10))
until grep -q 'listening on' "$work/tcpdump.log" || ((SECONDS >= deadline)); do sleep 0.1; done
grep -q 'listening on' "$work/tcpdump.log" || { cat "$work/tcpdump.log"; fail "tcpdump did not start on $rv_port"; exit 1; }
hbone_opened() { metric "$peer" "$1" capture_hbone_streams_opened_total "$2"; }
out0=$(hbone_opened "$pp_ip" outbound) in0=$(hbone_opened "$rv_ip" inbound)
marker=hbone-marker-$$-$RANDOM
for target in "$rv_ip" "$vip"; do
  body=$(http "$pp_ns" "$target" 9080 "/cgi-bin/client?$marker")
  body=$(sed -E 's/^client=\[::ffff:(.*)\]$/client=\1/' <<<"$body")
  if [[ $body == $'200\nclient=127.0.0.6' ]]; then
    pass "productpage's app -> $target:9080 (GET /cgi-bin/client?$marker): answered by reviews' app, which saw client=127.0.0.6 (its sidecar's inbound HBONE)"
  else
    fail "productpage's app -> $target:9080: expected 200 and client=127.0.0.6, got: $(tr '\n' ' ' <<<"$body")"
  fi
done
deadline=$((SECONDS + 10))
while out1=$(hbone_opened "$pp_ip" outbound) && in1=$(hbone_opened "$rv_ip" inbound) &&
  ((out1 < out0 + 2 || in1 < in0 + 2)) && ((SECONDS < deadline)); do sleep 0.2; done
if ((out1 == out0 + 2 && in1 == in0 + 2)); then
  pass "capture_hbone_streams_opened_total: productpage outbound $out0 -> $out1, reviews inbound $in0 -> $in1"
else
  fail "capture_hbone_streams_opened_total: productpage outbound $out0 -> $out1, reviews inbound $in0 -> $in1 (expected +2 each)"
fi
# The access logs: productpage's outbound lines name reviews' identity and the tunnel, reviews' inbound lines
# productpage's identity. Lines are written when a connection closes.
arrow='-(>|\\u003[eE])'
deadline=$((SECONDS + 10))
while joined_log "$work/productpage-v1-hbone.log" | grep '^[^ ]* [^ ]* [^ ]* {' >"$work/pp-hbone-proxy.log" &&
  joined_log "$work/reviews-v1-hbone.log" | grep '^[^ ]* [^ ]* [^ ]* {' >"$work/rv-hbone-proxy.log" &&
  pp_lines=$(grep -oE "outbound $pp_ip:[0-9]+ $arrow ($rv_ip|$vip):9080 [^\"]*via=hbone[^\"]*" "$work/pp-hbone-proxy.log" || true) &&
  rv_lines=$(grep -oE "inbound [^ ]+ $arrow $rv_ip:9080 [^\"]*via=hbone[^\"]*" "$work/rv-hbone-proxy.log" || true) &&
  (($(grep -c . <<<"$pp_lines" || true) < 2 || $(grep -c . <<<"$rv_lines" || true) < 2)) && ((SECONDS < deadline)); do sleep 0.2; done
pp_lines=${pp_lines//\\u003E/>} rv_lines=${rv_lines//\\u003E/>}
for target in "$rv_ip" "$vip"; do
  line=$(grep -E -- "-> $target:9080 " <<<"$pp_lines" | tail -n 1 || true)
  if [[ $line == *"via=hbone peer=$rv_id tunnel=$rv_ip:15008"* ]]; then
    pass "productpage's access log: $line"
  else
    fail "productpage's access log has no outbound line to $target:9080 with via=hbone peer=$rv_id tunnel=$rv_ip:15008 (got: ${line:-nothing})"
  fi
done
line=$(tail -n 1 <<<"$rv_lines")
streams=$(grep -c -F "peer=$pp_id" <<<"$rv_lines" || true)
if ((streams >= 2)); then
  pass "reviews' access log ($streams inbound HBONE streams from $pp_id): $line"
else
  fail "reviews' access log lacks two inbound HBONE lines with peer=$pp_id (got: $(tr '\n' ' ' <<<"${rv_lines:-nothing}"))"
fi
kill -INT "$tcpdump_pid" 2>/dev/null || true
wait "$tcpdump_pid" 2>/dev/null || true
# On the wire: TLS to 15008, and neither the app's port nor the marker in any packet between the pods.
packets() { tcpdump -r "$work/hbone.pcap" -nn "$@" 2>/dev/null | grep -c . || true; }
tunnel_packets=$(packets "tcp port 15008 and host $pp_ip and host $rv_ip")
app_packets=$(packets "tcp port 9080")
marker_packets=$(tcpdump -r "$work/hbone.pcap" -nn -A 2>/dev/null | grep -c -F "$marker" || true)
hello=$(tcpdump -r "$work/hbone.pcap" -nn -x -c 1 "tcp dst port 15008 and (tcp[((tcp[12:1] & 0xf0) >> 2):1] = 0x16)" 2>/dev/null | grep -c . || true)
if ((tunnel_packets > 0 && hello > 0 && app_packets == 0 && marker_packets == 0)); then
  pass "on the wire between the pods (tcpdump on $rv_port): $tunnel_packets packets $pp_ip <-> $rv_ip:15008 starting with a TLS handshake record, none to port 9080, the marker in none: the hop was tunnelled, not plaintext"
else
  fail "on the wire between the pods: $tunnel_packets packets to 15008 (TLS ClientHello seen: $hello), $app_packets to port 9080, $marker_packets with the marker in plaintext"
fi
exit
}
