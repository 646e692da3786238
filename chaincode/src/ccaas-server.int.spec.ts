/**
 * The CCaaS server (`npm run start:ccaas -w chaincode`, i.e. scripts/start-ccaas.sh over the built dist/) as a
 * real process, driven over gRPC by a peer-side implementation of the chaincode protocol: proves the entry
 * point, the contract registration and the stub round trips work outside the unit tests' in-process calls.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEvent } from './events';
import { CcaasPeer } from './testing/ccaas-peer';
import { newUser, requestId, systemParams } from './testing/fixtures';
import { createTestIdentities } from './testing/identities';

const chaincodeDir = join(__dirname, '..');
let server: ChildProcess;
let serverOutput = '';
let peer: CcaasPeer;
let ids: Awaited<ReturnType<typeof createTestIdentities>>;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

beforeAll(async () => {
  // The server runs the compiled chaincode: build it (incremental, quick when up to date).
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', chaincodeDir]);
  ids = await createTestIdentities();
  const address = `127.0.0.1:${await freePort()}`;
  server = spawn(join(chaincodeDir, 'scripts', 'start-ccaas.sh'), [], {
    env: {
      ...process.env,
      CHAINCODE_SERVER_ADDRESS: address,
      CHAINCODE_ID: 'gxtv3_test:0123abcd',
      CORE_CHAINCODE_LOGGING_LEVEL: 'WARNING',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout?.on('data', (chunk) => {
    serverOutput += chunk;
  });
  server.stderr?.on('data', (chunk) => {
    serverOutput += chunk;
  });
  peer = new CcaasPeer(address);
  try {
    await peer.connect(20_000);
  } catch (error) {
    throw new Error(`chaincode server did not come up: ${String(error)}\n${serverOutput}`);
  }
}, 60_000);

afterAll(async () => {
  peer?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
});

describe('gxtv3 as a CCaaS server process', () => {
  it('registers with the chaincode id it was started with', () => {
    expect(peer.registeredAs).toBe('gxtv3_test:0123abcd');
  });

  it('answers Ping and GetMetadata', async () => {
    expect(await peer.invoke(ids.client, ['AdminContract:Ping'])).toMatchObject({
      status: 200,
      payload: '{"chaincode":"gxtv3","ok":true}',
    });
    const metadata = await peer.invoke(ids.client, ['org.hyperledger.fabric:GetMetadata']);
    expect(Object.keys(JSON.parse(metadata.payload).contracts)).toEqual(
      expect.arrayContaining(['AdminContract', 'IdentityContract', 'TokenomicsContract']),
    );
  });

  it('runs bootstrap, user creation, genesis and a transfer with one valid event each', async () => {
    const admin = await peer.invoke(ids.ouAdmin, [
      'AdminContract:BootstrapSystem',
      requestId(),
      JSON.stringify(systemParams()),
    ]);
    expect(admin.status).toBe(200);
    expect(admin.event?.name).toBe('SystemBootstrapped');
    expect(JSON.parse(admin.payload).timestamp).toBe('2026-01-02T00:00:00.005Z');

    const [alice, bob] = [newUser(), newUser()];
    for (const user of [alice, bob]) {
      const created = await peer.invoke(ids.client, [
        'IdentityContract:CreateUser',
        requestId(),
        user.fabricUserId,
        user.userJson,
      ]);
      expect(created.event?.name).toBe('UserCreated');
    }
    await peer.invoke(ids.client, ['TokenomicsContract:DistributeGenesis', requestId(), alice.fabricUserId]);
    const transfer = await peer.invoke(ids.client, [
      'TokenomicsContract:TransferTokens',
      requestId(),
      alice.fabricUserId,
      bob.fabricUserId,
      '300',
      'via ccaas',
    ]);
    expect(transfer.status).toBe(200);
    expect(transfer.event?.payload).toBe(transfer.payload);
    expect(parseEvent('TransferCompleted', Buffer.from(transfer.payload))).toMatchObject({
      ok: true,
      event: { payload: { fromBalance: '700', toBalance: '297', fee: '3' } },
    });
    expect((await peer.invoke(ids.client, ['TokenomicsContract:GetTotalSupply'])).payload).toBe(
      '{"totalSupply":"1000"}',
    );
  });

  it('reports chaincode errors as status 500 with the GX_ message and keeps no writes or event', async () => {
    const keysBefore = peer.state.size;
    const refused = await peer.invoke(ids.client, ['AdminContract:BootstrapSystem', requestId(), '{}']);
    expect(refused).toMatchObject({ status: 500, message: expect.stringMatching(/^GX_FORBIDDEN: /) });
    expect(refused.event).toBeUndefined();
    const overdraw = await peer.invoke(ids.client, [
      'TokenomicsContract:TransferTokens',
      requestId(),
      newUser().fabricUserId,
      newUser().fabricUserId,
      '1',
      '',
    ]);
    expect(overdraw).toMatchObject({ status: 500, message: expect.stringMatching(/^GX_NOT_FOUND: /) });
    expect(peer.state.size).toBe(keysBefore);
  });
});
