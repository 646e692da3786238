#!/bin/sh
# Starts gxtv3 as a chaincode-as-a-service server (the peer dials it; see ../README.md).
#   CHAINCODE_SERVER_ADDRESS  host:port to listen on, e.g. 0.0.0.0:9999         (required)
#   CHAINCODE_ID              package id from `peer lifecycle chaincode install`  (required)
#   CHAINCODE_TLS_KEY_FILE, CHAINCODE_TLS_CERT_FILE   PEM files: serve TLS       (optional, both or neither)
#   CHAINCODE_TLS_CLIENT_CACERT_FILE                  PEM CA: require client certs (mutual TLS, optional)
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
if [ -n "${CHAINCODE_TLS_KEY_FILE:-}" ] || [ -n "${CHAINCODE_TLS_CERT_FILE:-}" ]; then
  set -- "$@" --chaincode-tls-key-file "${CHAINCODE_TLS_KEY_FILE:?TLS needs CHAINCODE_TLS_KEY_FILE too}" \
    --chaincode-tls-cert-file "${CHAINCODE_TLS_CERT_FILE:?TLS needs CHAINCODE_TLS_CERT_FILE too}"
  if [ -n "${CHAINCODE_TLS_CLIENT_CACERT_FILE:-}" ]; then
    set -- "$@" --chaincode-tls-client-cacert-file "$CHAINCODE_TLS_CLIENT_CACERT_FILE"
  fi
fi

# Resolve the CLI the way node resolves fabric-shim (chaincode/node_modules or the workspace root's).
cli="$(node -p "require.resolve('fabric-shim/cli.js')")"
exec node "$cli" "$@"
