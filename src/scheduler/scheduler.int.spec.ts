import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { createLogger } from '../observability/logger.js';
import { enqueueExpiry, expirePaymentRequestsJob, expiryGraceMs, expiryRequestId } from './expire-payment-requests.js';
import type { SchedulerJob } from './job.js';
import { startSchedulerRole } from './run.js';

const logger = createLogger({ level: 'silent', role: 'scheduler-test' });
let db: TestDatabase;
let api: pg.Pool;
beforeAll(async () => {
  db = await createTestDatabase({ migrated: true });
  // The scheduler connects as the API's database role: its grants must be enough.
  api = db.poolAs('gx_api');
});
afterAll(() => db?.drop());

let counter = 0;
/** A payment request row of the read model, `expiresIn` ms from the database's now (negative: past). */
async function paymentRow(status: string, expiresInMs: number): Promise<string> {
  counter += 1;
  const paymentId = counter.toString(16).padStart(32, '0');
  await db.pool.query(
    `INSERT INTO organization_payment (payment_id, org_id, from_account, to_user_id, amount, memo, initiator, rule,
                                       required_approvals, status, created_at, expires_at, changed_at, last_block)
     VALUES ($1, $2, 'MY 111 AAA000 1ABCD 0001', 'SG 1B2 CDE123 1WXYZ 9876', 10, '', 'SG 1B2 CDE123 1WXYZ 9876',
             '{}', 2, $3, now(), now() + make_interval(secs => $4::double precision / 1000), now(), 1)`,
    [paymentId, 'f'.repeat(32), status, expiresInMs],
  );
  return paymentId;
}

async function expiryCommands(): Promise<Array<{ request_id: string; payload: unknown; status: string }>> {
  const result = await db.pool.query(
    `SELECT request_id, payload, status FROM outbox_command WHERE command_type = 'EXPIRE_PAYMENT_REQUEST'
      ORDER BY request_id`,
  );
  return result.rows;
}

describe('the payment-request expiry job on PostgreSQL', () => {
  it('enqueues only PENDING requests past expiresAt + grace, once, whatever runs it again', async () => {
    const due = await paymentRow('PENDING', -3_600_000);
    await paymentRow('PENDING', -expiryGraceMs / 3); // expired, but within the clock-skew margin
    await paymentRow('PENDING', 3_600_000); // not yet expired
    await paymentRow('EXECUTED', -3_600_000); // decided before it expired
    const job = expirePaymentRequestsJob(api, { intervalMs: 1000 });

    expect(await job.run()).toEqual({ due: 1, enqueued: 1 });
    expect(await expiryCommands()).toEqual([
      { request_id: expiryRequestId(due), payload: { paymentId: due }, status: 'PENDING' },
    ]);
    // A second run (or a restarted replica) finds it in the outbox already.
    expect(await job.run()).toEqual({ due: 0, enqueued: 0 });
    // A replica that selected it before the first insert committed meets the outbox's unique request id.
    expect(await enqueueExpiry(api, due)).toBe(false);
    expect(await expiryCommands()).toHaveLength(1);
  });
});

describe('scheduler leadership', () => {
  it('runs the jobs on one replica; the standby takes over when the active one stops', async () => {
    const runs = { first: 0, second: 0 };
    const counting = (name: keyof typeof runs): SchedulerJob => ({
      name: 'counting',
      intervalMs: 20,
      run: async () => {
        runs[name] += 1;
        return { due: 0, enqueued: 0 };
      },
    });
    const context = { logger, db: { clientConfig: { connectionString: db.url } } };
    const first = startSchedulerRole(context, [counting('first')]);
    await vi.waitFor(() => expect(first.role()).toBe('active'), { timeout: 10_000, interval: 20 });
    const second = startSchedulerRole(context, [counting('second')]);
    try {
      // The second waits in pg_advisory_lock while the first keeps running its jobs.
      await vi.waitFor(() => expect(runs.first).toBeGreaterThan(3), { timeout: 10_000, interval: 20 });
      expect(second.role()).toBe('standby');
      expect(runs.second).toBe(0);

      await first.stop();
      expect(first.role()).toBe('standby');
      await vi.waitFor(() => expect(runs.second).toBeGreaterThan(0), { timeout: 10_000, interval: 20 });
      expect(second.role()).toBe('active');
    } finally {
      await first.stop();
      await second.stop();
    }
  });
});
