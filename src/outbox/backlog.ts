/**
 * How much of the outbox is waiting, read in one statement each: the API's view (`/readyz`, `/admin/system`)
 * and the submitter's Prometheus gauges, read when scraped. They count differently on purpose: the API
 * reports what clients wait on (PENDING and SUBMITTED), the gauges what the submitter still has to do.
 */
import type pg from 'pg';

/** The outbox as `/readyz` and `/admin/system` report it. */
export interface OutboxStatus {
  pending: number;
  failed: number;
  oldestPendingAgeMs: number | null;
}

export async function outboxStatus(db: pg.Pool): Promise<OutboxStatus> {
  const result = await db.query<{ pending: string; failed: string; oldest_ms: string | null }>(
    `SELECT count(*) FILTER (WHERE status IN ('PENDING', 'SUBMITTED')) AS pending,
            count(*) FILTER (WHERE status = 'FAILED' AND discarded_at IS NULL) AS failed,
            (extract(epoch FROM now() - min(created_at) FILTER (WHERE status IN ('PENDING', 'SUBMITTED'))) * 1000)::bigint
              AS oldest_ms
       FROM outbox_command
      WHERE status IN ('PENDING', 'SUBMITTED', 'FAILED')`,
  );
  const row = result.rows[0]!;
  return {
    pending: Number(row.pending),
    failed: Number(row.failed),
    oldestPendingAgeMs: row.oldest_ms === null ? null : Number(row.oldest_ms),
  };
}

/** The outbox as the dashboards and alerts see it. */
export interface OutboxGauges {
  /** Waiting to be submitted: PENDING, plus FAILED with a retry scheduled. */
  queueDepth: number;
  /** Age of the oldest command not yet settled (waiting, in flight or retrying); 0 when there is none. */
  oldestPendingAgeSeconds: number;
  /** FAILED with no retry scheduled and not discarded: waiting for an administrator. */
  deadLetters: number;
}

/** Samples the outbox gauges in one statement. */
export async function readOutboxGauges(pool: pg.Pool): Promise<OutboxGauges> {
  const result = await pool.query<{ depth: number; oldest: number; dead: number }>(
    `SELECT count(*) FILTER (WHERE next_attempt_at IS NOT NULL AND status IN ('PENDING', 'FAILED'))::int AS depth,
            coalesce(extract(epoch FROM now() - min(created_at) FILTER (
              WHERE status IN ('PENDING', 'SUBMITTED') OR next_attempt_at IS NOT NULL)), 0)::float8 AS oldest,
            count(*) FILTER (WHERE status = 'FAILED' AND next_attempt_at IS NULL AND discarded_at IS NULL)::int AS dead
       FROM outbox_command
      WHERE status IN ('PENDING', 'SUBMITTED', 'FAILED')`,
  );
  const row = result.rows[0];
  return {
    queueDepth: row?.depth ?? 0,
    oldestPendingAgeSeconds: row?.oldest ?? 0,
    deadLetters: row?.dead ?? 0,
  };
}
