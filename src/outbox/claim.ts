/**
 * Claiming due outbox rows: one statement, safe for any number of replicas (FOR UPDATE SKIP LOCKED means two
 * submitters never take the same row, and neither waits on the other).
 */
import type pg from 'pg';
import type { TraceCarrier } from '../observability/tracing.js';
import { COMMAND_STATUS_CHANNEL } from './channels.js';

/** An outbox row as the submitter works on it. */
export interface ClaimedCommand {
  id: string;
  commandType: string;
  requestId: string;
  payload: unknown;
  /** Including this attempt. */
  attempts: number;
  /** Set when an earlier attempt stored a signed transaction whose fate is unknown: resubmit these bytes. */
  fabricTxId: string | null;
  signedTx: Buffer | null;
  createdAt: Date;
  /** The trace context of the request that wrote the command (tracing on), for the submitter's spans. */
  traceContext: TraceCarrier | null;
}

interface ClaimedRow {
  id: string;
  command_type: string;
  request_id: string;
  payload: unknown;
  attempts: number;
  fabric_tx_id: string | null;
  signed_tx: Buffer | null;
  created_at: Date;
  trace_context: TraceCarrier | null;
}

export function toClaimedCommand(row: ClaimedRow): ClaimedCommand {
  return {
    id: row.id,
    commandType: row.command_type,
    requestId: row.request_id,
    payload: row.payload,
    attempts: row.attempts,
    fabricTxId: row.fabric_tx_id,
    signedTx: row.signed_tx,
    createdAt: row.created_at,
    traceContext: row.trace_context,
  };
}

/**
 * Takes up to `limit` due rows (PENDING, or FAILED with a retry due), oldest due first, for `workerId`.
 * A row with a stored signed transaction becomes SUBMITTED again (it is resubmitted as is); the others
 * become PENDING. Rows leaving FAILED announce their status change.
 */
export async function claimCommands(pool: pg.Pool, workerId: string, limit: number): Promise<ClaimedCommand[]> {
  const result = await pool.query<ClaimedRow>({
    // Prepared once per connection: the statement is planned once, not per batch.
    name: 'gx-submitter-claim',
    text: `WITH due AS (
       SELECT id, status AS old_status
         FROM outbox_command
        WHERE status IN ('PENDING', 'FAILED')
          AND next_attempt_at IS NOT NULL
          AND next_attempt_at <= now()
        ORDER BY next_attempt_at
        LIMIT $2::int
          FOR UPDATE SKIP LOCKED
     ), claimed AS (
       UPDATE outbox_command o
          SET locked_by = $1::text,
              locked_at = now(),
              next_attempt_at = NULL,
              attempts = o.attempts + 1,
              status = CASE WHEN o.signed_tx IS NULL THEN 'PENDING' ELSE 'SUBMITTED' END,
              updated_at = now()
         FROM due
        WHERE o.id = due.id
       RETURNING o.id, o.command_type, o.request_id, o.payload, o.attempts, o.fabric_tx_id, o.signed_tx,
                 o.created_at, o.trace_context, due.old_status
     )
     SELECT id, command_type, request_id, payload, attempts, fabric_tx_id, signed_tx, created_at, trace_context,
            CASE WHEN old_status = 'FAILED' THEN pg_notify('${COMMAND_STATUS_CHANNEL}', id::text) END AS notified
       FROM claimed`,
    values: [workerId, limit],
  });
  return result.rows.map(toClaimedCommand);
}
