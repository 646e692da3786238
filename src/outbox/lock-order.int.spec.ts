/**
 * The submitter's write-back and the projector's marking update the same outbox rows at about the same time
 * (a transaction's commit reaches both from the ledger). Each updates many rows per statement; locking them in
 * different orders deadlocked, which PostgreSQL resolves only after deadlock_timeout (1 s) by aborting one:
 * a 1 s stall of both, seen as a time-to-queryable tail. Both now lock in id order.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { claimCommands } from './claim.js';
import { markCommandsProjected } from './mark-projected.js';
import { recordOutcomes } from './record-outcomes.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase({ migrated: true });
  // Deadlocks reported at once, so a round that deadlocks fails fast instead of waiting a second.
  await db.pool.query(`ALTER DATABASE ${db.name} SET deadlock_timeout = '50ms'`);
});

afterAll(async () => {
  await db.drop();
});

const ROWS = 60;
const ROUNDS = 15;

it('records outcomes and marks the same rows projected concurrently without deadlock', {
  timeout: 60_000,
}, async () => {
  for (let round = 0; round < ROUNDS; round++) {
    // Random ids: the rows' physical order is not their id order, as in production.
    const requestIds = Array.from({ length: ROWS }, () => randomBytes(8).toString('hex'));
    await db.pool.query(
      `INSERT INTO outbox_command (command_type, request_id, payload, submitted_by)
       SELECT 'CREATE_USER', r, '{}', 'test' FROM unnest($1::text[]) AS r`,
      [requestIds],
    );
    const claimed = await claimCommands(db.pool, 'worker-a', ROWS);
    expect(claimed).toHaveLength(ROWS);

    const project = async () => {
      const client = await db.pool.connect();
      try {
        await client.query('BEGIN');
        await markCommandsProjected(client, new Set(requestIds));
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    };
    const record = () =>
      recordOutcomes(
        db.pool,
        'worker-a',
        // Reversed, so the input order is neither the physical nor the id order.
        [...claimed].reverse().map((command) => ({
          id: command.id,
          outcome: 'COMMITTED' as const,
          fabricTxId: randomBytes(32).toString('hex'),
          blockNumber: BigInt(round + 1),
        })),
        { maxAttempts: 5, backoffBaseMs: 100, backoffMaxMs: 1_000 },
      );

    const [projected, recorded] = await Promise.allSettled([project(), record()]);
    expect(projected.status === 'rejected' ? String(projected.reason) : 'ok').toBe('ok');
    expect(recorded.status === 'rejected' ? String(recorded.reason) : 'ok').toBe('ok');
    const rows = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbox_command
        WHERE request_id = ANY($1::text[]) AND status = 'COMMITTED' AND projected_at IS NOT NULL`,
      [requestIds],
    );
    expect(rows.rows[0]?.n).toBe(ROWS);
  }
});
