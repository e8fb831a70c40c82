#!/usr/bin/env bash
# What the podman build in scripts/pods.sh cannot prove about Dockerfile.init and Dockerfile.proxy, because it builds
# them on stand-in base images (no registry is reachable here):
#   - every base image a user gets by default (the ARG defaults of FROM) is pinned: an exact version tag or a digest,
#     never `latest` or a floating tag like 10.0-noble;
#   - the proxy image has no shell: its final base is a "chiseled" (distroless) image, and its final stage needs none
#     (no RUN, no SHELL, ENTRYPOINT in exec form);
#   - each Dockerfile has its <Dockerfile>.dockerignore (what BuildKit reads; pods.sh passes it to podman).
# Everything else (the build stages run, the copied files exist, ENTRYPOINT and USER, the executables start, a
# read-only root works) is proven by the real build and the pods in scripts/pods.sh.
# Usage: scripts/check-dockerfiles.sh    Prints one "ok"/"FAIL" line per check; exit 1 if any failed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[[ ${1:-} != -h && ${1:-} != --help ]] || { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0; }

failures=0
pass() { printf '    ok    %s\n' "$*"; }
fail() { printf '    FAIL  %s\n' "$*"; failures=$((failures + 1)); }

# instructions FILE: one line per instruction, "KEYWORD args", continuation lines joined, comments dropped.
instructions() {
  awk '
    /^[[:space:]]*#/ { next }
    /^[[:space:]]*$/ { next }
    {
      line = $0
      if (line ~ /\\[[:space:]]*$/) { sub(/\\[[:space:]]*$/, "", line); cont = cont line " "; next }
      line = cont line; cont = ""
      sub(/^[[:space:]]+/, "", line)
      n = index(line, " "); kw = toupper(n ? substr(line, 1, n - 1) : line); rest = n ? substr(line, n + 1) : ""
      print kw " " rest
    }' "$1"
}

# pinned IMAGE: an exact version tag (x.y.z…, or a dated snapshot) or a digest; never latest.
pinned() {
  local image=$1
  [[ $image =~ @sha256:[0-9a-f]{64}$ ]] && return 0
  local tag=${image##*:}
  [[ $image == *:* && $tag != */* && $tag != latest ]] || return 1
  # x.y.z (mcr's patch tags) or a dated snapshot (debian:bookworm-20241111-slim); 10.0 or bookworm-slim float.
  [[ $tag =~ ^v?[0-9]+\.[0-9]+\.[0-9]+ || $tag =~ (^|-)[0-9]{8}(-|$) ]]
}

for file in Dockerfile.init Dockerfile.proxy; do
  echo "== $file"
  [[ -f $file.dockerignore ]] && pass "$file.dockerignore exists" || fail "$file.dockerignore is missing"
  declare -A args=()
  final_base="" final_stage=() stage=()
  while IFS= read -r line; do
    kw=${line%% *} rest=${line#* }
    case "$kw" in
      ARG)
        [[ $rest == *=* ]] && args[${rest%%=*}]=${rest#*=}
        ;;
      FROM)
        read -r image _ <<<"$rest"
        for name in "${!args[@]}"; do image=${image//\$\{$name\}/${args[$name]}}; image=${image//\$$name/${args[$name]}}; done
        if [[ $image == *'$'* ]]; then
          fail "FROM $rest: no default for the image's ARG"
        elif pinned "$image"; then
          pass "FROM $image is pinned"
        else
          fail "FROM $image is not pinned to an exact version tag or a digest"
        fi
        final_base=$image stage=()
        ;;
      *) stage+=("$line") ;;
    esac
    final_stage=("${stage[@]}")
  done < <(instructions "$file")
  unset args

  if [[ $file == Dockerfile.proxy ]]; then
    [[ $final_base == *-chiseled* ]] && pass "final base $final_base is chiseled (no shell, no package manager)" ||
      fail "final base $final_base is not a chiseled image: the proxy image would carry a shell"
    shell_needed=()
    for line in "${final_stage[@]}"; do
      case "${line%% *}" in
        RUN | SHELL) shell_needed+=("$line") ;;
        ENTRYPOINT | CMD) [[ ${line#* } == \[* ]] || shell_needed+=("$line (shell form)") ;;
      esac
    done
    ((${#shell_needed[@]} == 0)) && pass "final stage needs no shell (no RUN, no SHELL, exec-form ENTRYPOINT)" ||
      fail "final stage needs a shell: ${shell_needed[*]}"
  fi
done

if ((failures)); then
  echo "check-dockerfiles: $failures check(s) failed"
  exit 1
fi
echo "check-dockerfiles: all checks passed"
