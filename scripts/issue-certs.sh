#!/usr/bin/env bash
# Issues the certificates camfleet's TLS needs (issue 8 §2; docs/deploy.md §4) with plain openssl:
#
#   scripts/issue-certs.sh [--dir DIR] [--days N] ca                      a private CA: ca.pem (public), ca.key (0600)
#   scripts/issue-certs.sh [--dir DIR] [--days N] server NAME [SAN ...]   NAME.pem + NAME.key, signed by the CA; SANs
#                                                                          like DNS:mqtt.example.net IP:203.0.113.5
#                                                                          (default: DNS:NAME)
#   scripts/issue-certs.sh [--dir DIR] [--days N] client SITE             client-SITE.pem + .key with CN=SITE, for
#                                                                          brokers that also require a client certificate
#
# DIR defaults to ./pki. Keys are ECDSA P-256, written 0600 (umask 077): the agent refuses a key file that group
# or others can read. ca.pem goes to every gateway (mqtt.caFile) and to browsers if the HTTPS certificate is
# issued here too; ca.key never leaves the machine that issues. Re-running `server`/`client` re-issues (rotation);
# `ca` refuses to overwrite an existing CA, since every gateway trusts it.
set -euo pipefail

DIR=./pki
DAYS=825 # the longest validity browsers accept for a server certificate
usage() { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "issue-certs.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --dir) DIR=${2:?--dir needs a folder}; shift 2 ;;
    --days) DAYS=${2:?--days needs a number}; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    --*) die "unknown option $1 (see --help)" ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || { usage >&2; exit 2; }
command -v openssl >/dev/null || die "openssl is not installed (apt-get install openssl)"
[[ "$DAYS" =~ ^[0-9]+$ ]] || die "--days must be a whole number of days"

umask 077
mkdir -p "$DIR"
CA_PEM="$DIR/ca.pem"
CA_KEY="$DIR/ca.key"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# Leaf certificate: a fresh key, a CSR, and the CA's signature with the given extensions.
sign() { # sign OUT_BASENAME SUBJECT EXTENSIONS
  local out="$1" subject="$2" ext="$3"
  [ -f "$CA_PEM" ] && [ -f "$CA_KEY" ] || die "no CA in $DIR: run '$0 --dir $DIR ca' first"
  openssl ecparam -name prime256v1 -genkey -noout -out "$TMP/key.pem" 2>/dev/null
  openssl req -new -key "$TMP/key.pem" -subj "$subject" -out "$TMP/req.csr"
  printf '%s\n' "$ext" >"$TMP/ext.cnf"
  openssl x509 -req -in "$TMP/req.csr" -CA "$CA_PEM" -CAkey "$CA_KEY" -CAcreateserial -CAserial "$DIR/ca.srl" \
    -days "$DAYS" -sha256 -extfile "$TMP/ext.cnf" -out "$TMP/cert.pem" 2>/dev/null
  mv "$TMP/key.pem" "$DIR/$out.key"
  mv "$TMP/cert.pem" "$DIR/$out.pem"
  chmod 0644 "$DIR/$out.pem"
  echo "$DIR/$out.pem, $DIR/$out.key: $(openssl x509 -in "$DIR/$out.pem" -noout -subject -enddate | tr '\n' ' ')"
}

case "$1" in
  ca)
    [ ! -e "$CA_KEY" ] || die "$CA_KEY exists; every gateway trusts that CA. Move it away first to start a new one."
    openssl ecparam -name prime256v1 -genkey -noout -out "$CA_KEY" 2>/dev/null
    openssl req -x509 -new -key "$CA_KEY" -sha256 -days $((DAYS * 4)) -subj "/CN=camfleet CA" \
      -addext "basicConstraints=critical,CA:true,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$CA_PEM"
    chmod 0644 "$CA_PEM"
    echo "$CA_PEM (give it to every gateway as mqtt.caFile), $CA_KEY (keep it here, 0600)"
    ;;
  server)
    NAME=${2:?server needs a host name, e.g. mqtt.example.net}
    shift 2
    SANS=("$@")
    [ ${#SANS[@]} -gt 0 ] || SANS=("DNS:$NAME")
    SAN=$(IFS=,; echo "${SANS[*]}")
    sign "$NAME" "/CN=$NAME" "basicConstraints=critical,CA:false
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=$SAN"
    ;;
  client)
    SITE=${2:?client needs a site id}
    [[ "$SITE" =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$ ]] || die "\"$SITE\" is not a site id"
    # CN = site id: Mosquitto's use_identity_as_username then applies the same %u ACL as a password login.
    sign "client-$SITE" "/CN=$SITE" "basicConstraints=critical,CA:false
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"
    ;;
  *) usage >&2; exit 2 ;;
esac
