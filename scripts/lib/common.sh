# shellcheck shell=bash
# Shared helpers for Capture's scripts: loud steps, a trap that names the failed step, small waits.
# Source it after `set -euo pipefail`.

CAPTURE_STEP="starting"

# step "what happens now": prints a numbered heading; if anything fails until the next step, the ERR trap names it.
CAPTURE_STEP_NO=0
step() {
  CAPTURE_STEP="$*"
  CAPTURE_STEP_NO=$((CAPTURE_STEP_NO + 1))
  printf '\n\033[1m==> [%d] %s\033[0m\n' "$CAPTURE_STEP_NO" "$CAPTURE_STEP"
}

say() { printf '    %s\n' "$*"; }
ok() { printf '    \033[32mOK\033[0m  %s\n' "$*"; }
die() {
  printf '\n\033[31mFAILED at step [%d] "%s": %s\033[0m\n' "$CAPTURE_STEP_NO" "$CAPTURE_STEP" "$*" >&2
  exit 1
}

# Installed by the scripts: `trap on_err ERR`. set -e alone would end the script silently.
on_err() {
  local rc=$? line=${BASH_LINENO[0]:-?} cmd=${BASH_COMMAND:-?}
  printf '\n\033[31mFAILED at step [%d] "%s" (line %s, exit %d): %s\033[0m\n' \
    "$CAPTURE_STEP_NO" "$CAPTURE_STEP" "$line" "$rc" "$cmd" >&2
  exit "$rc"
}

require_root() {
  [[ $(id -u) -eq 0 ]] || { echo "$(basename "$0"): must run as root (network namespaces, iptables)" >&2; exit 1; }
}

# wait_until SECONDS DESCRIPTION CMD...: polls CMD every 0.1 s; dies naming DESCRIPTION when time runs out.
wait_until() {
  local seconds=$1 what=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "timed out after ${seconds}s waiting for ${what}"
    sleep 0.1
  done
}

# kv KEY LINE: the value of KEY in a capture-peer result line (key=value ...).
kv() { sed -n "s/.*\(^\| \)$1=\([^ ]*\).*/\2/p" <<<"$2"; }

# Publishes the named targets unless artifacts/bin already holds binaries newer than every source they build from.
publish_if_stale() {
  local root=$1
  shift
  local stale=()
  local t bin src
  for t in "$@"; do
    case "$t" in
      init) bin=capture-init src="init native-shims" ;;
      proxy) bin=capture-proxy src="proxy native-shims" ;;
      peer) bin=capture-peer src="tests/Capture.Peer" ;;
      *) die "publish_if_stale: unknown target $t" ;;
    esac
    # shellcheck disable=SC2086 # src is a list of directories
    if [[ ! -x "$root/artifacts/bin/$bin" ]] ||
      [[ -n $(cd "$root" && find $src Directory.Build.props Directory.Packages.props -newer "artifacts/bin/$bin" \
        \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' \) -not -path '*/obj/*' -not -path '*/bin/*' -print -quit) ]]; then
      stale+=("$t")
    fi
  done
  if ((${#stale[@]})); then
    say "publishing ${stale[*]} (Native AOT; about a minute each on two cores)"
    # Quiet when it works; on failure the compiler's and linker's messages are what the reader needs.
    local log
    log=$(mktemp)
    if ! "$root/scripts/publish.sh" "${stale[@]}" >"$log" 2>&1; then
      cat "$log" >&2
      rm -f "$log"
      echo "publish: scripts/publish.sh ${stale[*]} failed" >&2
      return 1
    fi
    rm -f "$log"
  else
    say "artifacts/bin is up to date"
  fi
}
