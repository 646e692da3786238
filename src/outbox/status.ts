/**
 * Reading outbox commands: as the API shows them, and the lookups that keep a one-off command (the system
 * bootstrap) from being enqueued twice.
 */
import type pg from 'pg';
import { decodeCursor, keysetPage, type Page } from '../db/cursor.js';

export type CommandStatus = 'PENDING' | 'SUBMITTED' | 'COMMITTED' | 'FAILED';

/** A command as `GET /api/v1/commands/:id` shows it. */
export interface CommandView {
  commandId: string;
  commandType: string;
  status: CommandStatus;
  attempts: number;
  fabricTxId: string | null;
  blockNumber: number | null;
  error: string | null;
  /** Only meaningful for FAILED: whether the submitter will try again. */
  retrying: boolean;
  /** When the read model reflected the command (null until then). */
  projectedAt: Date | null;
  discardedAt: Date | null;
  submittedBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  committedAt: Date | null;
}

interface CommandRow {
  id: string;
  command_type: string;
  status: CommandStatus;
  attempts: number;
  fabric_tx_id: string | null;
  block_number: string | null;
  error: string | null;
  next_attempt_at: Date | null;
  projected_at: Date | null;
  discarded_at: Date | null;
  submitted_by: string | null;
  created_at: Date;
  updated_at: Date;
  committed_at: Date | null;
}

const COLUMNS = `id, command_type, status, attempts, fabric_tx_id, block_number, error, next_attempt_at,
  projected_at, discarded_at, submitted_by, created_at, updated_at, committed_at`;

function toView(row: CommandRow): CommandView {
  return {
    commandId: row.id,
    commandType: row.command_type,
    status: row.status,
    attempts: row.attempts,
    fabricTxId: row.fabric_tx_id,
    blockNumber: row.block_number === null ? null : Number(row.block_number),
    error: row.error,
    retrying: row.status === 'FAILED' && row.next_attempt_at !== null && row.discarded_at === null,
    projectedAt: row.projected_at,
    discardedAt: row.discarded_at,
    submittedBy: row.submitted_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    committedAt: row.committed_at,
  };
}

/**
 * True when nothing more will happen to the command: committed and projected, or failed for good. Both
 * halves are needed for `projected`: the projector can apply the block's event before the submitter has
 * recorded the commit on the row.
 */
export function isFinal(view: CommandView): boolean {
  return (view.status === 'COMMITTED' && view.projectedAt !== null) || (view.status === 'FAILED' && !view.retrying);
}

export async function findCommand(db: pg.Pool | pg.ClientBase, commandId: string): Promise<CommandView | undefined> {
  const result = await db.query<CommandRow>(`SELECT ${COLUMNS} FROM outbox_command WHERE id = $1`, [commandId]);
  const row = result.rows[0];
  return row === undefined ? undefined : toView(row);
}

/** Commands newest first, optionally by status; keyset-paginated on (created_at, id). */
export async function listCommands(
  db: pg.Pool,
  options: { status?: CommandStatus | undefined; cursor?: string | undefined; limit: number },
): Promise<Page<CommandView>> {
  const after = decodeCursor(options.cursor, 2);
  const result = await db.query<CommandRow & { created_at_text: string }>(
    `SELECT ${COLUMNS}, created_at::text AS created_at_text FROM outbox_command
      WHERE ($1::text IS NULL OR status = $1)
        AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
      ORDER BY created_at DESC, id DESC
      LIMIT $4`,
    [options.status ?? null, after?.[0] ?? null, after?.[1] ?? null, options.limit + 1],
  );
  return keysetPage(result.rows, options.limit, toView, (row) => [row.created_at_text, row.id]);
}

/**
 * The id of a command of `commandType` that is on its way or done: pending, in flight, committed, or failed
 * with a retry scheduled. A dead letter does not count (the command may be enqueued again).
 */
export async function findLiveCommandOfType(
  db: pg.ClientBase | pg.Pool,
  commandType: string,
): Promise<string | undefined> {
  const result = await db.query<{ id: string }>(
    `SELECT id FROM outbox_command WHERE command_type = $1
        AND (status IN ('PENDING', 'SUBMITTED') OR (status = 'COMMITTED') OR (status = 'FAILED' AND next_attempt_at IS NOT NULL))
      LIMIT 1`,
    [commandType],
  );
  return result.rows[0]?.id;
}

/** The id of the oldest command of `commandType`, whatever its status. */
export async function findFirstCommandOfType(
  db: pg.ClientBase | pg.Pool,
  commandType: string,
): Promise<string | undefined> {
  const result = await db.query<{ id: string }>(
    'SELECT id FROM outbox_command WHERE command_type = $1 ORDER BY created_at LIMIT 1',
    [commandType],
  );
  return result.rows[0]?.id;
}
