/**
 * Dead-letter handling for administrators (the admin API's /commands/:id/retry and /discard).
 */
import type pg from 'pg';
import { isUuid } from '../db/uuid.js';
import { COMMAND_STATUS_CHANNEL, OUTBOX_CHANNEL } from './channels.js';

/** What an admin action did. `NOT_FOUND` → 404; `NOT_FAILED` (the command is pending, in flight or committed) → 409. */
export type AdminCommandResult =
  | { ok: true; commandId: string; status: 'PENDING' | 'SUBMITTED' | 'FAILED' }
  | { ok: false; reason: 'NOT_FOUND' | 'NOT_FAILED' };

async function explainRefusal(pool: pg.Pool | pg.ClientBase, id: string): Promise<AdminCommandResult> {
  const found = await pool.query('SELECT 1 FROM outbox_command WHERE id = $1::uuid', [id]);
  return { ok: false, reason: found.rowCount === 0 ? 'NOT_FOUND' : 'NOT_FAILED' };
}

/**
 * Schedules a FAILED command (dead-lettered, discarded, or waiting for its next retry) for an immediate new
 * attempt with a fresh attempt budget. A stored signed transaction is kept: its fate is unknown, so the retry
 * resubmits those same bytes and can never land the command twice. The admin (`_by`) goes to the caller's
 * audit log; the row has no column for it. Given a client, it runs in the caller's transaction.
 */
export async function retryCommand(
  pool: pg.Pool | pg.ClientBase,
  id: string,
  _by: string,
): Promise<AdminCommandResult> {
  if (!isUuid(id)) return { ok: false, reason: 'NOT_FOUND' };
  const result = await pool.query<{ id: string; status: 'PENDING' | 'SUBMITTED' }>(
    `WITH retried AS (
       UPDATE outbox_command
          SET status = CASE WHEN signed_tx IS NULL THEN 'PENDING' ELSE 'SUBMITTED' END,
              next_attempt_at = now(), attempts = 0, error = NULL, error_kind = NULL,
              discarded_at = NULL, discarded_by = NULL, locked_by = NULL, locked_at = NULL,
              updated_at = now()
        WHERE id = $1::uuid AND status = 'FAILED'
       RETURNING id, status
     )
     -- The insert trigger only wakes submitters for new rows: wake them for this one too.
     SELECT id, status, pg_notify('${COMMAND_STATUS_CHANNEL}', id::text), pg_notify('${OUTBOX_CHANNEL}', '')
       FROM retried`,
    [id],
  );
  const row = result.rows[0];
  return row ? { ok: true, commandId: row.id, status: row.status } : explainRefusal(pool, id);
}

/** Gives up on a FAILED command for good: no further retries; it stays FAILED with who discarded it and when. */
export async function discardCommand(pool: pg.Pool, id: string, by: string): Promise<AdminCommandResult> {
  if (!isUuid(id)) return { ok: false, reason: 'NOT_FOUND' };
  const result = await pool.query<{ id: string }>(
    `WITH discarded AS (
       UPDATE outbox_command
          SET next_attempt_at = NULL, discarded_at = now(), discarded_by = $2, updated_at = now()
        WHERE id = $1::uuid AND status = 'FAILED'
       RETURNING id
     )
     SELECT id, pg_notify('${COMMAND_STATUS_CHANNEL}', id::text) FROM discarded`,
    [id, by],
  );
  const row = result.rows[0];
  return row ? { ok: true, commandId: row.id, status: 'FAILED' } : explainRefusal(pool, id);
}
