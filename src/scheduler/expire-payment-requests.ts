/**
 * The first scheduler job: expire organization payment requests still PENDING past `expiresAt`
 * (docs/organizations.md, Expiry). It reads the read model and enqueues one EXPIRE_PAYMENT_REQUEST per request,
 * with a request id derived from the payment id: the outbox's unique (tenant, request id) makes a second
 * enqueue of the same request impossible, whichever replica or restart attempts it.
 */
import type pg from 'pg';
import { enqueueCommand } from '../outbox/enqueue.js';
import type { JobRun, SchedulerJob } from './job.js';

export const expirePaymentRequestsJobName = 'expire-payment-requests';

/**
 * How long past `expiresAt` (by the database's clock) a request waits before it is enqueued. The ledger
 * judges expiry by the transaction's timestamp, taken from the submitter's clock; the margin keeps a small
 * skew between the two clocks from meeting GX_PAYMENT_NOT_EXPIRED.
 */
export const expiryGraceMs = 30_000;

/** The request id of the expiry of `paymentId`: the same for every scheduler, run and restart. */
export function expiryRequestId(paymentId: string): string {
  return `expire-payment:${paymentId}`;
}

/** PENDING requests past expiresAt + grace whose expiry is not in the outbox yet, oldest first. */
export async function findExpiredPaymentRequests(db: pg.Pool | pg.ClientBase, limit: number): Promise<string[]> {
  const result = await db.query<{ payment_id: string }>(
    `SELECT p.payment_id
       FROM organization_payment p
      WHERE p.status = 'PENDING'
        AND p.expires_at <= now() - make_interval(secs => $2::double precision / 1000)
        AND NOT EXISTS (SELECT 1 FROM outbox_command o
                         WHERE o.tenant_id = 'default' AND o.request_id = 'expire-payment:' || p.payment_id)
      ORDER BY p.expires_at, p.payment_id
      LIMIT $1`,
    [limit, expiryGraceMs],
  );
  return result.rows.map((row) => row.payment_id);
}

/** What the job needs: where due requests come from and how one is enqueued (true: inserted). */
export interface ExpiryCollaborators {
  findDue(limit: number): Promise<string[]>;
  enqueue(paymentId: string): Promise<boolean>;
}

function isDuplicateRequest(error: unknown): boolean {
  const { code, constraint } = error as { code?: string; constraint?: string };
  return code === '23505' && constraint === 'outbox_command_request_unique';
}

/** Inserts the expiry of `paymentId`; false when it is already in the outbox (another run got there first). */
export async function enqueueExpiry(pool: pg.Pool, paymentId: string): Promise<boolean> {
  try {
    await enqueueCommand(pool, {
      commandType: 'EXPIRE_PAYMENT_REQUEST',
      payload: { paymentId },
      requestId: expiryRequestId(paymentId),
      submittedBy: 'scheduler',
    });
    return true;
  } catch (error) {
    if (isDuplicateRequest(error)) return false;
    throw error;
  }
}

/** The job on the real read model and outbox. */
export function expirePaymentRequestsJob(
  pool: pg.Pool,
  options: { intervalMs: number; batchSize?: number },
): SchedulerJob {
  return createExpiryJob(
    { findDue: (limit) => findExpiredPaymentRequests(pool, limit), enqueue: (id) => enqueueExpiry(pool, id) },
    options,
  );
}

/** The job over its collaborators: one bounded batch per run; what is left is due at the next run. */
export function createExpiryJob(
  collaborators: ExpiryCollaborators,
  options: { intervalMs: number; batchSize?: number },
): SchedulerJob {
  const batchSize = options.batchSize ?? 500;
  return {
    name: expirePaymentRequestsJobName,
    intervalMs: options.intervalMs,
    async run(): Promise<JobRun> {
      const due = await collaborators.findDue(batchSize);
      let enqueued = 0;
      // One insert per request, each its own transaction: a kill between two leaves the rest for the next run.
      for (const paymentId of due) if (await collaborators.enqueue(paymentId)) enqueued += 1;
      return { due: due.length, enqueued };
    },
  };
}
