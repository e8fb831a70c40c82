#!/usr/bin/env bash
# Publishes capture-init and capture-proxy (and, on request, capture-peer, the demo/benchmark tool) as Native AOT
# executables to artifacts/bin/: one native file each, no .NET runtime needed where they run (glibc, and for the proxy
# libssl when it serves TLS). Linking needs a C toolchain (clang or gcc) and zlib1g-dev: scripts/install-deps.sh.
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
  # PublishAot is set in each project; the SDK picks the ILCompiler package that matches it. Only the executable:
  # no symbols file, no XML documentation beside it (artifacts/bin holds what ships).
  dotnet publish "$project" -c Release -r "$rid" -p:DebugType=none \
    -p:PublishDocumentationFile=false -p:PublishReferencesDocumentationFiles=false -nologo -clp:ErrorsOnly -o "$out"
done
ls -l "$out"
