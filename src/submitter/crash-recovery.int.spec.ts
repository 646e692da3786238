/**
 * `gx submitter` as a real child process, killed with SIGKILL while transactions are in flight: after a
 * restart nothing is lost and nothing lands twice, checked on the ledger itself (state and devnet's count of
 * valid transactions), not only on the rows. Needs the built CLI (`npx tsc -b tsconfig.build.json`).
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { profileDigest } from '@gx/chaincode';
import { individual, roomyGenesis, systemParams, zeroFees } from '@gx/chaincode/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, runCli } from '../../test/support/cli.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import {
  bootstrapTestLedger,
  devnetOnly,
  externalLedger,
  startTestLedger,
  type TestLedger,
} from '../../test/support/ledger.js';
import { createUserPayload, devnetTransactionCount, readRows, waitForRows } from '../../test/support/outbox.js';
import { freePort } from '../../test/support/ports.js';
import { toLedgerCall } from '../commands/catalogue.js';
import { loadConfig } from '../config.js';
import { createLedgerClient, type LedgerClient } from '../ledger/index.js';
import { createLogger } from '../observability/logger.js';

const logger = createLogger({ level: 'silent', role: 'test' });
const GENESIS = 1000n;

let devnet: TestLedger;
let db: TestDatabase;
let ledger: LedgerClient;
const children: ChildProcess[] = [];

function childEnv(metricsPort: number): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'test',
    GX_LOG_LEVEL: 'warn',
    DATABASE_URL: db.url,
    GX_METRICS_PORT: String(metricsPort),
    GX_HTTP_HOST: '127.0.0.1',
    GX_SUBMITTER_WINDOW: '512',
    ...devnet.env(),
  };
}

/** Starts `gx submitter` and resolves once it answers /livez. */
async function startChild(): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI_PATH, 'submitter'], {
    env: childEnv(port),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  children.push(child);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gx submitter exited ${child.exitCode}: ${stderr}`);
    const alive = await fetch(`http://127.0.0.1:${port}/livez`).then(
      (response) => response.ok,
      () => false,
    );
    if (alive) return { child, port };
    if (Date.now() > deadline) throw new Error(`gx submitter did not start: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function totalSupply(): Promise<bigint> {
  const raw = await ledger.evaluate('TokenomicsContract', 'GetSupply', []);
  return BigInt(JSON.parse(Buffer.from(raw).toString()).minted);
}

async function balance(fabricUserId: string): Promise<bigint> {
  const raw = await ledger.evaluate('TokenomicsContract', 'GetBalance', [fabricUserId]);
  return BigInt(JSON.parse(Buffer.from(raw).toString()).balance);
}

function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

function stopGracefully(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

async function insertMany(commandType: string, payloads: unknown[]): Promise<string[]> {
  const result = await db.pool.query<{ id: string }>(
    `INSERT INTO outbox_command (command_type, request_id, payload, submitted_by)
     SELECT $1, gen_random_uuid()::text, p, 'test' FROM unnest($2::jsonb[]) WITH ORDINALITY AS t(p, n)
     ORDER BY n RETURNING id`,
    [commandType, payloads.map((payload) => JSON.stringify(payload))],
  );
  return result.rows.map((row) => row.id);
}

/** Runs a batch through a submitter that is killed mid-flight, then through a fresh one; returns the rows. */
async function runWithCrash(ids: string[]) {
  const first = await startChild();
  // Killed once some transactions are stored and submitted but not yet committed (commit latency 1 s).
  const deadline = Date.now() + 30_000;
  for (;;) {
    const rows = await readRows(db.pool, ids);
    if (rows.filter((row) => row.status === 'SUBMITTED').length >= ids.length / 4) break;
    if (Date.now() > deadline) throw new Error('nothing went in flight');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await killHard(first.child);
  const atKill = await readRows(db.pool, ids);
  const inFlightAtKill = atKill.filter((row) => row.status === 'SUBMITTED' && row.locked_by !== null).length;
  expect(inFlightAtKill).toBeGreaterThan(0);

  const second = await startChild();
  const rows = await waitForRows(db.pool, ids, { timeoutMs: 60_000 });
  return { rows, second, inFlightAtKill };
}

beforeAll(async () => {
  devnet = await startTestLedger({ devnet: { commitLatencyMs: 1_000 } });
  db = await createTestDatabase({ migrated: true });
  ledger = await createLedgerClient(loadConfig(devnet.env()).fabric, { logger, name: 'crash-spec' });
  await bootstrapTestLedger(ledger, systemParams({ genesis: roomyGenesis(String(GENESIS)), fees: zeroFees() }));
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await ledger?.close();
  await db?.drop();
  await devnet?.stop();
});

describe('gx submitter killed with SIGKILL mid-flight', () => {
  const N = 200;
  const users = Array.from({ length: N }, () => createUserPayload());

  it.skipIf(externalLedger)(
    `loses no CREATE_USER and creates none twice ${devnetOnly("needs a set commit latency to catch transactions in flight, counts devnet's valid transactions")}`,
    async () => {
      const validBefore = await devnetTransactionCount('VALID');
      const ids = await insertMany('CREATE_USER', users);
      const { rows, second } = await runWithCrash(ids);
      expect(rows.filter((row) => row.status !== 'COMMITTED')).toEqual([]);
      expect(new Set(rows.map((row) => row.fabric_tx_id)).size).toBe(N);
      // The ledger: every user exists, and exactly N valid transactions were added (no duplicate submission).
      expect((await devnetTransactionCount('VALID')) - validBefore).toBe(N);
      for (const user of users) {
        const stored = JSON.parse(
          Buffer.from(await ledger.evaluate('IdentityContract', 'GetUser', [user.fabricUserId])).toString(),
        );
        expect(stored.profileDigest).toBe(profileDigest(user.profileId));
      }
      // The restarted process serves its probes and metrics.
      const metrics = await (await fetch(`http://127.0.0.1:${second.port}/metrics`)).text();
      expect(metrics).toContain('outbox_commands_processed_total{status="COMMITTED"}');
      expect(metrics).toContain('fabric_circuit_breaker_state{client="submitter"} 0');
      expect(metrics).toContain('fabric_ledger_reachable{client="submitter"} 1');
      expect(metrics).toMatch(/outbox_queue_depth \d+/);
      expect(metrics).toMatch(/outbox_oldest_pending_age_seconds [\d.]+/);
      expect(metrics).toMatch(/outbox_dead_letters \d+/);
      expect(metrics).toMatch(/outbox_commands_in_flight \d+/);
      const ready = await fetch(`http://127.0.0.1:${second.port}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready' });
      // The old deployment's probe path answers as /readyz does.
      const health = await fetch(`http://127.0.0.1:${second.port}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ready', checks: { submitter: { ok: true } } });
      expect(await stopGracefully(second.child)).toBe(0);
    },
    120_000,
  );

  it.skipIf(externalLedger)(
    `loses no TRANSFER_TOKENS and applies none twice (balances and total supply) ${devnetOnly("needs a set commit latency to catch transactions in flight, counts devnet's valid transactions")}`,
    async () => {
      const receivers = users.slice(N / 2);
      // Funded senders: individuals, whose registration pays their genesis. Registrations of one country
      // share its phase counter, so they are made one after the other here, without commit latency.
      devnet.setCommitLatency(0);
      const senders = Array.from({ length: N / 2 }, () => createUserPayload(individual()));
      for (const sender of senders) {
        const call = toLedgerCall('CREATE_USER', `create-${sender.fabricUserId}`, sender);
        await ledger.submit(call);
      }
      devnet.setCommitLatency(1_000);
      const supplyBefore = await totalSupply();
      const validBefore = await devnetTransactionCount('VALID');
      // Disjoint pairs and no fee: no two transfers touch the same key, so none conflicts (with fees neither:
      // each fee goes to its sender's own shard, src/ledger/no-hot-keys.int.spec.ts).
      const ids = await insertMany(
        'TRANSFER_TOKENS',
        senders.map((sender, i) => ({
          fromFabricUserId: sender.fabricUserId,
          toFabricUserId: receivers[i]?.fabricUserId,
          amount: '300',
          memo: `pair ${i}`,
        })),
      );
      const { rows, second } = await runWithCrash(ids);
      expect(rows.filter((row) => row.status !== 'COMMITTED')).toEqual([]);
      expect((await devnetTransactionCount('VALID')) - validBefore).toBe(N / 2);
      expect(await totalSupply()).toBe(supplyBefore);
      for (const [i, sender] of senders.entries()) {
        expect(await balance(sender.fabricUserId)).toBe(GENESIS - 300n);
        expect(await balance(receivers[i]!.fabricUserId)).toBe(300n);
      }
      expect(await stopGracefully(second.child)).toBe(0);
    },
    120_000,
  );

  it('refuses to start with a key that does not match its certificate, naming the variable', async () => {
    const env = childEnv(await freePort());
    env.GX_FABRIC_TRANSFER_KEY = devnet.connection.identities.super_admin.keyPem;
    const result = await runCli(['submitter'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'GX_FABRIC_TRANSFER_KEY: does not match the certificate in GX_FABRIC_TRANSFER_CERT',
    );
  });
});
