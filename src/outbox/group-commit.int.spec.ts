import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { CommandValidationError } from '../commands/catalogue.js';
import { createOutboxBatcher } from './group-commit.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrated: true });
});
afterAll(() => db?.drop());

const transfer = (amount: number, requestId?: string) => ({
  commandType: 'TRANSFER_TOKENS' as const,
  payload: {
    fromFabricUserId: 'MY A3F HBF934 0ABCD 1234',
    toFabricUserId: 'SG 1B2 CDE123 1WXYZ 9876',
    amount: String(amount),
    memo: '',
  },
  submittedBy: 'batcher-test',
  ...(requestId ? { requestId } : {}),
});

describe('outbox batcher (group commit)', () => {
  it('writes every command exactly once, in far fewer INSERT statements than commands', async () => {
    const listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    let inserts = 0;
    listener.on('notification', () => {
      inserts += 1;
    });
    // The outbox trigger notifies once per INSERT statement.
    await listener.query('LISTEN outbox_command');
    const batcher = createOutboxBatcher(db.pool, { maxConcurrentFlushes: 2 });
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => batcher.enqueue(transfer(i + 1))));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await listener.end();
    expect(new Set(results.map((r) => r.commandId)).size).toBe(300);
    const rows = await db.pool.query(
      "SELECT payload->>'amount' AS amount, request_id, id::text FROM outbox_command WHERE submitted_by = 'batcher-test'",
    );
    expect(rows.rows).toHaveLength(300);
    expect(rows.rows.every((row) => row.request_id === row.id)).toBe(true);
    expect(inserts).toBeGreaterThan(0);
    expect(inserts).toBeLessThan(100);
  });

  it('rejects an invalid command without writing, and one bad row does not fail its neighbours', async () => {
    const batcher = createOutboxBatcher(db.pool, { maxConcurrentFlushes: 1 });
    await expect(batcher.enqueue({ ...transfer(1), payload: { ...transfer(1).payload, amount: '0' } })).rejects.toThrow(
      CommandValidationError,
    );
    await batcher.enqueue(transfer(5, 'dup-request'));
    const outcomes = await Promise.allSettled([
      batcher.enqueue(transfer(6)),
      batcher.enqueue(transfer(7, 'dup-request')),
      batcher.enqueue(transfer(8)),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    await batcher.drain();
  });
});
