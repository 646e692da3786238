/**
 * Submitter liveness: each submitter registers a row and holds the advisory lock `(SUBMITTER_LOCK_CLASS,
 * lock_key)` on its dedicated connection. PostgreSQL releases the lock the moment that connection dies, which
 * is how the other replicas learn, without a lease to wait out, that a killed submitter's rows are orphaned.
 */
import { hostname } from 'node:os';
import type pg from 'pg';
import { type ClaimedCommand, toClaimedCommand } from './claim.js';

/** First key of the two-key advisory locks that mark live submitters (second key: the worker's lock_key). */
export const SUBMITTER_LOCK_CLASS = 0x67785f73; // 'gx_s'

/** Registers `workerId` and takes its liveness lock on `connection` (which must stay open while it lives). */
export async function registerWorker(connection: pg.ClientBase, workerId: string): Promise<number> {
  const result = await connection.query<{ lock_key: number }>(
    `INSERT INTO submitter_worker (worker_id, hostname, pid) VALUES ($1, $2, $3)
     ON CONFLICT (worker_id) DO UPDATE SET hostname = EXCLUDED.hostname
     RETURNING lock_key`,
    [workerId, hostname(), process.pid],
  );
  const lockKey = result.rows[0]?.lock_key;
  if (lockKey === undefined) throw new Error('submitter_worker registration returned no row');
  await connection.query('SELECT pg_advisory_lock($1::int, $2::int)', [SUBMITTER_LOCK_CLASS, lockKey]);
  return lockKey;
}

/** Removes the registration (clean shutdown); the lock goes with the connection. */
export async function unregisterWorker(pool: pg.Pool, workerId: string): Promise<void> {
  await pool.query('DELETE FROM submitter_worker WHERE worker_id = $1', [workerId]);
}

const LIVE_WORKERS = `
  SELECT w.worker_id
    FROM submitter_worker w
    JOIN pg_locks l
      ON l.locktype = 'advisory' AND l.granted
     AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
     AND l.classid = ${SUBMITTER_LOCK_CLASS}::oid AND l.objid = w.lock_key::oid AND l.objsubid = 2`;

/**
 * Takes over up to `limit` rows held by submitters that are no longer alive (their lock is gone), for
 * `workerId`. Rows with a stored signed transaction come back SUBMITTED and must be resubmitted as is; the
 * others were only claimed and are processed afresh. Also forgets dead workers that hold nothing any more.
 */
export async function adoptOrphanedCommands(
  pool: pg.Pool,
  workerId: string,
  limit: number,
  /**
   * After this worker's own database connection was lost, rows it still holds but no longer works on (their
   * outcome write was lost with the connection): pass the ids it IS working on, and the rest are adopted too.
   */
  ownStrays?: { workingOn: readonly string[] },
): Promise<ClaimedCommand[]> {
  const result = await pool.query(
    `WITH live AS (${LIVE_WORKERS}),
     orphaned AS (
       SELECT o.id
         FROM outbox_command o
        WHERE o.next_attempt_at IS NULL
          AND o.status IN ('PENDING', 'SUBMITTED')
          AND o.locked_by IS NOT NULL
          AND ((o.locked_by <> $1::text AND o.locked_by NOT IN (SELECT worker_id FROM live))
               OR (o.locked_by = $1::text AND $3::boolean AND o.id <> ALL($4::uuid[])))
        LIMIT $2::int
          FOR UPDATE SKIP LOCKED
     )
     UPDATE outbox_command o
        SET locked_by = $1::text, locked_at = now(), attempts = o.attempts + 1, updated_at = now()
       FROM orphaned
      WHERE o.id = orphaned.id
     RETURNING o.id, o.command_type, o.request_id, o.payload, o.attempts, o.fabric_tx_id, o.signed_tx, o.created_at,
               o.trace_context`,
    [workerId, limit, ownStrays !== undefined, ownStrays?.workingOn ?? []],
  );
  await pool.query(
    `WITH live AS (${LIVE_WORKERS})
     DELETE FROM submitter_worker w
      WHERE w.worker_id NOT IN (SELECT worker_id FROM live)
        AND NOT EXISTS (
          SELECT 1 FROM outbox_command o
           WHERE o.locked_by = w.worker_id AND o.next_attempt_at IS NULL AND o.status IN ('PENDING', 'SUBMITTED'))`,
  );
  return result.rows.map(toClaimedCommand);
}
