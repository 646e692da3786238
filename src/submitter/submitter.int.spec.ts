import { profileDigest } from '@gx/chaincode';
import { individual, roomyGenesis, systemParams } from '@gx/chaincode/testing';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import {
  bootstrapTestLedger,
  devnetOnly,
  externalLedger,
  firstTierGenesis,
  startTestLedger,
  type TestLedger,
} from '../../test/support/ledger.js';
import { createUserPayload, devnetTransactionCount, readRows, waitForRows } from '../../test/support/outbox.js';
import { type CommandPayload, type CommandType, toLedgerCall } from '../commands/catalogue.js';
import { loadConfig } from '../config.js';
import { createLedgerClient, type LedgerClient } from '../ledger/index.js';
import { createLogger } from '../observability/logger.js';
import { readOutboxGauges } from '../outbox/backlog.js';
import { COMMAND_STATUS_CHANNEL } from '../outbox/channels.js';
import { discardCommand, retryCommand } from '../outbox/dead-letters.js';
import { enqueueCommand } from '../outbox/enqueue.js';
import { type Submitter, type SubmitterOptions, startSubmitter } from './submitter.js';

const logger = createLogger({ level: 'silent', role: 'test' });

let devnet: TestLedger;
/** What a genesis pays on this ledger. */
let genesisAmount: bigint;
let db: TestDatabase;
let ledger: LedgerClient;
const running: Submitter[] = [];

/** Endorses an outbox row's command exactly as the submitter would (the catalogue's mapping, its request id). */
async function endorseAsSubmitter(id: string) {
  const row = await db.pool.query<{ command_type: string; request_id: string; payload: unknown }>(
    'SELECT command_type, request_id, payload FROM outbox_command WHERE id = $1',
    [id],
  );
  const command = row.rows[0]!;
  return ledger.endorse(toLedgerCall(command.command_type, command.request_id, command.payload));
}

async function submitter(options: Partial<SubmitterOptions> = {}): Promise<Submitter> {
  const started = await startSubmitter({
    pool: db.pool,
    clientConfig: { connectionString: db.url },
    ledger,
    logger,
    window: 256,
    batchSize: 64,
    maxAttempts: 5,
    backoffBaseMs: 20,
    backoffMaxMs: 200,
    maintenanceIntervalMs: 200,
    ...options,
  });
  running.push(started);
  return started;
}

async function enqueue<T extends CommandType>(commandType: T, payload: CommandPayload<T>): Promise<string> {
  return (await enqueueCommand(db.pool, { commandType, payload, submittedBy: 'test' })).commandId;
}

async function insertRaw(commandType: string, payload: unknown): Promise<string> {
  const result = await db.pool.query<{ id: string }>(
    `INSERT INTO outbox_command (command_type, request_id, payload, submitted_by)
     VALUES ($1, gen_random_uuid()::text, $2, 'hand') RETURNING id`,
    [commandType, JSON.stringify(payload)],
  );
  return result.rows[0]!.id;
}

async function balance(fabricUserId: string): Promise<bigint> {
  const raw = await ledger.evaluate('TokenomicsContract', 'GetBalance', [fabricUserId]);
  return BigInt(JSON.parse(Buffer.from(raw).toString()).balance);
}

beforeAll(async () => {
  devnet = await startTestLedger();
  db = await createTestDatabase({ migrated: true });
  ledger = await createLedgerClient(loadConfig(devnet.env()).fabric, { logger, name: 'submitter-spec' });
  const { params } = await bootstrapTestLedger(ledger, systemParams({ genesis: roomyGenesis('1000') }));
  genesisAmount = firstTierGenesis(params);
});

afterEach(async () => {
  if (!externalLedger) {
    devnet.faults.clear();
    devnet.setCommitLatency(0);
  }
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

afterAll(async () => {
  await ledger?.close();
  await db?.drop();
  await devnet?.stop();
});

describe(`outbox submitter on PostgreSQL and ${externalLedger ? 'an external ledger' : 'devnet'}`, () => {
  it('commits an inserted command, recording tx id and block, and announces each status change', async () => {
    const listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    const announced: string[] = [];
    listener.on('notification', (message) => announced.push(message.payload ?? ''));
    await listener.query(`LISTEN ${COMMAND_STATUS_CHANNEL}`);
    try {
      await submitter();
      const user = createUserPayload();
      const id = await enqueue('CREATE_USER', user);
      const [row] = await waitForRows(db.pool, [id]);
      expect(row).toMatchObject({ status: 'COMMITTED', attempts: 1, validation_code: 0, error: null, signed_tx: null });
      expect(row?.fabric_tx_id).toMatch(/^[0-9a-f]{64}$/);
      expect(Number(row?.block_number)).toBeGreaterThan(0);
      const onLedger = JSON.parse(
        Buffer.from(await ledger.evaluate('IdentityContract', 'GetUser', [user.fabricUserId])).toString(),
      );
      expect(onLedger.profileDigest).toBe(profileDigest(user.profileId));
      await new Promise((resolve) => setTimeout(resolve, 50));
      // SUBMITTED (bytes stored) then COMMITTED.
      expect(announced.filter((payload) => payload === id)).toHaveLength(2);
    } finally {
      await listener.end();
    }
  });

  it('fails a hand-written bad payload at once, permanently, naming the field', async () => {
    await submitter();
    const id = await insertRaw('TRANSFER_TOKENS', { toFabricUserId: 'nobody', amount: 12 });
    const [row] = await waitForRows(db.pool, [id]);
    expect(row).toMatchObject({
      status: 'FAILED',
      retrying: false,
      attempts: 1,
      error_kind: 'PERMANENT',
      fabric_tx_id: null,
    });
    expect(row?.error).toContain('fromFabricUserId');
    expect(row?.error).toContain('amount');
  });

  it('fails a permanently rejected command at once with the chaincode message', async () => {
    await submitter();
    const [from, to] = [createUserPayload(), createUserPayload()];
    await waitForRows(db.pool, [await enqueue('CREATE_USER', from), await enqueue('CREATE_USER', to)]);
    const id = await enqueue('TRANSFER_TOKENS', {
      fromFabricUserId: from.fabricUserId,
      toFabricUserId: to.fabricUserId,
      amount: '5',
      memo: '',
    });
    const [row] = await waitForRows(db.pool, [id]);
    expect(row).toMatchObject({ status: 'FAILED', retrying: false, attempts: 1, error_kind: 'PERMANENT' });
    expect(row?.error).toMatch(/^GX_INSUFFICIENT_FUNDS: /);
    expect(await balance(from.fabricUserId)).toBe(0n);
  });

  it.skipIf(externalLedger)(
    `waits out endorsements the ledger cannot serve without spending attempts; retries MVCC conflicts ${devnetOnly('needs fault injection')}`,
    async () => {
      await submitter();
      const user = createUserPayload(individual());
      // UNAVAILABLE from the endorser: an outage, not this command's fault. The submitter pauses and probes
      // (the probe takes the second failure), then claims again: the command's first counted attempt commits.
      devnet.faults.failEndorsements(2);
      const created = await enqueue('CREATE_USER', user);
      const [createdRow] = await waitForRows(db.pool, [created]);
      expect(createdRow).toMatchObject({ status: 'COMMITTED', attempts: 1 });
      expect(await balance(user.fabricUserId)).toBe(genesisAmount);

      // Genesis rides on the registration: a conflicted one is retried and pays exactly once.
      devnet.faults.forceMvccConflicts(1);
      const second = createUserPayload(individual());
      const [secondRow] = await waitForRows(db.pool, [await enqueue('CREATE_USER', second)]);
      expect(secondRow?.status).toBe('COMMITTED');
      expect(secondRow?.attempts).toBeGreaterThanOrEqual(2);
      expect(await balance(second.fabricUserId)).toBe(genesisAmount);
    },
  );

  it.skipIf(externalLedger)(
    `keeps retrying while devnet refuses connections and commits once it is back ${devnetOnly('needs fault injection')}`,
    async () => {
      await submitter({ maxAttempts: 50 });
      const reopened = devnet.faults.refuseConnections(800);
      const id = await enqueue('CREATE_USER', createUserPayload());
      await reopened;
      const [row] = await waitForRows(db.pool, [id]);
      expect(row?.status).toBe('COMMITTED');
    },
  );

  it.skipIf(externalLedger)(
    `dead-letters after the attempt limit; an admin retry then commits it; discard refuses non-failed rows ${devnetOnly('needs fault injection')}`,
    async () => {
      await submitter({ maxAttempts: 2 });
      // A transient failure of the command itself (an outage would not count): it loses every MVCC race.
      devnet.faults.forceMvccConflicts(1_000);
      const id = await enqueue('CREATE_USER', createUserPayload());
      const [dead] = await waitForRows(db.pool, [id]);
      expect(dead).toMatchObject({ status: 'FAILED', retrying: false, attempts: 2, error_kind: 'TRANSIENT' });
      expect(dead?.error).toContain('MVCC_READ_CONFLICT');
      devnet.faults.clear();
      expect(await retryCommand(db.pool, id, 'admin@test')).toMatchObject({ ok: true, status: 'PENDING' });
      const [row] = await waitForRows(db.pool, [id]);
      expect(row?.status).toBe('COMMITTED');
      expect(await discardCommand(db.pool, id, 'admin@test')).toEqual({ ok: false, reason: 'NOT_FAILED' });
      expect(await retryCommand(db.pool, '00000000-0000-4000-8000-000000000000', 'a')).toEqual({
        ok: false,
        reason: 'NOT_FOUND',
      });
    },
  );

  it('discards a dead letter: it stays FAILED and is never tried again', async () => {
    await submitter();
    const id = await insertRaw('CREATE_USER', { nope: true });
    await waitForRows(db.pool, [id]);
    const before = await readOutboxGauges(db.pool);
    expect(before.deadLetters).toBeGreaterThanOrEqual(1);
    expect(await discardCommand(db.pool, id, 'admin@test')).toEqual({ ok: true, commandId: id, status: 'FAILED' });
    expect((await readOutboxGauges(db.pool)).deadLetters).toBe(before.deadLetters - 1);
    const stored = await db.pool.query('SELECT discarded_by, next_attempt_at FROM outbox_command WHERE id = $1', [id]);
    expect(stored.rows[0]).toEqual({ discarded_by: 'admin@test', next_attempt_at: null });
  });

  it.skipIf(externalLedger)(
    `two replicas never submit one row twice ${devnetOnly("counts devnet's valid transactions")}`,
    async () => {
      const submissions = new Map<string, number>();
      const onSubmit = (command: { id: string }) => submissions.set(command.id, (submissions.get(command.id) ?? 0) + 1);
      await submitter({ onSubmit, batchSize: 16 });
      await submitter({ onSubmit, batchSize: 16 });
      const validBefore = await devnetTransactionCount('VALID');
      const ids: string[] = [];
      for (let i = 0; i < 300; i += 1) ids.push(await enqueue('CREATE_USER', createUserPayload()));
      const rows = await waitForRows(db.pool, ids, { timeoutMs: 60_000 });
      expect(rows.every((row) => row.status === 'COMMITTED' && row.attempts === 1)).toBe(true);
      expect([...submissions.values()].every((count) => count === 1)).toBe(true);
      expect(submissions.size).toBe(300);
      expect(new Set(rows.map((row) => row.fabric_tx_id)).size).toBe(300);
      expect((await devnetTransactionCount('VALID')) - validBefore).toBe(300);
    },
  );

  it.skipIf(externalLedger)(
    `adopts rows of a dead submitter: resubmits stored bytes without a second transaction ${devnetOnly("counts devnet's valid transactions")}`,
    async () => {
      // Two rows "held" by a submitter that no longer exists, each with stored signed bytes: one the ledger
      // already committed before the crash, one it never saw.
      const seen = createUserPayload();
      const unseen = createUserPayload();
      const rows: Array<{ id: string; txId: string }> = [];
      for (const [payload, submitFirst] of [
        [seen, true],
        [unseen, false],
      ] as const) {
        const id = await enqueue('CREATE_USER', payload);
        const endorsed = await endorseAsSubmitter(id);
        if (submitFirst) await ledger.commit('registrar', endorsed.signedTransaction);
        await db.pool.query(
          `UPDATE outbox_command SET status = 'SUBMITTED', locked_by = 'dead-worker', locked_at = now(),
                next_attempt_at = NULL, attempts = 1, fabric_tx_id = $2, signed_tx = $3 WHERE id = $1`,
          [id, endorsed.transactionId, Buffer.from(endorsed.signedTransaction)],
        );
        rows.push({ id, txId: endorsed.transactionId });
      }
      const validBefore = await devnetTransactionCount('VALID');
      await submitter();
      const settled = await waitForRows(
        db.pool,
        rows.map((row) => row.id),
      );
      for (const [index, row] of settled.entries()) {
        expect(row).toMatchObject({ status: 'COMMITTED', fabric_tx_id: rows[index]?.txId, attempts: 2 });
      }
      // Only the transaction the ledger had never seen was added.
      expect((await devnetTransactionCount('VALID')) - validBefore).toBe(1);
    },
  );

  it.skipIf(externalLedger)(
    `pipelines: fills its window with transactions awaiting commit, never more ${devnetOnly('needs a set commit latency')}`,
    async () => {
      devnet.setCommitLatency(1_000);
      const window = 40;
      const instance = await submitter({ window, batchSize: 16 });
      const inserted = await db.pool.query<{ id: string }>(
        `INSERT INTO outbox_command (command_type, request_id, payload, submitted_by)
       SELECT 'CREATE_USER', gen_random_uuid()::text, p, 'test' FROM unnest($1::jsonb[]) AS p RETURNING id`,
        [Array.from({ length: 120 }, () => JSON.stringify(createUserPayload()))],
      );
      const ids = inserted.rows.map((row) => row.id);
      let most = 0;
      const sampler = setInterval(() => {
        most = Math.max(most, instance.inFlight());
      }, 10);
      try {
        const rows = await waitForRows(db.pool, ids, { timeoutMs: 60_000 });
        expect(rows.every((row) => row.status === 'COMMITTED')).toBe(true);
      } finally {
        clearInterval(sampler);
      }
      // With a 1 s commit latency, a full window means `window` transactions were awaiting commit at once.
      expect(most).toBe(window);
    },
  );

  it('survives losing its LISTEN connection: reconnects, relocks, and resolves its own rows whose outcome was lost', async () => {
    const instance = await submitter();
    // A row this worker holds but no longer works on, as when an outcome write died with the connection.
    const payload = createUserPayload();
    const id = await enqueue('CREATE_USER', payload);
    await waitForRows(db.pool, [id]);
    // Replaying the first command's request: the chaincode answers with the recorded result.
    const endorsed = await endorseAsSubmitter(id);
    // Written held from the start, so the running submitter never claims it itself.
    const inserted = await db.pool.query<{ id: string }>(
      `INSERT INTO outbox_command (command_type, request_id, payload, submitted_by, status, next_attempt_at,
                                   locked_by, locked_at, attempts, fabric_tx_id, signed_tx)
       VALUES ('CREATE_USER', gen_random_uuid()::text, $1, 'test', 'SUBMITTED', NULL, $2, now(), 1, $3, $4)
       RETURNING id`,
      [JSON.stringify(payload), instance.workerId, endorsed.transactionId, Buffer.from(endorsed.signedTransaction)],
    );
    const stray = inserted.rows[0]!.id;
    const terminated = await db.pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = 'gx-submitter-listen' AND datname = current_database()`,
    );
    expect(terminated.rowCount).toBe(1);
    const [resolved] = await waitForRows(db.pool, [stray]);
    expect(resolved).toMatchObject({ status: 'COMMITTED', fabric_tx_id: endorsed.transactionId });
    // Notifications work again: a new row is picked up.
    const fresh = await enqueue('CREATE_USER', createUserPayload());
    expect((await waitForRows(db.pool, [fresh]))[0]?.status).toBe('COMMITTED');
  });

  it.skipIf(externalLedger)(
    `stops gracefully: finishes in-flight commands before returning ${devnetOnly('needs a set commit latency')}`,
    async () => {
      devnet.setCommitLatency(1_500);
      const instance = await submitter();
      const users = Array.from({ length: 20 }, () => createUserPayload());
      // One statement, so the submitter claims them together and all are in flight at once.
      const inserted = await db.pool.query<{ id: string }>(
        `INSERT INTO outbox_command (command_type, request_id, payload, submitted_by)
       SELECT 'CREATE_USER', gen_random_uuid()::text, p, 'test' FROM unnest($1::jsonb[]) AS p RETURNING id`,
        [users.map((user) => JSON.stringify(user))],
      );
      const ids = inserted.rows.map((row) => row.id);
      await waitForRows(db.pool, ids, { done: (row) => row.status === 'SUBMITTED' });
      expect(instance.inFlight()).toBeGreaterThan(0);
      await instance.stop();
      const rows = await readRows(db.pool, ids);
      expect(rows.every((row) => row.status === 'COMMITTED' && row.locked_by === null)).toBe(true);
      const workers = await db.pool.query('SELECT count(*)::int AS n FROM submitter_worker WHERE worker_id = $1', [
        instance.workerId,
      ]);
      expect(workers.rows[0].n).toBe(0);
    },
  );
});
