import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { registry } from '../observability/metrics.js';
import { setOutboxGaugeSource } from '../submitter/metrics.js';
import { readOutboxGauges } from './backlog.js';
import { claimCommands } from './claim.js';
import { storeSignedTransactions } from './store-signed.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase({ migrated: true });
});

afterAll(async () => {
  await db.drop();
});

async function insertRows(count: number): Promise<void> {
  await db.pool.query(
    `INSERT INTO outbox_command (command_type, request_id, payload, submitted_by)
     SELECT 'CREATE_USER', gen_random_uuid()::text, '{}', 'test' FROM generate_series(1, $1::int)`,
    [count],
  );
}

describe('storing signed transactions', () => {
  it('stores each row its own bytes, exactly, from one batch of mixed sizes', async () => {
    await insertRows(4);
    const claimed = await claimCommands(db.pool, 'worker-a', 4);
    expect(claimed).toHaveLength(4);
    // 1 byte, a typical transaction, one above the page size, and bytes with every value.
    const sizes = [1, 4_715, 9_000, 256];
    const records = claimed.map((command, i) => ({
      id: command.id,
      fabricTxId: randomBytes(32).toString('hex'),
      signedTx:
        i === 3 ? Uint8Array.from({ length: 256 }, (_, b) => b) : new Uint8Array(randomBytes(sizes[i] as number)),
    }));
    const stored = await storeSignedTransactions(db.pool, 'worker-a', records);
    expect([...stored].sort()).toEqual(records.map((record) => record.id).sort());
    const rows = await db.pool.query<{ id: string; status: string; fabric_tx_id: string; signed_tx: Buffer }>(
      'SELECT id, status, fabric_tx_id, signed_tx FROM outbox_command WHERE id = ANY($1::uuid[])',
      [records.map((record) => record.id)],
    );
    for (const record of records) {
      const row = rows.rows.find((candidate) => candidate.id === record.id);
      expect(row?.status).toBe('SUBMITTED');
      expect(row?.fabric_tx_id).toBe(record.fabricTxId);
      expect(Buffer.compare(row?.signed_tx ?? Buffer.alloc(0), Buffer.from(record.signedTx))).toBe(0);
    }
  });

  it('stores nothing on a row another submitter holds', async () => {
    await insertRows(2);
    const [mine, theirs] = await claimCommands(db.pool, 'worker-b', 2);
    await db.pool.query(`UPDATE outbox_command SET locked_by = 'worker-c' WHERE id = $1`, [theirs?.id]);
    const stored = await storeSignedTransactions(db.pool, 'worker-b', [
      { id: mine!.id, fabricTxId: randomBytes(32).toString('hex'), signedTx: new Uint8Array(randomBytes(100)) },
      { id: theirs!.id, fabricTxId: randomBytes(32).toString('hex'), signedTx: new Uint8Array(randomBytes(200)) },
    ]);
    expect([...stored]).toEqual([mine!.id]);
    const row = await db.pool.query('SELECT status, signed_tx FROM outbox_command WHERE id = $1', [theirs!.id]);
    expect(row.rows[0]).toEqual({ status: 'PENDING', signed_tx: null });
  });
});

describe('outbox gauges', () => {
  it('are read from the registered source when scraped', async () => {
    await insertRows(3);
    const expected = await readOutboxGauges(db.pool);
    expect(expected.queueDepth).toBeGreaterThanOrEqual(3);
    const clear = setOutboxGaugeSource(() => readOutboxGauges(db.pool));
    try {
      const text = await registry.metrics();
      expect(text).toContain(`outbox_queue_depth ${expected.queueDepth}`);
      expect(text).toContain(`outbox_dead_letters ${expected.deadLetters}`);
    } finally {
      clear();
    }
  });
});
