#!/usr/bin/env bash
# Installs the Debian packages Capture's tests, demo and benchmarks use, and what Native AOT publishing links with
# (scripts/publish.sh: a C compiler driver, binutils' ld and objcopy, libc's development files; zlib comes inside the
# .NET runtime pack, so no zlib1g-dev). Idempotent; needs root.
# Usage: scripts/install-deps.sh [--bench] [--pods]
#   --bench adds iperf3 and haproxy; --pods adds what scripts/pods.sh builds and plays the images with (Debian's podman
#   4.3 and buildah, mmdebstrap for the base images, runc, catatonit, uidmap, nftables).
set -euo pipefail

packages=(iptables nftables iproute2 util-linux procps ca-certificates)
# The HBONE tests watch the wire between two pods with tcpdump.
packages+=(tcpdump)
# Native AOT links with clang when it is on PATH, else gcc; gcc is the smaller install. libc6-dev is only a
# recommendation of gcc, and --no-install-recommends below would leave the link without crt1.o and libc.so.
command -v clang >/dev/null 2>&1 || packages+=(gcc)
packages+=(libc6-dev binutils)
# The HBONE tests mint certificates with OpenSSL and use Node's http2 and tls modules as the independent peer. These
# machines come with Node 20; a machine without any node gets Debian's (18, whose http2 module serves as well).
packages+=(openssl)
command -v node >/dev/null 2>&1 || packages+=(nodejs)
# The DNS proxy's tests use dnsmasq as the real upstream nameserver (dnsmasq-base: the program without the service).
packages+=(dnsmasq-base)
for arg in "$@"; do
  case "$arg" in
    --bench) packages+=(iperf3 haproxy) ;;
    --pods) packages+=(podman buildah mmdebstrap runc catatonit uidmap nftables) ;;
    *) echo "install-deps: unknown option '$arg' (expected --bench or --pods)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: missing ${missing[*]}; run as root to install them" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "install-deps: the .NET 10 SDK is required (dotnet not on PATH)" >&2
  exit 1
fi
