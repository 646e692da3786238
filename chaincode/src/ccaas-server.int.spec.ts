/**
 * The CCaaS server (`npm run start:ccaas -w chaincode`, i.e. scripts/start-ccaas.sh over the built dist/) as a
 * real process, driven over gRPC by a peer-side implementation of the chaincode protocol: proves the entry
 * point, the contract registration and the stub round trips work outside the unit tests' in-process calls.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEvent } from './events';
import { CcaasPeer } from './testing/ccaas-peer';
import { individual, requestId, systemParams } from './testing/fixtures';
import { createTestIdentities, createTlsServerCertificate } from './testing/identities';

const chaincodeDir = join(__dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'gxtv3-ccaas-spec-'));
const started: ChildProcess[] = [];
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

/** Starts scripts/start-ccaas.sh on a free port with `env` added; returns its address and captured output. */
async function startServer(env: Record<string, string> = {}): Promise<{ address: string; output: () => string }> {
  const address = `127.0.0.1:${await freePort()}`;
  let output = '';
  const server = spawn(join(chaincodeDir, 'scripts', 'start-ccaas.sh'), [], {
    env: {
      ...process.env,
      CHAINCODE_SERVER_ADDRESS: address,
      CHAINCODE_ID: 'gxtv3_test:0123abcd',
      CORE_CHAINCODE_LOGGING_LEVEL: 'WARNING',
      // The endorsing peer's organization, which may bootstrap (fabric-shim's getMspID reads it).
      CORE_PEER_LOCALMSPID: 'Org1MSP',
      // Plaintext only where a test asks for it by name: the server requires TLS by default.
      ...(env.CHAINCODE_TLS_CERT_FILE === undefined ? { CHAINCODE_TLS_DISABLED: 'true' } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(server);
  server.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  server.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  return { address, output: () => output };
}

async function connectedPeer(address: string, output: () => string, rootCertPem?: string): Promise<CcaasPeer> {
  const peer = new CcaasPeer(address, rootCertPem);
  try {
    await peer.connect(20_000);
  } catch (error) {
    peer.close();
    throw new Error(`could not connect to the chaincode server: ${String(error)}\n${output()}`);
  }
  return peer;
}

beforeAll(async () => {
  // The server runs the compiled chaincode: build it (incremental, quick when up to date).
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', chaincodeDir]);
  ids = await createTestIdentities();
}, 60_000);

afterAll(async () => {
  for (const server of started) {
    if (server.exitCode !== null || server.signalCode !== null) continue;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  rmSync(work, { recursive: true, force: true });
});

describe('gxtv3 as a CCaaS server process', () => {
  let peer: CcaasPeer;
  beforeAll(async () => {
    const server = await startServer();
    peer = await connectedPeer(server.address, server.output);
  }, 30_000);
  afterAll(() => peer?.close());

  it('registers with the chaincode id it was started with', () => {
    expect(peer.registeredAs).toBe('gxtv3_test:0123abcd');
  });

  it('answers Ping and GetMetadata', async () => {
    expect(await peer.invoke(ids.reader, ['AdminContract:Ping'])).toMatchObject({
      status: 200,
      payload: '{"chaincode":"gxtv3","ok":true}',
    });
    const metadata = await peer.invoke(ids.reader, ['org.hyperledger.fabric:GetMetadata']);
    expect(Object.keys(JSON.parse(metadata.payload).contracts)).toEqual(
      expect.arrayContaining(['AdminContract', 'IdentityContract', 'TokenomicsContract']),
    );
  });

  it('runs bootstrap, user creation with genesis from transient data, and a transfer with one valid event each', async () => {
    const admin = await peer.invoke(ids.superAdmin, [
      'AdminContract:BootstrapSystem',
      requestId(),
      JSON.stringify(systemParams()),
    ]);
    expect(admin.status).toBe(200);
    expect(admin.event?.name).toBe('SystemBootstrapped');
    expect(JSON.parse(admin.payload).timestamp).toBe('2026-01-02T00:00:00.005Z');

    const [alice, bob] = [individual(), individual()];
    for (const user of [alice, bob]) {
      const created = await peer.invoke(
        ids.registrar,
        ['IdentityContract:CreateUser', requestId(), user.fabricUserId],
        user.transient,
      );
      expect(created.event?.name).toBe('UserCreated');
      // fabric-shim's getTransient() hands the chaincode the proposal's transient map.
      expect(JSON.parse(created.payload).genesis).toMatchObject({ outcome: 'ALLOCATED', userAmount: '500000000' });
    }
    const transfer = await peer.invoke(ids.transfer, [
      'TokenomicsContract:TransferTokens',
      requestId(),
      alice.fabricUserId,
      bob.fabricUserId,
      '3000000',
      'via ccaas',
    ]);
    expect(transfer.status).toBe(200);
    expect(transfer.event?.payload).toBe(transfer.payload);
    expect(parseEvent('TransferCompleted', Buffer.from(transfer.payload))).toMatchObject({
      ok: true,
      event: { payload: { fromBalance: '496998500', toBalance: '503000000', fee: '1500' } },
    });
  });

  it('reports chaincode errors as status 500 with the GX_ message and keeps no writes or event', async () => {
    const keysBefore = peer.state.size;
    const refused = await peer.invoke(ids.reader, ['AdminContract:BootstrapSystem', requestId(), '{}']);
    expect(refused).toMatchObject({ status: 500, message: expect.stringMatching(/^GX_FORBIDDEN: /) });
    expect(refused.event).toBeUndefined();
    const overdraw = await peer.invoke(ids.transfer, [
      'TokenomicsContract:TransferTokens',
      requestId(),
      individual().fabricUserId,
      individual().fabricUserId,
      '1',
      '',
    ]);
    expect(overdraw).toMatchObject({ status: 500, message: expect.stringMatching(/^GX_NOT_FOUND: /) });
    expect(peer.state.size).toBe(keysBefore);
  });
});

describe('gxtv3 as a CCaaS server with TLS', () => {
  it('serves TLS from CHAINCODE_TLS_KEY_FILE / CHAINCODE_TLS_CERT_FILE and refuses a plaintext peer', async () => {
    const tls = await createTlsServerCertificate();
    writeFileSync(join(work, 'server.crt'), tls.certPem);
    writeFileSync(join(work, 'server.key'), tls.keyPem);
    const server = await startServer({
      CHAINCODE_TLS_CERT_FILE: join(work, 'server.crt'),
      CHAINCODE_TLS_KEY_FILE: join(work, 'server.key'),
    });
    const peer = await connectedPeer(server.address, server.output, tls.certPem);
    try {
      expect(await peer.invoke(ids.reader, ['AdminContract:Ping'])).toMatchObject({ status: 200 });
    } finally {
      peer.close();
    }
    const plaintext = new CcaasPeer(server.address);
    await expect(plaintext.connect(3_000)).rejects.toThrow();
    plaintext.close();
  });

  it('refuses to start without TLS unless plaintext is asked for by name', () => {
    const env: Record<string, string | undefined> = {
      ...process.env,
      CHAINCODE_SERVER_ADDRESS: '127.0.0.1:1',
      CHAINCODE_ID: 'x:y',
    };
    delete env.CHAINCODE_TLS_DISABLED;
    delete env.CHAINCODE_TLS_CERT_FILE;
    delete env.CHAINCODE_TLS_KEY_FILE;
    const run = spawnSync(join(chaincodeDir, 'scripts', 'start-ccaas.sh'), [], { env, encoding: 'utf8' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/TLS is required: set CHAINCODE_TLS_CERT_FILE and CHAINCODE_TLS_KEY_FILE/);
  });

  it('refuses to start with half a TLS configuration', () => {
    const run = spawnSync(join(chaincodeDir, 'scripts', 'start-ccaas.sh'), [], {
      env: {
        ...process.env,
        CHAINCODE_SERVER_ADDRESS: '127.0.0.1:1',
        CHAINCODE_ID: 'x:y',
        CHAINCODE_TLS_CERT_FILE: 'a.crt',
      },
      encoding: 'utf8',
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/TLS needs CHAINCODE_TLS_KEY_FILE too/);
  });

  it('names the missing variable when CHAINCODE_ID is not set', () => {
    const env: Record<string, string | undefined> = { ...process.env, CHAINCODE_SERVER_ADDRESS: '127.0.0.1:1' };
    delete env.CHAINCODE_ID;
    const run = spawnSync(join(chaincodeDir, 'scripts', 'start-ccaas.sh'), [], { env, encoding: 'utf8' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/set CHAINCODE_ID/);
  });
});
