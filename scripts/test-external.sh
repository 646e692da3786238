#!/usr/bin/env bash
# The test suite in external-ledger mode (GX_TEST_LEDGER=external): the ledger-facing tests use the Fabric
# network that the GX_FABRIC_* variables describe instead of starting a devnet each (see docs/fabric.md).
#
#   npm run test:external [-- <vitest arguments>]
#
# - GX_FABRIC_PEER_ENDPOINT set: runs vitest against that network as configured.
# - otherwise: starts the built `gx devnet` as a separate process (TLS on, any free port) in a temporary data
#   folder, or in GX_TEST_DEVNET_DIR when set (kept afterwards: a network that keeps its state between runs),
#   exports its connection.env, runs vitest, and stops it.
# Exits with vitest's exit code. Needs the build (`npm run build`) for `gx devnet` and the tests' child processes.
set -euo pipefail
cd "$(dirname "$0")/.."

export GX_TEST_LEDGER=external
# The default reporter counts skipped tests; this one also lists them with their "(devnet only: …)" reason.
reporters=(--reporter=default --reporter=./test/support/skipped-tests-reporter.ts)

if [ -n "${GX_FABRIC_PEER_ENDPOINT:-}" ]; then
  echo "test:external: the ledger at ${GX_FABRIC_PEER_ENDPOINT} (channel ${GX_FABRIC_CHANNEL:-gxchannel}, chaincode ${GX_FABRIC_CHAINCODE:-gxtv3})"
  exec npx vitest run "${reporters[@]}" "$@"
fi

if [ -n "${GX_TEST_DEVNET_DIR:-}" ]; then
  data_dir="$GX_TEST_DEVNET_DIR"
  mkdir -p "$data_dir"
  remove_data_dir=false
else
  data_dir="$(mktemp -d "${TMPDIR:-/tmp}/gx-test-external-XXXXXX")"
  remove_data_dir=true
fi
connection_env="$data_dir/devnet/connection.env"
devnet_log="$data_dir/devnet.log"
# A file from an earlier run names an old port: wait for the one this devnet writes.
rm -f "$connection_env"

node dist/src/cli.js devnet --data-dir "$data_dir" --port 0 >"$devnet_log" 2>&1 &
devnet_pid=$!

stop_devnet() {
  if kill -0 "$devnet_pid" 2>/dev/null; then
    kill -TERM "$devnet_pid"
    wait "$devnet_pid" || true
  fi
  if [ "$remove_data_dir" = true ]; then rm -rf "$data_dir"; fi
}
trap stop_devnet EXIT

for _ in $(seq 1 300); do
  [ -f "$connection_env" ] && break
  if ! kill -0 "$devnet_pid" 2>/dev/null; then
    echo "test:external: gx devnet exited before writing $connection_env:" >&2
    cat "$devnet_log" >&2
    exit 1
  fi
  sleep 0.1
done
if [ ! -f "$connection_env" ]; then
  echo "test:external: gx devnet wrote no $connection_env within 30 s:" >&2
  cat "$devnet_log" >&2
  exit 1
fi

set -a
# shellcheck disable=SC1090
. "$connection_env"
set +a
echo "test:external: gx devnet (pid $devnet_pid, data in $data_dir) at $GX_FABRIC_PEER_ENDPOINT, TLS $GX_FABRIC_TLS"

code=0
npx vitest run "${reporters[@]}" "$@" || code=$?
exit "$code"
