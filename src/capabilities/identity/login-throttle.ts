/**
 * Per-account slowdown of repeated failed logins. After {@link FREE_FAILURES} failures in a row, each further
 * attempt must wait an exponentially growing delay (1 s, 2 s, 4 s … capped at 15 min) measured from the last
 * failure; a success resets the count. Unknown emails are throttled the same way in memory, so the answer
 * (429 with Retry-After) never tells whether an account exists.
 */
import type pg from 'pg';

export const FREE_FAILURES = 5;
const MAX_DELAY_MS = 15 * 60 * 1000;
/** Failures older than this no longer count. */
const FAILURE_MEMORY_MS = 60 * 60 * 1000;

/** Milliseconds the account must still wait before another attempt is considered (0 = may try now). */
export function loginDelayMs(failures: number, lastFailureAt: Date | null, now = Date.now()): number {
  if (failures < FREE_FAILURES || lastFailureAt === null) return 0;
  if (now - lastFailureAt.getTime() > FAILURE_MEMORY_MS) return 0;
  const delay = Math.min(1000 * 2 ** (failures - FREE_FAILURES), MAX_DELAY_MS);
  return Math.max(0, lastFailureAt.getTime() + delay - now);
}

export async function recordLoginFailure(db: pg.Pool, profileId: string): Promise<void> {
  await db.query(
    `UPDATE user_profile SET
       failed_login_count = CASE WHEN last_failed_login_at < now() - make_interval(secs => $2)
                                 THEN 1 ELSE failed_login_count + 1 END,
       last_failed_login_at = now()
     WHERE profile_id = $1`,
    [profileId, FAILURE_MEMORY_MS / 1000],
  );
}

export async function recordLoginSuccess(db: pg.Pool, profileId: string): Promise<void> {
  await db.query(
    `UPDATE user_profile SET failed_login_count = 0, last_failed_login_at = NULL
      WHERE profile_id = $1 AND failed_login_count <> 0`,
    [profileId],
  );
}

/** In-memory failure counts for emails that have no account (bounded: oldest entries are dropped). */
export class UnknownEmailThrottle {
  readonly #entries = new Map<string, { failures: number; last: Date }>();
  readonly #capacity: number;

  constructor(capacity = 10_000) {
    this.#capacity = capacity;
  }

  delayMs(email: string, now = Date.now()): number {
    const entry = this.#entries.get(email.toLowerCase());
    return entry ? loginDelayMs(entry.failures, entry.last, now) : 0;
  }

  recordFailure(email: string, now = Date.now()): void {
    const key = email.toLowerCase();
    const entry = this.#entries.get(key);
    const stale = entry === undefined || now - entry.last.getTime() > FAILURE_MEMORY_MS;
    this.#entries.delete(key);
    this.#entries.set(key, { failures: stale ? 1 : entry.failures + 1, last: new Date(now) });
    if (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }
}
