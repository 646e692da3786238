/**
 * The projection's checkpoint in `projector_state`: the last applied event's position, the ledger height last
 * seen and when a block was last applied (the API computes lag from those two without asking the ledger).
 */
import type pg from 'pg';
import type { StreamPosition } from './position.js';

/** The checkpoint columns of a `projector_state` row. */
export interface CheckpointRow {
  last_block: string | null;
  last_tx_id: string | null;
  last_event_index: number | null;
}

/** The position a checkpoint row names; undefined before the first event. */
export function toPosition(row: CheckpointRow | undefined): StreamPosition | undefined {
  if (!row || row.last_block === null) return undefined;
  return {
    blockNumber: BigInt(row.last_block),
    eventIndex: row.last_event_index ?? 0,
    transactionId: row.last_tx_id ?? '',
  };
}

/** Creates the projection's row if it is missing, so it can be locked. */
export async function ensureCheckpointRow(client: pg.ClientBase | pg.Pool, projection: string): Promise<void> {
  await client.query('INSERT INTO projector_state (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [projection]);
}

/** The last applied position, or undefined before the first event. */
export async function readCheckpoint(
  client: pg.ClientBase | pg.Pool,
  projection: string,
): Promise<StreamPosition | undefined> {
  const result = await client.query<CheckpointRow>(
    'SELECT last_block, last_tx_id, last_event_index FROM projector_state WHERE name = $1',
    [projection],
  );
  return toPosition(result.rows[0]);
}

/**
 * Reads the checkpoint and locks its row until the transaction ends. Every batch starts with this, so two
 * writers of one projection (a replica that lost its lock and does not know it yet, or a rebuild switching
 * over) serialise here, and each sees what the other committed.
 */
export async function lockCheckpoint(client: pg.ClientBase, projection: string): Promise<StreamPosition | undefined> {
  const result = await client.query<CheckpointRow>(
    'SELECT last_block, last_tx_id, last_event_index FROM projector_state WHERE name = $1 FOR UPDATE',
    [projection],
  );
  if (result.rowCount === 0) throw new Error(`projector_state has no row for projection "${projection}"`);
  return toPosition(result.rows[0]);
}

/** Moves the checkpoint (in the batch's transaction) and records the ledger height known at that moment. */
export async function writeCheckpoint(
  client: pg.ClientBase,
  projection: string,
  position: StreamPosition,
  ledgerHeight: bigint | undefined,
): Promise<void> {
  await client.query(
    `UPDATE projector_state
        SET last_block = $2, last_tx_id = $3, last_event_index = $4,
            ledger_height = GREATEST(ledger_height, $5::bigint, $2::bigint + 1),
            last_applied_at = now(), updated_at = now()
      WHERE name = $1`,
    [
      projection,
      position.blockNumber.toString(),
      position.transactionId,
      position.eventIndex,
      ledgerHeight?.toString(),
    ],
  );
}

/**
 * Records the ledger height and the block read through (every block up to it read, and its events of ours
 * applied) without applying anything: blocks without events of ours count in both.
 */
export async function recordLedgerHeight(
  client: pg.ClientBase | pg.Pool,
  projection: string,
  ledgerHeight: bigint,
  scannedBlock?: bigint,
): Promise<void> {
  await client.query(
    `UPDATE projector_state
        SET ledger_height = $2, scanned_block = GREATEST(scanned_block, $3::bigint), updated_at = now()
      WHERE name = $1
        AND (ledger_height IS DISTINCT FROM $2::bigint OR scanned_block IS DISTINCT FROM GREATEST(scanned_block, $3::bigint))`,
    [projection, ledgerHeight.toString(), scannedBlock?.toString()],
  );
}
