/**
 * scripts/deploy-ccaas.sh against a stand-in `peer` CLI that records its arguments and answers like the real
 * one: proves the lifecycle sequence (package, install once, approve with the right sequence, commit with
 * every endorsing peer) without a Fabric network.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const script = join(__dirname, '..', 'scripts', 'deploy-ccaas.sh');
const work = mkdtempSync(join(tmpdir(), 'gxtv3-deploy-spec-'));
const bin = join(work, 'bin');
const packageId = 'gxtv3_0.1.0:5f1c0ffee';
afterAll(() => rmSync(work, { recursive: true, force: true }));

mkdirSync(bin);
writeFileSync(
  join(bin, 'peer'),
  `#!/bin/sh
echo "$*" >> "$FAKE_PEER_LOG"
case "$1 $2 $3" in
  "lifecycle chaincode calculatepackageid") echo "${packageId}" ;;
  "lifecycle chaincode queryinstalled") echo "$FAKE_INSTALLED" ;;
  "lifecycle chaincode querycommitted")
    if [ -n "$FAKE_COMMITTED" ]; then echo "$FAKE_COMMITTED"; else
      echo "Error: query failed with status: 404 - namespace gxtv3 is not defined" >&2; exit 1; fi ;;
esac
`,
);
chmodSync(join(bin, 'peer'), 0o755);

function deploy(env: Record<string, string>, ...args: string[]) {
  const log = join(work, `peer-${Math.random().toString(36).slice(2)}.log`);
  writeFileSync(log, '');
  const run = spawnSync(script, args, {
    env: {
      PATH: `${bin}:${process.env.PATH}`,
      FAKE_PEER_LOG: log,
      FAKE_INSTALLED: '{}',
      FAKE_COMMITTED: '',
      // A stub network: the package's TLS is not what these tests are about.
      PACKAGE_ARGS: `--out ${join(work, 'packages')} --insecure-plaintext`,
      ...env,
    },
    encoding: 'utf8',
  });
  return { ...run, calls: readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) };
}

describe('deploy-ccaas.sh', () => {
  it('first deployment: packages, installs, approves sequence 1 and commits on every listed peer', () => {
    const run = deploy(
      {
        CHAINCODE_ADDRESS: 'gxtv3-chaincode:9999',
        ORDERER_ADDRESS: 'orderer.example.com:7050',
        ORDERER_CA: '/tls/orderer-ca.pem',
        COMMIT_PEERS: 'peer0.org1:7051=/tls/org1.pem peer0.org2:9051=/tls/org2.pem',
      },
      '--commit',
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim().split('\n').at(-1)).toBe(`PACKAGE_ID=${packageId}`);
    const pkg = join(work, 'packages', 'gxtv3_0.1.0.tar.gz');
    const orderer = '-o orderer.example.com:7050 --tls --cafile /tls/orderer-ca.pem';
    expect(run.calls).toEqual([
      `lifecycle chaincode calculatepackageid ${pkg}`,
      'lifecycle chaincode queryinstalled --output json',
      `lifecycle chaincode install ${pkg}`,
      'lifecycle chaincode querycommitted --channelID gxchannel --name gxtv3 --output json',
      `lifecycle chaincode approveformyorg ${orderer} --channelID gxchannel --name gxtv3 --version 0.1.0 --package-id ${packageId} --sequence 1`,
      'lifecycle chaincode checkcommitreadiness --channelID gxchannel --name gxtv3 --version 0.1.0 --sequence 1 --output json',
      `lifecycle chaincode commit ${orderer} --peerAddresses peer0.org1:7051 --tlsRootCertFiles /tls/org1.pem --peerAddresses peer0.org2:9051 --tlsRootCertFiles /tls/org2.pem --channelID gxchannel --name gxtv3 --version 0.1.0 --sequence 1`,
    ]);
  });

  it('redeployment: skips an installed package, approves the committed sequence + 1, commits only when asked', () => {
    const run = deploy({
      CHAINCODE_ADDRESS: 'gxtv3-chaincode-v2:9999',
      ORDERER_ADDRESS: 'orderer:7050',
      CHANNEL: 'prod',
      CC_VERSION: '0.2.0',
      FAKE_INSTALLED: `{"installed_chaincodes":[{"package_id":"${packageId}","label":"gxtv3_0.2.0"}]}`,
      FAKE_COMMITTED: '{"sequence":3,"version":"0.1.0"}',
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.calls.some((call) => call.startsWith('lifecycle chaincode install'))).toBe(false);
    expect(run.calls).toContain(
      `lifecycle chaincode approveformyorg -o orderer:7050 --channelID prod --name gxtv3 --version 0.2.0 --package-id ${packageId} --sequence 4`,
    );
    expect(run.calls.some((call) => call.startsWith('lifecycle chaincode commit'))).toBe(false);
  });

  it('refuses to run without the chaincode address, and --commit without COMMIT_PEERS', () => {
    const noAddress = deploy({ ORDERER_ADDRESS: 'orderer:7050' });
    expect(noAddress.status).not.toBe(0);
    expect(noAddress.stderr).toMatch(/set CHAINCODE_ADDRESS/);
    expect(noAddress.calls).toEqual([]);
    const noPeers = deploy({ CHAINCODE_ADDRESS: 'cc:9999', ORDERER_ADDRESS: 'orderer:7050' }, '--commit');
    expect(noPeers.status).not.toBe(0);
    expect(noPeers.stderr).toMatch(/--commit needs COMMIT_PEERS/);
    expect(noPeers.calls).toEqual([]);
  });
});
