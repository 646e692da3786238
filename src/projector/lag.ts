/**
 * Projection lag as the database records it, without a ledger call: what `/readyz` and `/admin/system`
 * report (degraded, never failed, when the projection is behind).
 */
import type pg from 'pg';
import { DEFAULT_PROJECTION } from './projector.js';

export interface ProjectionLag {
  /** Last applied block, or null before the first event. */
  lastBlock: number | null;
  /** Last block read, events of ours or not (every event up to it applied), or null when not recorded. */
  scannedBlock: number | null;
  /** Ledger height as last seen by the active projector, or null when never seen. */
  ledgerHeight: number | null;
  /** Committed blocks not yet applied (0 when caught up or unknown). */
  lagBlocks: number;
  /** 0 when caught up; otherwise how long since the projector last applied a block (it is behind and stuck or catching up). */
  lagMs: number;
  lastAppliedAt: Date | null;
}

/** Reads the lag of `projection` from `projector_state`. */
export async function readProjectionLag(
  db: pg.Pool | pg.ClientBase,
  projection: string = DEFAULT_PROJECTION,
): Promise<ProjectionLag> {
  const result = await db.query<{
    last_block: string | null;
    scanned_block: string | null;
    ledger_height: string | null;
    last_applied_at: Date | null;
    lag_ms: number | null;
  }>(
    `SELECT last_block, scanned_block, ledger_height, last_applied_at,
            (extract(epoch FROM now() - COALESCE(last_applied_at, updated_at)) * 1000)::float8 AS lag_ms
       FROM projector_state WHERE name = $1`,
    [projection],
  );
  const row = result.rows[0];
  const lastBlock = row?.last_block == null ? null : Number(row.last_block);
  const ledgerHeight = row?.ledger_height == null ? null : Number(row.ledger_height);
  // Blocks read without events of ours count as done: lag is measured from the later of the two positions.
  const scannedBlock = row?.scanned_block == null ? null : Number(row.scanned_block);
  const through = Math.max(lastBlock ?? -1, scannedBlock ?? -1);
  const lagBlocks = ledgerHeight === null ? 0 : Math.max(0, ledgerHeight - 1 - through);
  return {
    lastBlock,
    scannedBlock,
    ledgerHeight,
    lagBlocks,
    lagMs: lagBlocks === 0 ? 0 : Math.max(0, Math.round(row?.lag_ms ?? 0)),
    lastAppliedAt: row?.last_applied_at ?? null,
  };
}
