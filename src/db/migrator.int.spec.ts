import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { migrations } from './migrations/index.js';
import { assertSchemaCompatible, migrate, SchemaMismatchError, schemaStatus } from './migrator.js';

const databases: TestDatabase[] = [];
async function freshDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  databases.push(db);
  return db;
}
afterEach(async () => {
  await Promise.all(databases.splice(0).map((db) => db.drop()));
});

async function mismatch(run: () => Promise<unknown>): Promise<SchemaMismatchError> {
  const error = await run().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SchemaMismatchError);
  return error as SchemaMismatchError;
}

describe('migrate', () => {
  it('applies every migration to an empty database and records each', async () => {
    const db = await freshDatabase();
    const applied = await migrate(db.pool);
    expect(applied.map((m) => m.version)).toEqual(migrations.map((m) => m.version));
    const recorded = await db.pool.query<{ version: number }>('SELECT version FROM schema_migration ORDER BY version');
    expect(recorded.rows.map((row) => row.version)).toEqual(migrations.map((m) => m.version));
    const tables = await db.pool.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
    );
    expect(tables.rows.map((row) => row.table_name)).toEqual(
      expect.arrayContaining([
        'outbox_command',
        'projector_state',
        'user_profile',
        'refresh_token',
        'kyc_verification',
        'wallet',
        'transaction_history',
        'transaction_approval',
        'idempotency_key',
        'audit_log',
      ]),
    );
  });

  it('is a no-op the second time', async () => {
    const db = await freshDatabase();
    await migrate(db.pool);
    expect(await migrate(db.pool)).toEqual([]);
    await expect(assertSchemaCompatible(db.pool)).resolves.toMatchObject({
      currentVersion: Math.max(...migrations.map((migration) => migration.version)),
    });
  });

  it('applies once when two runs race', async () => {
    const db = await freshDatabase();
    const [first, second] = await Promise.all([migrate(db.pool), migrate(db.pool)]);
    expect(first.length + second.length).toBe(migrations.length);
  });

  it('refuses a database with migrations this code does not know, changing nothing', async () => {
    const db = await freshDatabase();
    await migrate(db.pool);
    await db.pool.query(`INSERT INTO schema_migration (version, name, checksum) VALUES (9999, 'from_the_future', 'x')`);
    const error = await mismatch(() => migrate(db.pool));
    expect(error.message).toContain('9999_from_the_future');
  });
});

describe('assertSchemaCompatible', () => {
  it('names the missing migrations when the database is behind', async () => {
    const db = await freshDatabase();
    const error = await mismatch(() => assertSchemaCompatible(db.pool));
    expect(error.message).toContain('missing migrations (run `gx migrate`): 0001_initial_schema');
    expect(error.status.missing.map((m) => m.version)).toEqual(migrations.map((m) => m.version));
  });

  it('names the unknown migrations when the database is ahead', async () => {
    const db = await freshDatabase();
    await migrate(db.pool);
    await db.pool.query(`INSERT INTO schema_migration (version, name, checksum) VALUES (42, 'newer_feature', 'x')`);
    const error = await mismatch(() => assertSchemaCompatible(db.pool));
    expect(error.message).toContain('not declared compatible with it (deploy the newer version): 0042_newer_feature');
  });

  it('names a migration whose applied text was altered', async () => {
    const db = await freshDatabase();
    await migrate(db.pool);
    await db.pool.query(`UPDATE schema_migration SET checksum = 'edited' WHERE version = 1`);
    const error = await mismatch(() => assertSchemaCompatible(db.pool));
    expect(error.message).toContain('applied text differs from this code');
    expect(error.message).toContain('0001_initial_schema');
  });

  it('reports version 0 for an empty database', async () => {
    const db = await freshDatabase();
    expect((await schemaStatus(db.pool)).currentVersion).toBe(0);
  });
});

describe('schema', () => {
  it("serves the submitter's pending scan from the partial due index", async () => {
    const db = await freshDatabase();
    await migrate(db.pool);
    const client = await db.pool.connect();
    try {
      // Planner choice on an empty table is not the question; whether the index can serve the scan is.
      await client.query('SET enable_seqscan = off');
      const plan = await client.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT id FROM outbox_command
          WHERE status IN ('PENDING', 'FAILED') AND next_attempt_at IS NOT NULL AND next_attempt_at <= now()
          ORDER BY next_attempt_at LIMIT 100 FOR UPDATE SKIP LOCKED`,
      );
      expect(plan.rows.map((row) => row['QUERY PLAN']).join('\n')).toContain('outbox_command_due_idx');
    } finally {
      client.release();
    }
  });

  it('wakes listeners when a command is inserted, whoever inserts it', async () => {
    const db = await freshDatabase();
    await migrate(db.pool);
    const listener = await db.pool.connect();
    try {
      await listener.query('LISTEN outbox_command');
      const notified = new Promise<string>((resolve) => listener.once('notification', (msg) => resolve(msg.channel)));
      await db.pool.query(
        `INSERT INTO outbox_command (command_type, request_id, payload) VALUES ('TRANSFER_TOKENS', 'r1', '{}')`,
      );
      await expect(notified).resolves.toBe('outbox_command');
    } finally {
      listener.release();
    }
  });

  it('refuses a second command with the same request id in a tenant', async () => {
    const db = await freshDatabase();
    await migrate(db.pool);
    const insert = `INSERT INTO outbox_command (command_type, request_id, payload) VALUES ('CREATE_USER', 'same', '{}')`;
    await db.pool.query(insert);
    await expect(db.pool.query(insert)).rejects.toThrow(/outbox_command_request_unique/);
  });
});
