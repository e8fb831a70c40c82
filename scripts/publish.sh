#!/usr/bin/env bash
# Publishes capture-init and capture-proxy (and, on request, capture-peer, the demo/benchmark tool) as ReadyToRun, self-contained single executables to artifacts/bin/.
# Usage: scripts/publish.sh [init|proxy|peer ...]   (default: init and proxy)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

rid=${RID:-linux-$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')}
out=${OUT:-artifacts/bin}
targets=("$@")
((${#targets[@]})) || targets=(init proxy)

for t in "${targets[@]}"; do
  case "$t" in
    init) project=init/Capture.Init.csproj ;;
    proxy) project=proxy/Capture.Proxy.csproj ;;
    peer) project=tests/Capture.Peer/Capture.Peer.csproj ;;
    *) echo "publish: unknown target '$t' (expected init, proxy or peer)" >&2; exit 1 ;;
  esac
  dotnet publish "$project" -c Release -r "$rid" --self-contained true \
    -p:PublishReadyToRun=true -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true \
    -p:DebugType=none -nologo -clp:ErrorsOnly -o "$out"
done
ls -l "$out"
