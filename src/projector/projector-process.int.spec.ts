/**
 * `gx projector` as real child processes on a devnet and real PostgreSQL: kill -9 between blocks and in the
 * middle of a batch's transaction, standby takeover when the active replica is killed, and
 * `gx projector rebuild` giving read models identical to the incrementally built ones.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, runCli } from '../../test/support/cli.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import {
  devnetOnly,
  externalLedger,
  projectFromCurrentBlock,
  startTestLedger,
  type TestLedger,
} from '../../test/support/ledger.js';
import { LedgerScenario, type ScenarioUser } from '../../test/support/ledger-scenario.js';
import { freePort } from '../../test/support/ports.js';
import { insertProfile, rows } from '../../test/support/projection.js';
import { loadConfig } from '../config.js';
import { createLedgerClient, type LedgerClient } from '../ledger/index.js';
import { createLogger } from '../observability/logger.js';
import { readCheckpoint } from './checkpoint.js';
import { DEFAULT_PROJECTION } from './projector.js';

const logger = createLogger({ level: 'silent', role: 'projector-test' });
let db: TestDatabase;
let devnet: TestLedger;
let ledger: LedgerClient;
let scenario: LedgerScenario;
const children = new Set<ChildProcess>();

interface Replica {
  child: ChildProcess;
  port: number;
}

async function startReplica(): Promise<Replica> {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI_PATH, 'projector'], {
    env: {
      PATH: process.env.PATH ?? '',
      GX_LOG_LEVEL: process.env.PROJECTOR_TEST_LOG ?? 'warn',
      DATABASE_URL: db.url,
      GX_METRICS_PORT: String(port),
      ...devnet.env(),
    },
    stdio: ['ignore', process.env.PROJECTOR_TEST_LOG ? 'inherit' : 'ignore', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return { child, port };
}

async function kill9(replica: Replica): Promise<void> {
  if (replica.child.exitCode !== null) return;
  const exited = once(replica.child, 'exit');
  replica.child.kill('SIGKILL');
  await exited;
}

async function probe(replica: Replica, path: string): Promise<{ status: number; text: string } | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${replica.port}${path}`);
    return { status: response.status, text: await response.text() };
  } catch {
    return undefined;
  }
}

async function isActive(replica: Replica): Promise<boolean> {
  const metrics = await probe(replica, '/metrics');
  return metrics?.text.includes('\nprojector_active 1') ?? false;
}

async function projectedUpTo(block: bigint): Promise<void> {
  await expect
    .poll(async () => (await readCheckpoint(db.pool, DEFAULT_PROJECTION))?.blockNumber ?? -1n, { timeout: 30_000 })
    .toBeGreaterThanOrEqual(block);
}

/** This file's users: on a shared external ledger the read models also hold other tests' users. */
function ownUserIds(): string[] {
  return users.map((user) => user.fabricUserId);
}

/**
 * The read models without columns that record when a row was written (they differ by nature on a replay).
 * On an external ledger only this file's users, and without the ledger-wide rows (total supply, checkpoint),
 * which other tests running at the same time move too.
 */
async function readModels(): Promise<Record<string, unknown[]>> {
  const own = externalLedger ? 'WHERE fabric_user_id = ANY($1)' : '';
  const ownArgs = externalLedger ? [ownUserIds()] : [];
  const models: Record<string, unknown[]> = {
    wallet: await rows(
      db.pool,
      `SELECT fabric_user_id, profile_id, balance, last_block FROM wallet ${own} ORDER BY 1`,
      ownArgs,
    ),
    history: await rows(
      db.pool,
      `SELECT fabric_user_id, tx_id, type, from_user_id, to_user_id, amount, memo, block_number, tx_timestamp
         FROM transaction_history ${own} ORDER BY tx_id, fabric_user_id`,
      ownArgs,
    ),
    profiles: await rows(
      db.pool,
      `SELECT profile_id, fabric_user_id, onchain_status, onchain_registered_at, is_locked, lock_reason, locked_at
         FROM user_profile ORDER BY profile_id`,
    ),
  };
  if (externalLedger) return models;
  return {
    ...models,
    systemState: await rows(db.pool, 'SELECT key, value, block_number FROM system_state ORDER BY key'),
    checkpoint: await rows(
      db.pool,
      'SELECT last_block, last_tx_id, last_event_index FROM projector_state WHERE name = $1',
      [DEFAULT_PROJECTION],
    ),
  };
}

/** The ledger's balance of every wallet the read model knows, next to the read model's. */
async function balancesAgainstLedger(): Promise<Array<{ account: string; readModel: string; ledger: string }>> {
  // Users' wallets only: a treasury's balance moves with every registration of its country.
  const wallets = await rows<{ fabric_user_id: string; balance: string }>(
    db.pool,
    'SELECT fabric_user_id, balance FROM wallet WHERE profile_id IS NOT NULL ORDER BY 1',
  );
  return Promise.all(
    wallets.map(async (w) => ({
      account: w.fabric_user_id,
      readModel: w.balance,
      ledger: await scenario.balance(w.fabric_user_id),
    })),
  );
}

function expectBalancesEqual(list: Array<{ account: string; readModel: string; ledger: string }>): void {
  expect(list.length).toBeGreaterThan(0);
  for (const entry of list) expect(entry.readModel, entry.account).toBe(entry.ledger);
}

let users: ScenarioUser[] = [];
let setupBlock = 0n;

beforeAll(async () => {
  db = await createTestDatabase({ migrated: true });
  devnet = await startTestLedger();
  ledger = await createLedgerClient(loadConfig(devnet.env()).fabric, { logger });
  scenario = new LedgerScenario(ledger, { outbox: db.pool });
  await projectFromCurrentBlock(db.pool, ledger);
  // An external ledger was bootstrapped once for the whole run (test/support/global-setup.ts).
  if (!externalLedger) await scenario.bootstrap();
  users = [];
  // Registration pays genesis; the setup ends with the last one.
  for (let i = 0; i < 4; i += 1) users.push(await scenario.createUser(await insertProfile(db.pool)));
  setupBlock = users.at(-1)?.createdInBlock ?? 0n;
});

afterEach(async () => {
  await Promise.all([...children].map((child) => kill9({ child, port: 0 })));
});

afterAll(async () => {
  await ledger?.close();
  await devnet?.stop();
  await db?.drop();
});

/** History rows of this file's users (on a devnet of its own, that is every row). */
async function historyCount(): Promise<number> {
  return (
    (
      await rows<{ n: number }>(
        db.pool,
        'SELECT count(*)::int AS n FROM transaction_history WHERE fabric_user_id = ANY($1)',
        [ownUserIds()],
      )
    )[0]?.n ?? 0
  );
}

async function transfers(count: number): Promise<bigint> {
  let last = 0n;
  for (let i = 0; i < count; i += 1) {
    const from = users[i % users.length]!;
    const to = users[(i + 1) % users.length]!;
    last = (await scenario.transfer(from, to, String(1 + (i % 7)), `t${i}`)).blockNumber;
  }
  return last;
}

describe('gx projector processes', () => {
  it('refuses to start without the Fabric settings, naming each missing variable', async () => {
    const result = await runCli(['projector'], { DATABASE_URL: db.url });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('GX_FABRIC_PEER_ENDPOINT: is required for this role');
    // The projector only reads: it asks for the reader identity, never a signing one.
    expect(result.stderr).toContain('GX_FABRIC_READER_KEY: is required for this role');
    expect(result.stderr).not.toMatch(/GX_FABRIC_(REGISTRAR|TRANSFER|ADMIN|SUPER_ADMIN)_/);
  });

  it('survives kill -9 between blocks: restarted, it repeats and loses nothing', async () => {
    const first = await startReplica();
    await projectedUpTo(setupBlock);
    const history = await historyCount();
    await projectedUpTo(await transfers(5));
    await kill9(first);

    const last = await transfers(5);
    const second = await startReplica();
    await projectedUpTo(last);

    expectBalancesEqual(await balancesAgainstLedger());
    expect(await historyCount()).toBe(history + 2 * 10);
    await kill9(second);
  });

  it('survives kill -9 in the middle of a batch transaction: nothing of the batch is kept, then all of it', async () => {
    const blocker = new pg.Client({ connectionString: db.url });
    await blocker.connect();
    try {
      const replica = await startReplica();
      await projectedUpTo(setupBlock);
      const before = await readModels();
      const history = await historyCount();
      // Hold one wallet row the next batch must update: the replica's transaction starts, locks the checkpoint,
      // writes what it can and waits on this row.
      await blocker.query('BEGIN');
      await blocker.query('SELECT * FROM wallet WHERE fabric_user_id = $1 FOR UPDATE', [users[0]!.fabricUserId]);
      const last = await transfers(3);
      await expect
        .poll(
          async () =>
            // Not on the blocker: inside its transaction pg_stat_activity is a snapshot taken once.
            (
              await db.pool.query<{ n: number }>(
                `SELECT count(*)::int AS n FROM pg_stat_activity
                  WHERE application_name = 'gx-projector' AND wait_event_type = 'Lock' AND state = 'active'`,
              )
            ).rows[0]?.n,
          { timeout: 20_000 },
        )
        .toBe(1);
      await kill9(replica);
      await blocker.query('ROLLBACK');

      expect(await readModels()).toEqual(before);

      const restarted = await startReplica();
      await projectedUpTo(last);
      expectBalancesEqual(await balancesAgainstLedger());
      expect(
        await rows(db.pool, 'SELECT tx_id, fabric_user_id FROM transaction_history GROUP BY 1, 2 HAVING count(*) > 1'),
      ).toEqual([]);
      expect(await historyCount()).toBe(history + 2 * 3);
      await kill9(restarted);
    } finally {
      await blocker.end();
    }
  });

  it('hands the projection to the standby within seconds when the active replica is killed', async () => {
    const replicas = [await startReplica(), await startReplica()];
    await expect
      .poll(async () => (await Promise.all(replicas.map((r) => probe(r, '/livez')))).map((r) => r?.status), {
        timeout: 20_000,
      })
      .toEqual([200, 200]);
    await expect
      .poll(async () => (await Promise.all(replicas.map(isActive))).filter(Boolean).length, { timeout: 20_000 })
      .toBe(1);
    // Both up, exactly one active: the other stands by (and says so).
    const activeIndex = (await Promise.all(replicas.map(isActive))).indexOf(true);
    const active = replicas[activeIndex]!;
    const standby = replicas[1 - activeIndex]!;
    const standbyReady = await probe(standby, '/readyz');
    expect(standbyReady?.status).toBe(200);
    expect(JSON.parse(standbyReady?.text ?? '{}')).toMatchObject({ checks: { projector: { role: 'standby' } } });
    // The old deployment's probe path answers as /readyz does.
    const standbyHealth = await probe(standby, '/health');
    expect(standbyHealth?.status).toBe(200);
    expect(JSON.parse(standbyHealth?.text ?? '{}')).toMatchObject({ checks: { projector: { role: 'standby' } } });

    const killedAt = performance.now();
    await kill9(active);
    await expect.poll(() => isActive(standby), { timeout: 10_000, interval: 20 }).toBe(true);
    // Reported, not asserted (timings belong in the bench): how long the projection had no active replica.
    console.info(`standby took over ${Math.round(performance.now() - killedAt)} ms after kill -9`);
    const last = await transfers(2);
    await projectedUpTo(last);
    expectBalancesEqual(await balancesAgainstLedger());
    const ready = await probe(standby, '/readyz');
    expect(JSON.parse(ready?.text ?? '{}')).toMatchObject({ checks: { projector: { role: 'active' } } });
    const metrics = (await probe(standby, '/metrics'))?.text ?? '';
    for (const name of [
      'projector_events_processed_total{status="applied"}',
      'projector_blockchain_height',
      'projector_lag_blocks',
      'projector_processing_duration_seconds_count',
    ]) {
      expect(metrics).toContain(`\n${name} `);
    }
  });

  it('stops cleanly on SIGTERM, releasing the projection for the next replica', async () => {
    const first = await startReplica();
    await expect.poll(() => isActive(first), { timeout: 20_000 }).toBe(true);
    const exited = once(first.child, 'exit');
    first.child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    const second = await startReplica();
    await expect.poll(() => isActive(second), { timeout: 20_000 }).toBe(true);
    await kill9(second);
  });

  it.skipIf(externalLedger)(
    `gx projector rebuild replays from block 0 into read models identical to the incremental ones ${devnetOnly('replays the whole ledger from block 0')}`,
    async () => {
      const replica = await startReplica();
      await projectedUpTo(await transfers(3));
      await scenario.setStatus(users[3]!, 'LOCKED', 'rebuild check');
      const last = await transfers(1);
      await projectedUpTo(last);
      const incremental = await readModels();

      // A reader (as the API) keeps reading throughout: it must only ever see the complete read models.
      const summary = async () =>
        (
          await rows(
            db.pool,
            `SELECT (SELECT count(*) FROM wallet)::int AS wallets, (SELECT sum(balance) FROM wallet)::text AS balances,
                  (SELECT count(*) FROM transaction_history)::int AS history`,
          )
        )[0];
      const expected = await summary();
      // Damage the read models the way a bug could: a wrong balance and total supply, a lost and a forged
      // history row. The rebuild must repair each, and leave the ids of the rows that were right alone.
      const ids = (await rows<{ id: string }>(db.pool, 'SELECT id FROM transaction_history ORDER BY id')).map(
        (r) => r.id,
      );
      const [removed] = await rows<{ id: string }>(
        db.pool,
        'DELETE FROM transaction_history WHERE id = (SELECT max(id) FROM transaction_history) RETURNING id',
      );
      await db.pool.query(
        `INSERT INTO transaction_history (fabric_user_id, tx_id, type, amount, block_number, tx_timestamp)
       VALUES ('nobody', 'forged', 'TRANSFER_IN', 1, 1, now())`,
      );
      await db.pool.query('UPDATE wallet SET balance = balance + 1000 WHERE fabric_user_id = $1', [
        users[0]!.fabricUserId,
      ]);
      await db.pool.query(`UPDATE system_state SET value = '"0"' WHERE key = 'totalSupply'`);
      const damaged = await summary();
      expect(damaged).not.toEqual(expected);
      const seen = new Set<string>();
      let reading = true;
      const reader = (async () => {
        while (reading) seen.add(JSON.stringify(await summary()));
      })();
      const result = await runCli(['projector', 'rebuild'], { DATABASE_URL: db.url, ...devnet.env() });
      reading = false;
      await reader;
      for (const state of seen) expect([JSON.stringify(damaged), JSON.stringify(expected)]).toContain(state);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Rebuilt projection "main" from block 0: \d+ events/);
      console.info(result.stdout.trim());

      expect(await readModels()).toEqual(incremental);
      const idsAfter = new Set(
        (await rows<{ id: string }>(db.pool, 'SELECT id FROM transaction_history')).map((r) => r.id),
      );
      expect(ids.filter((id) => id !== removed?.id && !idsAfter.has(id))).toEqual([]);
      expect(await rows(db.pool, `SELECT to_regnamespace('gx_rebuild') AS schema`)).toEqual([{ schema: null }]);
      // The live replica carries on after the switch-over.
      const after = await transfers(1);
      await projectedUpTo(after);
      expectBalancesEqual(await balancesAgainstLedger());
      await kill9(replica);
    },
  );
});
