/**
 * Deletes expired idempotency keys and refresh tokens, which nothing reads once expired but which would
 * otherwise grow without bound. The API owns both tables (only its database role may delete from them), so
 * every API process runs the purge every `GX_PURGE_INTERVAL_MS`; several replicas at once only share the work
 * (rows another purge holds are skipped), and each round deletes in bounded batches so that no statement holds
 * many row locks for long.
 */
import type pg from 'pg';
import type { Logger } from '../observability/logger.js';

const BATCH = 5_000;

export interface PurgedRows {
  idempotencyKeys: number;
  refreshTokens: number;
}

/** Deletes the expired rows of `table`, naming them by its key columns `key`, a batch at a time. */
async function purgeTable(pool: pg.Pool, table: string, key: string): Promise<number> {
  let total = 0;
  while (true) {
    const result = await pool.query(
      `DELETE FROM ${table} WHERE (${key}) IN (
         SELECT ${key} FROM ${table} WHERE expires_at < now() LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)`,
    );
    total += result.rowCount ?? 0;
    if ((result.rowCount ?? 0) < BATCH) return total;
  }
}

/** Deletes every expired idempotency key and refresh token; returns how many of each. */
export async function purgeExpired(pool: pg.Pool): Promise<PurgedRows> {
  return {
    idempotencyKeys: await purgeTable(pool, 'idempotency_key', 'principal, key'),
    refreshTokens: await purgeTable(pool, 'refresh_token', 'id'),
  };
}

/**
 * Purges now and then every `intervalMs` (0: never) until the returned stop is called. A failed round is
 * logged and the next one tries again.
 */
export function scheduleExpiryPurge(pool: pg.Pool, intervalMs: number, logger: Logger): () => void {
  if (intervalMs === 0) return () => undefined;
  let running: Promise<void> | undefined;
  const round = () => {
    if (running) return;
    running = purgeExpired(pool)
      .then(
        (purged) => {
          if (purged.idempotencyKeys + purged.refreshTokens > 0) logger.info(purged, 'purged expired rows');
        },
        (error: unknown) => logger.warn({ err: error }, 'purging expired idempotency keys and refresh tokens failed'),
      )
      .finally(() => {
        running = undefined;
      });
  };
  round();
  const timer = setInterval(round, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
