/**
 * What `/admin/system` and `/readyz` report about the system, read from the database (no ledger call):
 * outbox backlog, projection lag and the schema level. Ledger reachability comes from an optional probe.
 */
import type pg from 'pg';

export interface ProjectorStatus {
  lastBlock: number | null;
  lagBlocks: number | null;
  lagMs: number | null;
}

/**
 * The most lagging projection. Lag counts blocks past the last one the projector has read (`scanned_block`:
 * blocks without its events count as read), not past the last one that carried its events. lagMs is the age of
 * the last applied block when the ledger has moved past it (0 when caught up), so an idle ledger never looks
 * like lag.
 */
export async function projectorStatus(db: pg.Pool): Promise<ProjectorStatus> {
  const result = await db.query<{ last_block: string | null; lag_blocks: string | null; lag_ms: string | null }>(
    `SELECT last_block,
            GREATEST(ledger_height - 1 - GREATEST(last_block, scanned_block, -1), 0) AS lag_blocks,
            CASE WHEN ledger_height - 1 > GREATEST(last_block, scanned_block, -1)
                 THEN (extract(epoch FROM now() - COALESCE(last_applied_at, updated_at)) * 1000)::bigint
                 ELSE 0 END AS lag_ms
       FROM projector_state
      ORDER BY lag_blocks DESC NULLS LAST
      LIMIT 1`,
  );
  const row = result.rows[0];
  if (!row) return { lastBlock: null, lagBlocks: null, lagMs: null };
  const num = (value: string | null) => (value === null ? null : Number(value));
  return { lastBlock: num(row.last_block), lagBlocks: num(row.lag_blocks), lagMs: num(row.lag_ms) };
}

/**
 * Ledger health as probed by the ledger client (injected; absent means unknown): whether its peer answers,
 * and whether a write can be endorsed (every organization the endorsement policy needs is up).
 */
export interface LedgerHealth {
  reachable: boolean;
  endorsable: boolean;
  latencyMs: number | null;
  error?: string;
}

/** What the API needs of the ledger client: a cheap probe that has a write endorsed (never submitted). */
export interface LedgerProbe {
  health(): Promise<{ reachable: boolean; endorsable: boolean; latencyMs: number; error?: string }>;
}

/** Probes the ledger with a deadline; an absent probe or a failure reports unreachable, never throws. */
export async function ledgerHealth(probe: LedgerProbe | undefined, timeoutMs = 2000): Promise<LedgerHealth> {
  if (!probe) return { reachable: false, endorsable: false, latencyMs: null, error: 'no ledger client configured' };
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    const health = await Promise.race([probe.health(), timeout]);
    return {
      reachable: health.reachable,
      endorsable: health.endorsable,
      latencyMs: health.latencyMs,
      ...(health.error ? { error: health.error } : {}),
    };
  } catch (error) {
    return { reachable: false, endorsable: false, latencyMs: null, error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
