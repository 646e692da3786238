import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { CommandValidationError } from '../commands/catalogue.js';
import { enqueueCommand } from './enqueue.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrated: true });
});
afterAll(() => db.drop());

const genesis = { fabricUserId: 'MY A3F HBF934 0ABCD 1234' };

describe('enqueueCommand', () => {
  it('stores a PENDING, due row with the validated payload', async () => {
    const enqueued = await enqueueCommand(db.pool, {
      commandType: 'DISTRIBUTE_GENESIS',
      payload: genesis,
      submittedBy: 'admin-1',
    });
    const row = await db.pool.query('SELECT * FROM outbox_command WHERE id = $1', [enqueued.commandId]);
    expect(row.rows[0]).toMatchObject({
      command_type: 'DISTRIBUTE_GENESIS',
      status: 'PENDING',
      attempts: 0,
      payload: genesis,
      submitted_by: 'admin-1',
      request_id: enqueued.requestId,
      // Tracing is off in this process: nothing is captured or stored.
      trace_context: null,
    });
    expect(row.rows[0].next_attempt_at).toBeInstanceOf(Date);
  });

  it('writes nothing for an invalid payload', async () => {
    const before = await db.pool.query('SELECT count(*)::int AS n FROM outbox_command');
    await expect(
      enqueueCommand(db.pool, {
        commandType: 'DISTRIBUTE_GENESIS',
        payload: { fabricUserId: 'nope' },
        submittedBy: 'admin-1',
      }),
    ).rejects.toBeInstanceOf(CommandValidationError);
    const after = await db.pool.query('SELECT count(*)::int AS n FROM outbox_command');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('keeps a caller-chosen request id unique per tenant', async () => {
    const command = {
      commandType: 'DISTRIBUTE_GENESIS' as const,
      payload: genesis,
      submittedBy: 'admin-1',
      requestId: 'fixed',
    };
    await enqueueCommand(db.pool, command);
    await expect(enqueueCommand(db.pool, command)).rejects.toThrow(/outbox_command_request_unique/);
    await expect(enqueueCommand(db.pool, { ...command, tenantId: 'other' })).resolves.toMatchObject({
      requestId: 'fixed',
    });
  });
});
