/**
 * The exactly-once step: a transaction's id and signed bytes are written to its row, which becomes SUBMITTED,
 * BEFORE the bytes go to the orderer. Whatever happens afterwards (crash, lost connection), whoever resolves
 * the row later has the very bytes that may be on the ledger, and can only resubmit those.
 */
import type pg from 'pg';
import { COMMAND_STATUS_CHANNEL } from './channels.js';

export interface SignedTransactionRecord {
  id: string;
  fabricTxId: string;
  signedTx: Uint8Array;
}

/**
 * Stores a batch of signed transactions on rows `workerId` still holds. Returns the ids stored: a row missing
 * from the answer was taken over by another submitter (this one was presumed dead) and must NOT be submitted.
 */
export async function storeSignedTransactions(
  pool: pg.Pool,
  workerId: string,
  records: readonly SignedTransactionRecord[],
): Promise<Set<string>> {
  const starts: number[] = [];
  let start = 1;
  for (const record of records) {
    starts.push(start);
    start += record.signedTx.byteLength;
  }
  const result = await pool.query<{ id: string }>({
    // Prepared once per connection: the statement is planned once, not per batch.
    name: 'gx-submitter-store-signed',
    text: `WITH input AS (
       -- All the batch's bytes travel as ONE bytea parameter, which node-postgres sends in binary (an array of
       -- bytea would go as hex text, and base64 text needs encoding here and decoding there); each row's bytes
       -- are cut out of it by offset and length.
       SELECT i.id, i.fabric_tx_id, substring($4::bytea FROM i.start FOR i.length) AS signed_tx
         FROM unnest($2::uuid[], $3::text[], $5::int[], $6::int[]) AS i(id, fabric_tx_id, start, length)
     ), stored AS (
       UPDATE outbox_command o
          SET status = 'SUBMITTED',
              fabric_tx_id = i.fabric_tx_id,
              signed_tx = i.signed_tx,
              updated_at = now()
         FROM input i
        -- Rows found by primary key (= ANY): a join on the input alone can be planned as a scan of the table
        -- per input row, whose cost grows with the table (measured: 4x the whole statement's cost).
        WHERE o.id = ANY($2::uuid[]) AND o.id = i.id AND o.locked_by = $1::text AND o.next_attempt_at IS NULL
       RETURNING o.id
     )
     SELECT id, pg_notify('${COMMAND_STATUS_CHANNEL}', id::text) FROM stored`,
    values: [
      workerId,
      records.map((record) => record.id),
      records.map((record) => record.fabricTxId),
      Buffer.concat(records.map((record) => record.signedTx)),
      starts,
      records.map((record) => record.signedTx.byteLength),
    ],
  });
  return new Set(result.rows.map((row) => row.id));
}
