/**
 * One active projector per projection (and one active scheduler, under its own lock name), elected with a
 * PostgreSQL session advisory lock held on a dedicated connection. Standbys block in `pg_advisory_lock`; when
 * the active replica dies its connection closes, the server releases the lock and one standby's call returns
 * at once (no lease to expire, no polling delay).
 *
 * The lock alone cannot stop a replica that lost its connection from finishing the batch it is writing; the
 * checkpoint row lock and position check in every batch (apply-batch.ts) make that harmless.
 */
import pg from 'pg';
import type { Logger } from '../observability/logger.js';

/** Held leadership of one projection. */
export interface Leadership {
  /** Aborts when the lock's connection fails: the replica must stop applying at once. */
  lost: AbortSignal;
  /** Releases the lock (closing its connection). */
  release(): Promise<void>;
}

/** Whose lock: a projection's (`gx-projector:<projection>`), or another role's by its full name (the scheduler's). */
export type LeadershipOptions = {
  clientConfig: pg.ClientConfig;
  logger: Logger;
  /** How often the held connection is probed, so a silently dead one is noticed; default 2 s. */
  probeIntervalMs?: number;
} & ({ projection: string } | { lockName: string });

function lockName(options: LeadershipOptions): string {
  return 'lockName' in options ? options.lockName : `gx-projector:${options.projection}`;
}

/**
 * Waits until this replica holds the projection's lock (standing by meanwhile). Resolves undefined when
 * `signal` aborts first. Throws when the database cannot be reached (the caller retries).
 */
export async function acquireLeadership(
  options: LeadershipOptions,
  signal: AbortSignal,
): Promise<Leadership | undefined> {
  const client = new pg.Client({
    ...options.clientConfig,
    application_name: 'lockName' in options ? `${options.lockName}-lock` : 'gx-projector-lock',
    // Both ends must notice a vanished peer within seconds, not after the OS's two-hour keepalive default:
    // the server to release the lock to a standby, this replica to stop applying.
    keepAlive: true,
    keepAliveInitialDelayMillis: 5_000,
    options: [
      options.clientConfig.options,
      '-c tcp_keepalives_idle=5 -c tcp_keepalives_interval=2 -c tcp_keepalives_count=3',
    ]
      .filter(Boolean)
      .join(' '),
  });
  const lost = new AbortController();
  client.on('error', (error) => {
    options.logger.warn({ err: error }, 'projection lock connection failed');
    lost.abort(error);
  });
  client.on('end', () => lost.abort(new Error('projection lock connection closed')));
  await client.connect();
  const onAbort = () => void client.end().catch(() => undefined);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    if (signal.aborted) return undefined;
    await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [lockName(options)]);
  } catch (error) {
    await client.end().catch(() => undefined);
    if (signal.aborted) return undefined;
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }

  const probeIntervalMs = options.probeIntervalMs ?? 2000;
  let unanswered = 0;
  const probe = setInterval(() => {
    if (unanswered > 0) {
      // A probe has been outstanding for three intervals: the connection is as good as dead. (Fewer would
      // give up leadership on a merely overloaded machine.)
      if (++unanswered > 3)
        lost.abort(new Error(`projection lock connection unresponsive for ${3 * probeIntervalMs} ms`));
      return;
    }
    unanswered = 1;
    client.query('SELECT 1').then(
      () => {
        unanswered = 0;
      },
      (error: unknown) => lost.abort(error),
    );
  }, probeIntervalMs);
  probe.unref();
  lost.signal.addEventListener('abort', () => clearInterval(probe), { once: true });
  return {
    lost: lost.signal,
    async release() {
      clearInterval(probe);
      // Ending the session releases every advisory lock it holds.
      await client.end().catch(() => undefined);
    },
  };
}

/** Tries once to take an exclusive lock named `name` on its own connection; undefined if another holds it. */
export async function tryExclusiveLock(
  clientConfig: pg.ClientConfig,
  name: string,
): Promise<{ release(): Promise<void> } | undefined> {
  const client = new pg.Client({ ...clientConfig, keepAlive: true });
  client.on('error', () => undefined);
  await client.connect();
  const result = await client.query<{ locked: boolean }>(
    'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
    [name],
  );
  if (!result.rows[0]?.locked) {
    await client.end();
    return undefined;
  }
  return { release: () => client.end().catch(() => undefined) };
}
