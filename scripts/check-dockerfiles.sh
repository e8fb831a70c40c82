#!/usr/bin/env bash
# Checks Dockerfile.init and Dockerfile.proxy the way we can without a Docker engine:
#   - every base image is pinned (an exact version tag or a digest; never `latest` or a floating tag);
#   - every RUN of the build stages succeeds here, run from the directory the stage's `COPY . <workdir>` maps to
#     (so `RUN scripts/publish.sh init` writes the same artifacts/bin/ paths the image build would);
#   - every COPY source exists: in the build context, or in an earlier stage's output (mapped back to this tree);
#   - the final stage's ENTRYPOINT (and USER) are what the manifests rely on;
#   - each copied executable starts (`--help`) as the image's user with HOME unwritable and an empty bundle-extraction
#     directory that stays empty: nothing is extracted, so a read-only root filesystem works.
# The final stages' RUN lines (apt-get in the image's own distribution) are not run here; their package names are
# checked against this machine's apt cache when it has one.
# Usage: scripts/check-dockerfiles.sh [--no-run]   (--no-run: skip the build-stage RUNs, use what artifacts/bin holds)
# Exit 0 when every check holds; otherwise 1, after printing every failure.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

run_builds=true
case "${1:-}" in
  "") ;;
  --no-run) run_builds=false ;;
  -h | --help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "check-dockerfiles: unknown argument '$1' (try --help)" >&2; exit 2 ;;
esac

# What each image must end with: ENTRYPOINT (JSON form) and USER ("" = not set, i.e. root).
declare -A want_entrypoint=([Dockerfile.init]='["capture-init"]' [Dockerfile.proxy]='["capture-proxy"]')
declare -A want_user=([Dockerfile.init]='' [Dockerfile.proxy]='1337:1337')

failures=0
pass() { printf '  ok    %s\n' "$*"; }
fail() { printf '  FAIL  %s\n' "$*"; failures=$((failures + 1)); }

# instructions FILE: one line per instruction, "KEYWORD args", continuation lines joined, comments dropped.
instructions() {
  awk '
    /^[[:space:]]*#/ && cont == "" { next }
    /^[[:space:]]*$/ { next }
    {
      line = $0
      if (line ~ /\\[[:space:]]*$/) { sub(/\\[[:space:]]*$/, "", line); cont = cont line " "; next }
      line = cont line; cont = ""
      sub(/^[[:space:]]+/, "", line)
      n = index(line, " "); kw = toupper(n ? substr(line, 1, n - 1) : line); rest = n ? substr(line, n + 1) : ""
      sub(/^[[:space:]]+/, "", rest)
      print kw " " rest
    }' "$1"
}

# substitute TEXT: expands ${NAME} and $NAME from the ARG defaults collected so far.
declare -A args
substitute() {
  local text=$1 name
  for name in "${!args[@]}"; do
    text=${text//\$\{$name\}/${args[$name]}}
    text=${text//\$$name/${args[$name]}}
  done
  printf '%s' "$text"
}

# pinned IMAGE: an exact version tag (x.y.z…, or a dated snapshot) or a digest; never latest.
pinned() {
  local image=$1
  [[ $image == *@sha256:* ]] && [[ $image =~ @sha256:[0-9a-f]{64}$ ]] && return 0
  local tag=${image##*:}
  [[ $image == *:* && $tag != */* ]] || return 1
  # x.y.z (mcr's patch tags) or a dated snapshot (debian:bookworm-20241111-slim); 10.0 or bookworm-slim float.
  [[ $tag != latest ]] && [[ $tag =~ ^v?[0-9]+\.[0-9]+\.[0-9]+ || $tag =~ (^|-)[0-9]{8}(-|$) ]]
}

check_file() {
  local file=$1
  echo "== $file"
  [[ -f $file ]] || { fail "$file does not exist"; return; }
  local -a lines
  mapfile -t lines < <(instructions "$file")
  args=()
  local -a stage_names=()
  declare -A stage_map=()   # stage name -> "workdir=contextdir" mapping of `COPY . <workdir>`
  local stage_count=0 last_from=0 i
  for i in "${!lines[@]}"; do [[ ${lines[$i]} == FROM\ * ]] && last_from=$i; done

  local stage="" workdir="/" entrypoint="" user="" is_final=false
  for i in "${!lines[@]}"; do
    local kw=${lines[$i]%% *} rest=${lines[$i]#* }
    case "$kw" in
      ARG)
        local name=${rest%%=*} value=""
        [[ $rest == *=* ]] && value=${rest#*=}
        args[$name]=$value
        ;;
      FROM)
        local image alias
        read -r image _ alias <<<"$(substitute "$rest")"
        stage_count=$((stage_count + 1))
        stage=${alias:-stage$stage_count}
        stage_names+=("$stage")
        workdir=/ entrypoint="" user=""
        is_final=false
        ((i == last_from)) && is_final=true
        if [[ -n ${stage_map[$image]+x} ]]; then
          pass "stage $stage builds on earlier stage $image"
        elif pinned "$image"; then
          pass "stage $stage: base image $image is pinned"
        else
          fail "stage $stage: base image '$image' is not pinned to an exact version tag or digest"
        fi
        stage_map[$stage]=""
        ;;
      WORKDIR)
        workdir=$(substitute "$rest")
        ;;
      ENV) ;;
      EXPOSE) ;;
      COPY)
        local -a parts
        read -r -a parts <<<"$(substitute "$rest")"
        local from=""
        if [[ ${parts[0]} == --from=* ]]; then from=${parts[0]#--from=}; parts=("${parts[@]:1}"); fi
        local dst=${parts[-1]} src
        [[ $dst == /* ]] || dst=${workdir%/}/$dst
        dst=${dst%/}
        dst=${dst%/.}
        [[ -n $dst ]] || dst=/
        for src in "${parts[@]:0:${#parts[@]}-1}"; do
          if [[ -z $from ]]; then
            if [[ -e $root/$src ]]; then
              pass "stage $stage: COPY $src (from the build context) exists"
              [[ $src == . ]] && stage_map[$stage]="${dst%/}=$root"
            else
              fail "stage $stage: COPY source '$src' is not in the build context"
            fi
          else
            local mapping=${stage_map[$from]:-}
            if [[ -z $mapping ]]; then
              fail "stage $stage: COPY --from=$from $src: stage $from has no COPY . mapping to this tree"
              continue
            fi
            local image_dir=${mapping%%=*} local_dir=${mapping#*=}
            local local_path=$local_dir${src#"$image_dir"}
            if [[ $src != "$image_dir"/* ]]; then
              fail "stage $stage: COPY --from=$from $src is outside $from's $image_dir"
            elif [[ -x $local_path ]]; then
              pass "stage $stage: COPY --from=$from $src exists here as ${local_path#"$root"/}"
              copied+=("$file|$local_path")
            else
              fail "stage $stage: COPY --from=$from $src: ${local_path#"$root"/} was not produced"
            fi
          fi
        done
        ;;
      RUN)
        local command
        command=$(substitute "$rest")
        if [[ $is_final == true ]]; then
          local pkgs pkg
          pkgs=$(grep -oE 'apt-get install [^&;|]*' <<<"$command" | sed -E 's/apt-get install//; s/(^| )-[^ ]*//g') || true
          if [[ -n $pkgs ]] && command -v apt-cache >/dev/null; then
            for pkg in $pkgs; do
              if apt-cache show "$pkg" >/dev/null 2>&1; then pass "stage $stage: package $pkg exists (apt-cache here)"; else fail "stage $stage: package $pkg unknown to apt-cache"; fi
            done
          fi
          pass "stage $stage: RUN not run here (final image's own distribution): $command"
          continue
        fi
        local mapping=${stage_map[$stage]:-}
        if [[ -z $mapping || ${workdir%/} != "${mapping%%=*}" ]]; then
          fail "stage $stage: RUN $command: WORKDIR $workdir is not the directory COPY . filled, cannot run it here"
        elif [[ $run_builds == false ]]; then
          pass "stage $stage: RUN $command (skipped: --no-run)"
        else
          echo "  ...   stage $stage: running '$command' in ${mapping#*=}"
          if (cd "${mapping#*=}" && bash -c "$command") >"$log" 2>&1; then
            pass "stage $stage: RUN $command succeeded"
          else
            tail -n 20 "$log" | sed 's/^/          /'
            fail "stage $stage: RUN $command failed"
          fi
        fi
        ;;
      ENTRYPOINT) entrypoint=$rest ;;
      USER) user=$rest ;;
      CMD | LABEL | SHELL | HEALTHCHECK | STOPSIGNAL | VOLUME | ONBUILD | ADD)
        [[ $kw != ADD ]] || fail "stage $stage: ADD is not used in this repository (COPY is explicit)"
        ;;
      *) fail "unknown instruction '$kw'" ;;
    esac
  done

  local compact=${entrypoint// /}
  if [[ $compact == "${want_entrypoint[$file]}" ]]; then
    pass "final ENTRYPOINT $entrypoint"
  else
    fail "final ENTRYPOINT is '${entrypoint:-none}', expected ${want_entrypoint[$file]}"
  fi
  if [[ $user == "${want_user[$file]}" ]]; then
    pass "final USER ${user:-(root)}"
  else
    fail "final USER is '${user:-(root)}', expected '${want_user[$file]:-(root)}'"
  fi
  final_user[$file]=$user
}

log=$(mktemp)
extract=$(mktemp -d)
trap 'rm -rf "$log" "$extract"' EXIT
chmod 777 "$extract"
copied=()
declare -A final_user
for f in Dockerfile.init Dockerfile.proxy; do check_file "$f"; done

echo "== the copied executables start as the image's user, extracting nothing"
for entry in "${copied[@]}"; do
  file=${entry%%|*} exe=${entry#*|}
  user=${final_user[$file]:-0:0}
  as=()
  if [[ $(id -u) -eq 0 && $user != 0:0 ]]; then as=(setpriv --reuid "${user%%:*}" --regid "${user#*:}" --clear-groups); fi
  if env -i PATH=/usr/bin:/bin HOME=/nonexistent DOTNET_BUNDLE_EXTRACT_BASE_DIR="$extract" DOTNET_EnableDiagnostics=0 \
    "${as[@]}" "$exe" --help >"$log" 2>&1; then
    pass "${exe#"$root"/} --help as ${user} exits 0"
  else
    fail "${exe#"$root"/} --help as ${user} failed: $(head -n 3 "$log" | tr '\n' ' ')"
  fi
  if [[ -z $(ls -A "$extract") ]]; then
    pass "${exe#"$root"/} extracted nothing (read-only root filesystem is fine)"
  else
    fail "${exe#"$root"/} extracted files at start-up: $(ls -A "$extract")"
  fi
done

echo
if ((failures)); then
  echo "check-dockerfiles: $failures check(s) failed"
  exit 1
fi
echo "check-dockerfiles: all checks passed"
