import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { createLogger } from '../observability/logger.js';
import { acquireLeadership } from './leadership.js';

const logger = createLogger({ level: 'silent', role: 'leadership-test' });
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.drop());

/** Backend pid of the session holding an advisory lock in this database. */
async function lockHolder(): Promise<number | undefined> {
  const result = await db.pool.query<{ pid: number }>(
    `SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database
      WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()`,
  );
  return result.rows[0]?.pid;
}

/** Sessions of this database waiting for an advisory lock (standbys). */
async function waitingForLock(): Promise<number | undefined> {
  const result = await db.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
      WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = current_database()`,
  );
  return result.rows[0]?.n;
}

describe('projection leadership', () => {
  it('gives the lock to one replica; the standby gets it when the leader’s session ends, and the leader learns it lost', async () => {
    const options = { clientConfig: { connectionString: db.url }, projection: 'spec', logger, probeIntervalMs: 100 };
    const never = new AbortController().signal;
    const leader = await acquireLeadership(options, never);
    expect(leader).toBeDefined();
    let standbyResolved = false;
    const standby = acquireLeadership(options, never).then((held) => {
      standbyResolved = true;
      return held;
    });
    await expect.poll(waitingForLock).toBe(1);
    expect(standbyResolved).toBe(false);

    // The database ends the leader's session (failover, admin, network): the lock passes on at once.
    await db.pool.query('SELECT pg_terminate_backend($1)', [await lockHolder()]);
    const next = await standby;
    expect(next).toBeDefined();
    await expect.poll(() => leader?.lost.aborted).toBe(true);
    expect(next?.lost.aborted).toBe(false);
    await next?.release();
    await leader?.release();
  });

  it('stops standing by when its signal aborts', async () => {
    const options = { clientConfig: { connectionString: db.url }, projection: 'spec-2', logger };
    const leader = await acquireLeadership(options, new AbortController().signal);
    const stop = new AbortController();
    const standby = acquireLeadership(options, stop.signal);
    stop.abort();
    await expect(standby).resolves.toBeUndefined();
    await leader?.release();
  });
});
