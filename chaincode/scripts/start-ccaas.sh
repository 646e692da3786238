#!/bin/sh
# Starts gxtv3 as a chaincode-as-a-service server (the peer dials it; see ../README.md).
#   CHAINCODE_SERVER_ADDRESS  host:port to listen on, e.g. 0.0.0.0:9999         (required)
#   CHAINCODE_ID              package id from `peer lifecycle chaincode install`  (required)
#   CHAINCODE_TLS_KEY_FILE, CHAINCODE_TLS_CERT_FILE   PEM files: serve TLS       (required, both)
#   CHAINCODE_TLS_CLIENT_CACERT_FILE                  PEM CA: require client certs (mutual TLS, optional)
#   CHAINCODE_TLS_DISABLED=true                       plaintext, for a local test network only
#   CORE_PEER_LOCALMSPID / CHAINCODE_BOOTSTRAP_MSP_ID the organization whose super admin may bootstrap
#   CORE_CHAINCODE_LOGGING_LEVEL                      DEBUG | INFO | WARNING | ERROR (default INFO)
set -eu
cd "$(dirname "$0")/.."

: "${CHAINCODE_SERVER_ADDRESS:?set CHAINCODE_SERVER_ADDRESS (host:port to listen on, e.g. 0.0.0.0:9999)}"
: "${CHAINCODE_ID:?set CHAINCODE_ID (the package id printed by peer lifecycle chaincode install)}"
if [ ! -f dist/index.js ]; then
  echo "dist/index.js is missing: run 'npm run build -w chaincode' first" >&2
  exit 1
fi

set -- server --chaincode-address "$CHAINCODE_SERVER_ADDRESS" --chaincode-id "$CHAINCODE_ID" --module-path .
# TLS by default: peers send every proposal here. Plaintext only when asked for by name.
if [ "${CHAINCODE_TLS_DISABLED:-}" = true ]; then
  if [ -n "${CHAINCODE_TLS_KEY_FILE:-}" ] || [ -n "${CHAINCODE_TLS_CERT_FILE:-}" ]; then
    echo "CHAINCODE_TLS_DISABLED=true contradicts CHAINCODE_TLS_KEY_FILE / CHAINCODE_TLS_CERT_FILE" >&2
    exit 1
  fi
  echo "start-ccaas: serving PLAINTEXT (CHAINCODE_TLS_DISABLED=true): for a local test network only" >&2
elif [ -z "${CHAINCODE_TLS_KEY_FILE:-}" ] && [ -z "${CHAINCODE_TLS_CERT_FILE:-}" ]; then
  echo "TLS is required: set CHAINCODE_TLS_CERT_FILE and CHAINCODE_TLS_KEY_FILE (or CHAINCODE_TLS_DISABLED=true for a local test network)" >&2
  exit 1
else
  set -- "$@" --chaincode-tls-key-file "${CHAINCODE_TLS_KEY_FILE:?TLS needs CHAINCODE_TLS_KEY_FILE too}" \
    --chaincode-tls-cert-file "${CHAINCODE_TLS_CERT_FILE:?TLS needs CHAINCODE_TLS_CERT_FILE too}"
  if [ -n "${CHAINCODE_TLS_CLIENT_CACERT_FILE:-}" ]; then
    set -- "$@" --chaincode-tls-client-cacert-file "$CHAINCODE_TLS_CLIENT_CACERT_FILE"
  fi
fi

# Resolve the CLI the way node resolves fabric-shim (chaincode/node_modules or the workspace root's).
cli="$(node -p "require.resolve('fabric-shim/cli.js')")"
exec node "$cli" "$@"
