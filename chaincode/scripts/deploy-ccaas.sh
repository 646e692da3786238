#!/bin/sh
# Deploys gxtv3 as chaincode-as-a-service to an existing Fabric 2.4+/2.5 network with the peer CLI, for the
# organisation whose admin identity the peer CLI is configured with (CORE_PEER_LOCALMSPID,
# CORE_PEER_MSPCONFIGPATH, CORE_PEER_ADDRESS, CORE_PEER_TLS_*; see ../README.md). Run it once per
# organisation; pass --commit in the last one (or set COMMIT=1) to commit the definition.
#
#   CHAINCODE_ADDRESS   host:port the peers dial: a STABLE DNS name (required)
#   ORDERER_ADDRESS     orderer host:port (required)
#   ORDERER_CA          orderer TLS CA file (enables --tls); ORDERER_TLS_HOSTNAME_OVERRIDE optional
#   CHANNEL             default gxchannel          CC_NAME     default gxtv3
#   CC_VERSION          default: chaincode/package.json version
#   CC_LABEL            default: ${CC_NAME}_${CC_VERSION}
#   SEQUENCE            default: the committed sequence + 1 (1 on first deployment)
#   COMMIT_PEERS        for --commit: "host:port=tls-ca-file host:port=tls-ca-file" (one per org the
#                       endorsement policy needs; without TLS just "host:port")
#   ENDORSEMENT_POLICY  a signature policy, e.g. "AND('Org1MSP.peer','Org2MSP.peer')" or
#                       "OutOf(2,'Org1MSP.peer','Org2MSP.peer','Org3MSP.peer')"; default: none, i.e. the
#                       channel's /Channel/Application/Endorsement (MAJORITY of the orgs). Part of the definition:
#                       every org must run this script with the same value, and the commit uses it too.
#
# Several organisations: each runs its own chaincode server (its peers dial it), so each packages its own
# CHAINCODE_ADDRESS and gets its own PACKAGE_ID (package ids are per org; the approved definition is not), and
# every server sets the same CHAINCODE_BOOTSTRAP_MSP_ID (../README.md, Authorization).
#   CHAINCODE_TLS_ROOT_CERT  CA file of the chaincode server's TLS certificate: the peers dial it with TLS
#                       (required unless PACKAGE_ARGS holds --insecure-plaintext, for a local test network)
#   PACKAGE_ARGS        extra arguments for package-ccaas.mjs (e.g. "--client-cert c.pem --client-key k.pem")
#
# Prints the package id last (`PACKAGE_ID=...`): start the chaincode server with CHAINCODE_ID set to it.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"

commit="${COMMIT:-0}"
for arg in "$@"; do
  case "$arg" in
    --commit) commit=1 ;;
    *) echo "deploy-ccaas: unknown argument $arg (only --commit)" >&2; exit 2 ;;
  esac
done

: "${CHAINCODE_ADDRESS:?set CHAINCODE_ADDRESS (stable DNS host:port the peers dial)}"
: "${ORDERER_ADDRESS:?set ORDERER_ADDRESS (orderer host:port)}"
if [ "$commit" = 1 ]; then
  : "${COMMIT_PEERS:?--commit needs COMMIT_PEERS (\"host:port=tls-ca-file ...\")}"
fi
channel="${CHANNEL:-gxchannel}"
name="${CC_NAME:-gxtv3}"
version="${CC_VERSION:-$(node -p "require('$here/../package.json').version")}"
label="${CC_LABEL:-${name}_${version}}"

set -- -o "$ORDERER_ADDRESS"
if [ -n "${ORDERER_CA:-}" ]; then
  set -- "$@" --tls --cafile "$ORDERER_CA"
  if [ -n "${ORDERER_TLS_HOSTNAME_OVERRIDE:-}" ]; then
    set -- "$@" --ordererTLSHostnameOverride "$ORDERER_TLS_HOSTNAME_OVERRIDE"
  fi
fi
# "$@" now holds the orderer options shared by approve and commit.

# shellcheck disable=SC2086 # PACKAGE_ARGS is a list of words on purpose.
tls_args=""
if [ -n "${CHAINCODE_TLS_ROOT_CERT:-}" ]; then tls_args="--tls-root-cert $CHAINCODE_TLS_ROOT_CERT"; fi
package="$(node "$here/package-ccaas.mjs" --address "$CHAINCODE_ADDRESS" --label "$label" $tls_args ${PACKAGE_ARGS:-})"
package_id="$(peer lifecycle chaincode calculatepackageid "$package")"
echo "deploy-ccaas: package $package ($package_id)" >&2

if peer lifecycle chaincode queryinstalled --output json | grep -q "\"$package_id\""; then
  echo "deploy-ccaas: already installed on this peer" >&2
else
  peer lifecycle chaincode install "$package" >&2
fi

if [ -z "${SEQUENCE:-}" ]; then
  # querycommitted fails while the name was never committed on the channel: that is sequence 0.
  if committed="$(peer lifecycle chaincode querycommitted --channelID "$channel" --name "$name" --output json 2>/dev/null)"; then
    SEQUENCE=$(($(printf '%s' "$committed" | node -e 'let s="";process.stdin.on("data",(d)=>{s+=d}).on("end",()=>{process.stdout.write(String(JSON.parse(s).sequence))})') + 1))
  else
    SEQUENCE=1
  fi
fi
echo "deploy-ccaas: sequence $SEQUENCE" >&2

# The policy is part of the definition each org approves and the commit names: the same value everywhere.
if [ -n "${ENDORSEMENT_POLICY:-}" ]; then
  set -- "$@" --signature-policy "$ENDORSEMENT_POLICY"
  echo "deploy-ccaas: endorsement policy $ENDORSEMENT_POLICY" >&2
fi

peer lifecycle chaincode approveformyorg "$@" --channelID "$channel" --name "$name" --version "$version" \
  --package-id "$package_id" --sequence "$SEQUENCE" >&2
# shellcheck disable=SC2086 # an empty policy adds no words.
peer lifecycle chaincode checkcommitreadiness --channelID "$channel" --name "$name" --version "$version" \
  --sequence "$SEQUENCE" ${ENDORSEMENT_POLICY:+--signature-policy "$ENDORSEMENT_POLICY"} --output json >&2

if [ "$commit" = 1 ]; then
  for entry in $COMMIT_PEERS; do
    case "$entry" in
      *=*) set -- "$@" --peerAddresses "${entry%%=*}" --tlsRootCertFiles "${entry#*=}" ;;
      *) set -- "$@" --peerAddresses "$entry" ;;
    esac
  done
  peer lifecycle chaincode commit "$@" --channelID "$channel" --name "$name" --version "$version" \
    --sequence "$SEQUENCE" >&2
  echo "deploy-ccaas: committed $name $version sequence $SEQUENCE on $channel" >&2
fi

echo "PACKAGE_ID=$package_id"
