#!/usr/bin/env bash
# Mints HBONE credentials with OpenSSL: a mesh root CA, and workload certificates for service accounts with the SPIFFE
# URI SAN spiffe://<trust domain>/ns/<namespace>/sa/<service account>, written as pilot-agent writes them with
# OUTPUT_CERTS: cert-chain.pem (leaf first), key.pem, root-cert.pem. Used by the integration tests, the demo and the
# benchmark; it also makes the wrong credentials the refusal tests need (another CA, another trust domain, a SAN that
# is not the expected one, an expired certificate).
#
#   scripts/hbone-certs.sh ca DIR [--name "CN"] [--days N]
#       A self-signed root (ECDSA P-256): DIR/root-cert.pem and DIR/root-key.pem (0600). An existing CA is kept.
#   scripts/hbone-certs.sh workload CA_DIR OUT_DIR NAMESPACE SERVICE_ACCOUNT [options]
#       --trust-domain TD   default cluster.local
#       --uri URI           the URI SAN(s) to put instead of the SPIFFE one (repeatable; e.g. a wrong identity)
#       --days N            validity, default 1 (Istio issues 24 h certificates)
#       --expired           valid from 2 days ago to 1 day ago
#       --owner UID:GID     chown the files (the proxy runs as 1337:1337 and must read key.pem)
#       The three files are written to temporary names in OUT_DIR and renamed into place, leaf first in
#       cert-chain.pem; root-cert.pem is CA_DIR's root. Re-running it on the same OUT_DIR is a rotation.
#   scripts/hbone-certs.sh mesh DIR NS/SA [NS/SA ...] [--trust-domain TD] [--owner UID:GID]
#       One CA in DIR/ca and one OUT_DIR per service account: DIR/<ns>.<sa>/ .
#
# Prints one line per file set written. Needs openssl (1.1.1 or 3.x).
set -euo pipefail

die() { echo "hbone-certs: $*" >&2; exit 1; }
usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
command -v openssl >/dev/null || die "openssl is not on PATH (apt-get install openssl)"

make_ca() {
  local dir=$1 name="Capture mesh root CA" days=3650
  shift
  while (($#)); do
    case "$1" in
      --name) name=${2:?--name needs a value}; shift 2 ;;
      --days) days=${2:?--days needs a value}; shift 2 ;;
      *) die "ca: unknown option '$1'" ;;
    esac
  done
  mkdir -p "$dir"
  if [[ -s $dir/root-cert.pem && -s $dir/root-key.pem ]]; then
    echo "ca $dir (kept)"
    return
  fi
  (
    umask 077
    openssl ecparam -name prime256v1 -genkey -noout -out "$dir/root-key.pem.tmp" 2>/dev/null
  )
  openssl req -x509 -new -sha256 -key "$dir/root-key.pem.tmp" -days "$days" -subj "/O=capture-mesh/CN=$name" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" -out "$dir/root-cert.pem.tmp" 2>/dev/null \
    || die "ca: openssl could not make the root certificate in $dir"
  mv "$dir/root-key.pem.tmp" "$dir/root-key.pem"
  mv "$dir/root-cert.pem.tmp" "$dir/root-cert.pem"
  chmod 0644 "$dir/root-cert.pem"
  echo "ca $dir"
}

make_workload() {
  (($# >= 4)) || die "workload: needs CA_DIR OUT_DIR NAMESPACE SERVICE_ACCOUNT"
  local ca=$1 out=$2 ns=$3 sa=$4
  shift 4
  local td=cluster.local days=1 expired=0 owner=""
  local -a uris=()
  while (($#)); do
    case "$1" in
      --trust-domain) td=${2:?--trust-domain needs a value}; shift 2 ;;
      --uri) uris+=("${2:?--uri needs a value}"); shift 2 ;;
      --days) days=${2:?--days needs a value}; shift 2 ;;
      --expired) expired=1; shift ;;
      --owner) owner=${2:?--owner needs UID:GID}; shift 2 ;;
      *) die "workload: unknown option '$1'" ;;
    esac
  done
  [[ -s $ca/root-cert.pem && -s $ca/root-key.pem ]] || die "workload: $ca has no root-cert.pem/root-key.pem (make it with: $0 ca $ca)"
  [[ $ns =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ ]] || die "workload: namespace '$ns' is not a Kubernetes name"
  [[ $sa =~ ^[a-z0-9]([-.a-z0-9]*[a-z0-9])?$ ]] || die "workload: service account '$sa' is not a Kubernetes name"
  ((${#uris[@]})) || uris=("spiffe://$td/ns/$ns/sa/$sa")
  local san="" u
  for u in "${uris[@]}"; do san+="${san:+,}URI:$u"; done

  mkdir -p "$out"
  chmod 0755 "$out"
  local work
  work=$(mktemp -d "$out/.mint.XXXXXX")
  # A trap would be lost in the caller's shell: clean up explicitly on every exit path of this function.
  if ! mint "$ca" "$work" "$san" "$days" "$expired"; then
    rm -rf "$work"
    die "workload: openssl could not issue the certificate for $ns/$sa"
  fi
  chmod 0644 "$work/cert-chain.pem" "$work/root-cert.pem"
  chmod 0640 "$work/key.pem"
  if [[ -n $owner ]]; then chown "$owner" "$work/cert-chain.pem" "$work/key.pem" "$work/root-cert.pem"; fi
  # Key first, chain next: a reader that sees the new chain also sees its key (the proxy checks they match and keeps
  # the last good set while they do not).
  mv -f "$work/key.pem" "$out/key.pem"
  mv -f "$work/cert-chain.pem" "$out/cert-chain.pem"
  mv -f "$work/root-cert.pem" "$out/root-cert.pem"
  rm -rf "$work"
  echo "workload $out ${uris[*]}"
}

mint() {
  local ca=$1 work=$2 san=$3 days=$4 expired=$5
  openssl ecparam -name prime256v1 -genkey -noout -out "$work/ec.pem" 2>/dev/null || return 1
  # PKCS#8, as Istio writes key.pem.
  openssl pkcs8 -topk8 -nocrypt -in "$work/ec.pem" -out "$work/key.pem" 2>/dev/null || return 1
  openssl req -new -sha256 -key "$work/key.pem" -subj "/O=capture-mesh" -out "$work/leaf.csr" 2>/dev/null || return 1
  cat >"$work/ext.cnf" <<EOF
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=critical,$san
authorityKeyIdentifier=keyid
EOF
  local -a validity
  if ((expired)); then
    # openssl x509 -req cannot backdate; openssl ca can, with a throw-away database.
    : >"$work/index.txt"
    cat >"$work/ca.cnf" <<EOF
[ca]
default_ca=mesh
[mesh]
database=$work/index.txt
new_certs_dir=$work
serial=$work/serial
default_md=sha256
policy=any
[any]
organizationName=optional
EOF
    openssl rand -hex 16 >"$work/serial"
    openssl ca -batch -config "$work/ca.cnf" -cert "$ca/root-cert.pem" -keyfile "$ca/root-key.pem" -in "$work/leaf.csr" \
      -startdate "$(date -u -d '2 days ago' +%Y%m%d%H%M%SZ)" -enddate "$(date -u -d '1 day ago' +%Y%m%d%H%M%SZ)" \
      -extfile "$work/ext.cnf" -notext -out "$work/cert-chain.pem" 2>/dev/null || return 1
  else
    validity=(-days "$days")
    openssl x509 -req -sha256 -in "$work/leaf.csr" -CA "$ca/root-cert.pem" -CAkey "$ca/root-key.pem" \
      -set_serial "0x$(openssl rand -hex 16 | sed 's/^[89a-f]/1/')" "${validity[@]}" -extfile "$work/ext.cnf" \
      -out "$work/cert-chain.pem" 2>/dev/null || return 1
  fi
  cp "$ca/root-cert.pem" "$work/root-cert.pem"
  rm -f "$work/ec.pem" "$work/leaf.csr" "$work/ext.cnf" "$work/ca.cnf" "$work/index.txt"* "$work/serial"* "$work"/*.pem.old
}

make_mesh() {
  (($# >= 2)) || die "mesh: needs DIR and at least one NAMESPACE/SERVICE_ACCOUNT"
  local dir=$1
  shift
  local -a accounts=() options=()
  while (($#)); do
    case "$1" in
      --trust-domain|--owner|--days) options+=("$1" "${2:?$1 needs a value}"); shift 2 ;;
      -*) die "mesh: unknown option '$1'" ;;
      */*) accounts+=("$1"); shift ;;
      *) die "mesh: '$1' is not NAMESPACE/SERVICE_ACCOUNT" ;;
    esac
  done
  ((${#accounts[@]})) || die "mesh: no NAMESPACE/SERVICE_ACCOUNT given"
  make_ca "$dir/ca"
  local a
  for a in "${accounts[@]}"; do
    make_workload "$dir/ca" "$dir/${a%%/*}.${a#*/}" "${a%%/*}" "${a#*/}" "${options[@]}"
  done
}

case "${1:-}" in
  ca) shift; (($#)) || die "ca: needs DIR"; make_ca "$@" ;;
  workload) shift; make_workload "$@" ;;
  mesh) shift; make_mesh "$@" ;;
  -h|--help|help) usage 0 ;;
  "") usage 1 >&2 ;;
  *) die "unknown command '$1' (expected ca, workload or mesh; --help)" ;;
esac
