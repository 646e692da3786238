/**
 * Writing back how attempts ended, many rows per statement. Retry scheduling (exponential backoff with
 * jitter, capped, up to the attempt limit) is computed here in SQL so every replica applies the same rule.
 */
import type pg from 'pg';
import type { ErrorKind } from '../ledger/index.js';
import { COMMAND_STATUS_CHANNEL } from './channels.js';

/** How one attempt ended. */
export type AttemptOutcome =
  | { id: string; outcome: 'COMMITTED'; fabricTxId: string; blockNumber: bigint }
  | {
      id: string;
      outcome: 'FAILED';
      errorKind: ErrorKind;
      error: string;
      /** The validation code when the transaction committed invalid. */
      validationCode?: number;
      blockNumber?: bigint;
      /**
       * Keep the stored signed transaction: its fate is unknown (the submit or status call failed), so the
       * next attempt must resubmit the same bytes. False when the ledger gave a definitive answer.
       */
      keepSignedTx: boolean;
    };

export interface RetryPolicy {
  maxAttempts: number;
  /** Delay before the 2nd attempt; doubles each attempt, with jitter in [50 %, 100 %]. */
  backoffBaseMs: number;
  backoffMaxMs: number;
}

/** The row after the write-back: whether it will be tried again. */
export interface RecordedOutcome {
  id: string;
  status: 'COMMITTED' | 'FAILED';
  retrying: boolean;
  /** When the retry is due (database clock), if one is scheduled. */
  nextAttemptAt: Date | null;
}

/** Records outcomes for rows `workerId` still holds; rows taken over by another submitter are left alone. */
export async function recordOutcomes(
  pool: pg.Pool,
  workerId: string,
  outcomes: readonly AttemptOutcome[],
  policy: RetryPolicy,
): Promise<RecordedOutcome[]> {
  const input = outcomes.map((o) =>
    o.outcome === 'COMMITTED'
      ? { id: o.id, outcome: o.outcome, block_number: o.blockNumber.toString(), fabric_tx_id: o.fabricTxId }
      : {
          id: o.id,
          outcome: o.outcome,
          error_kind: o.errorKind,
          error: o.error,
          validation_code: o.validationCode ?? null,
          block_number: o.blockNumber?.toString() ?? null,
          keep_signed_tx: o.keepSignedTx,
        },
  );
  const result = await pool.query<{
    id: string;
    status: 'COMMITTED' | 'FAILED';
    retrying: boolean;
    next_attempt_at: Date | null;
  }>({
    // Prepared once per connection: the statement is planned once, not per batch.
    name: 'gx-submitter-record-outcomes',
    text: `WITH input AS (
       SELECT * FROM jsonb_to_recordset($2::jsonb) AS i(
         id uuid, outcome text, fabric_tx_id text, block_number bigint, validation_code integer,
         error_kind text, error text, keep_signed_tx boolean)
     ), locked AS MATERIALIZED (
       -- Rows locked in id order, as the projector's markCommandsProjected does: statements that lock the same
       -- rows in different orders deadlock, and PostgreSQL takes deadlock_timeout (1 s) to notice and abort one.
       SELECT id FROM outbox_command WHERE id = ANY($6::uuid[]) AND locked_by = $1::text ORDER BY id FOR UPDATE
     ), updated AS (
       UPDATE outbox_command o
          SET status = i.outcome,
              block_number = i.block_number,
              validation_code = CASE WHEN i.outcome = 'COMMITTED' THEN 0 ELSE i.validation_code END,
              fabric_tx_id = COALESCE(i.fabric_tx_id, o.fabric_tx_id),
              committed_at = CASE WHEN i.outcome = 'COMMITTED' THEN now() END,
              error = i.error,
              error_kind = i.error_kind,
              -- A definitive answer frees the bytes; an unknown fate keeps them for resubmission.
              signed_tx = CASE WHEN i.outcome = 'FAILED' AND i.keep_signed_tx THEN o.signed_tx END,
              next_attempt_at = CASE
                WHEN i.outcome = 'COMMITTED' OR i.error_kind = 'PERMANENT' OR o.attempts >= $3::int THEN NULL
                ELSE now() + make_interval(secs => least($5::float8,
                       $4::float8 * power(2, greatest(o.attempts - 1, 0))) * (0.5 + random() * 0.5) / 1000)
              END,
              locked_by = NULL,
              locked_at = NULL,
              updated_at = now()
         FROM input i, locked l
        -- Rows found by primary key (= ANY): a join on the input alone can be planned as a scan of the table
        -- per input row, whose cost grows with the table.
        WHERE o.id = ANY($6::uuid[]) AND o.id = i.id AND o.id = l.id AND o.locked_by = $1::text
       RETURNING o.id, o.status, o.next_attempt_at IS NOT NULL AS retrying, o.next_attempt_at
     )
     SELECT id, status, retrying, next_attempt_at, pg_notify('${COMMAND_STATUS_CHANNEL}', id::text) FROM updated`,
    values: [
      workerId,
      JSON.stringify(input),
      policy.maxAttempts,
      policy.backoffBaseMs,
      policy.backoffMaxMs,
      outcomes.map((o) => o.id),
    ],
  });
  return result.rows.map((row) => ({
    id: row.id,
    status: row.status,
    retrying: row.retrying,
    nextAttemptAt: row.next_attempt_at,
  }));
}

/**
 * Gives claimed rows back without an outcome (graceful shutdown): the attempt did not happen, so it is not
 * counted, and the row is due again at once. Only rows not yet signed: a row whose signed transaction is
 * stored stays held, and once this worker is gone another replica (or the restarted one) resolves it from
 * those bytes.
 */
export async function releaseCommands(pool: pg.Pool, workerId: string, ids: readonly string[]): Promise<number> {
  const result = await pool.query(
    `UPDATE outbox_command
        SET locked_by = NULL, locked_at = NULL, next_attempt_at = now(),
            attempts = greatest(attempts - 1, 0), updated_at = now()
      WHERE id = ANY($2::uuid[]) AND locked_by = $1::text AND next_attempt_at IS NULL
        AND status = 'PENDING' AND signed_tx IS NULL`,
    [workerId, ids],
  );
  return result.rowCount ?? 0;
}

/**
 * Gives claimed rows back after an attempt the ledger could not serve at all (an outage: no endorsement
 * possible): the attempt is not counted, the row is due again at once (the submitter pauses claiming until
 * the ledger can endorse), and `error` tells why it waits. A row whose signed transaction is stored keeps it
 * and is marked FAILED with a retry due, as any retry of stored bytes is (the claim resubmits them).
 */
export async function deferCommands(
  pool: pg.Pool,
  workerId: string,
  deferred: ReadonlyArray<{ id: string; error: string }>,
): Promise<Set<string>> {
  const result = await pool.query<{ id: string }>(
    `WITH input AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS i(id uuid, error text)),
     updated AS (
       UPDATE outbox_command o
          SET locked_by = NULL, locked_at = NULL, next_attempt_at = now(),
              attempts = greatest(o.attempts - 1, 0),
              status = CASE WHEN o.signed_tx IS NULL THEN 'PENDING' ELSE 'FAILED' END,
              error = i.error, error_kind = 'TRANSIENT', updated_at = now()
         FROM input i
        WHERE o.id = ANY($3::uuid[]) AND o.id = i.id AND o.locked_by = $1::text
          AND o.status IN ('PENDING', 'SUBMITTED')
       RETURNING o.id, o.status
     )
     SELECT id, CASE WHEN status = 'FAILED' THEN pg_notify('${COMMAND_STATUS_CHANNEL}', id::text) END FROM updated`,
    [workerId, JSON.stringify(deferred), deferred.map((d) => d.id)],
  );
  return new Set(result.rows.map((row) => row.id));
}
