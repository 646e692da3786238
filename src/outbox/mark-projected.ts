import type pg from 'pg';
import { COMMAND_STATUS_CHANNEL } from './channels.js';

/**
 * Marks the commands (by request id) whose events the projector applied as projected and announces each on the command status
 * channel (delivered when the transaction commits). Returns how many commands it marked.
 */
export async function markCommandsProjected(client: pg.ClientBase, requestIds: ReadonlySet<string>): Promise<number> {
  if (requestIds.size === 0) return 0;
  const result = await client.query<{ marked: number }>(
    // Rows locked in id order, as the submitter's write-back does: the two mark the same rows at about the same
    // time, and in different orders they deadlocked (a 1 s stall for both, until PostgreSQL aborted one).
    `WITH locked AS MATERIALIZED (
       SELECT id FROM outbox_command
        WHERE request_id = ANY($1::text[]) AND projected_at IS NULL
        ORDER BY id FOR UPDATE
     ), marked AS (
       UPDATE outbox_command o SET projected_at = now(), updated_at = now()
         FROM locked l
        WHERE o.id = l.id AND o.projected_at IS NULL
        RETURNING o.id
     )
     SELECT count(pg_notify($2, id::text))::int AS marked FROM marked`,
    [[...requestIds], COMMAND_STATUS_CHANNEL],
  );
  return result.rows[0]?.marked ?? 0;
}
