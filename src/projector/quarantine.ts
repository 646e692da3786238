/** Events the projector could not apply, kept in `projector_rejected_event` for inspection and skipped. */
import type pg from 'pg';
import type { SourceEvent } from './source.js';

/** Records a rejected event in the caller's transaction; recording the same transaction twice is a no-op. */
export async function quarantineEvent(
  client: pg.ClientBase,
  projection: string,
  event: SourceEvent,
  reason: string,
): Promise<void> {
  await client.query(
    `INSERT INTO projector_rejected_event (projection, block_number, tx_id, event_name, payload, reason)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (projection, tx_id) DO NOTHING`,
    [
      projection,
      event.blockNumber.toString(),
      event.transactionId,
      event.eventName,
      Buffer.from(event.payload),
      reason,
    ],
  );
}
