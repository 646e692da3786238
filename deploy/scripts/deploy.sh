#!/usr/bin/env bash
# Deploys one environment from this checkout, in the only safe order:
#   1. namespace, configuration, policies, monitoring (everything that is not a workload)
#   2. the migrate Job, waited for: roles of a new image refuse to start on an old schema (exit code 3)
#   3. the Deployments, Services, PDBs and HPA, waited for until every rollout is complete
# Usage: deploy/scripts/deploy.sh <devnet|testnet|mainnet> [--dry-run]
# Needs kubectl (1.27+) pointed at the environment's cluster. Argo CD users get the same order from the
# Job's PreSync hook annotation and need not run this.
set -euo pipefail

environment=${1:?usage: deploy.sh <devnet|testnet|mainnet> [--dry-run]}
dry_run=${2:-}
here=$(cd "$(dirname "$0")/.." && pwd)
overlay="$here/k8s/overlays/$environment"
namespace="gx-$environment"
[[ -f "$overlay/kustomization.yaml" ]] || { echo "no overlay $overlay" >&2; exit 2; }

rendered=$(mktemp)
trap 'rm -f "$rendered"' EXIT
kubectl kustomize "$overlay" >"$rendered"

if [[ "$dry_run" == "--dry-run" ]]; then
  kubectl diff -f "$rendered" || true
  exit 0
fi

echo "== 1/3 configuration, policies, monitoring"
kubectl apply -f "$rendered" -l '!app.kubernetes.io/component'

echo "== 2/3 migrate"
kubectl -n "$namespace" delete job gx-migrate --ignore-not-found --wait=true
kubectl apply -f "$rendered" -l app.kubernetes.io/component=migrate
# Poll rather than `kubectl wait`: a failed Job must stop the deploy at once, not after the timeout.
for _ in $(seq 1 180); do
  succeeded=$(kubectl -n "$namespace" get job gx-migrate -o jsonpath='{.status.succeeded}')
  failed=$(kubectl -n "$namespace" get job gx-migrate -o jsonpath='{.status.conditions[?(@.type=="Failed")].status}')
  [[ "$succeeded" == "1" ]] && break
  if [[ "$failed" == "True" ]]; then
    echo "migration failed; the running version keeps serving. Logs:" >&2
    kubectl -n "$namespace" logs job/gx-migrate --tail=50 >&2 || true
    exit 1
  fi
  sleep 5
done
[[ "$succeeded" == "1" ]] || { echo "migration did not finish within 15 minutes" >&2; exit 1; }

echo "== 3/3 roles"
kubectl apply -f "$rendered"
for deployment in gxtv3-chaincode gx-api gx-submitter gx-projector gx-scheduler; do
  kubectl -n "$namespace" rollout status "deployment/$deployment" --timeout=10m
done
echo "deployed $environment"
