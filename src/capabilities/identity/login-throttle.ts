/**
 * Slowdown of repeated failed logins, as OWASP's authentication guidance describes: counted per (account,
 * source) and per source, never per account alone, so an attacker who fails on purpose slows down only
 * themselves and the owner can still log in from elsewhere (a per-account lockout lets anyone keep a user out).
 * Past its allowance a key must wait a delay that doubles with each failure (1 s, 2 s, 4 s … capped at 15 min)
 * from its last failure; a success clears its (account, source) count. Unknown emails count alike, so the
 * answer (429 with Retry-After) never tells whether an account exists. A source is a client address (IPv6 by
 * /64, src/http/client-address.ts). Guessing one password across many sources is met by the password policy
 * (passwords.ts) and the per-IP limits of the credential routes.
 *
 * Counts live in process memory, bounded (oldest keys go first): each API replica counts on its own.
 */
import type pg from 'pg';

export const FREE_FAILURES = 5;
const MAX_DELAY_MS = 15 * 60 * 1000;
/** Failures older than this no longer count. */
const FAILURE_MEMORY_MS = 60 * 60 * 1000;

/** Milliseconds a key must still wait before another attempt is considered (0 = may try now). */
export function loginDelayMs(
  failures: number,
  lastFailureAt: Date | null,
  now = Date.now(),
  free = FREE_FAILURES,
): number {
  if (failures < free || lastFailureAt === null) return 0;
  if (now - lastFailureAt.getTime() > FAILURE_MEMORY_MS) return 0;
  const delay = Math.min(1000 * 2 ** (failures - free), MAX_DELAY_MS);
  return Math.max(0, lastFailureAt.getTime() + delay - now);
}

/** Kept on the profile for administrators (how often its logins fail); throttling does not read it. */
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

export interface LoginThrottleLimits {
  /** Failures allowed per (account, source) before the backoff. */
  perAccountSource: number;
  /** Failures allowed per source, over all accounts (password spraying from one address). */
  perSource: number;
}

/** Failure counts by (account, source) and by source. */
export class LoginThrottle {
  readonly #entries = new Map<string, { failures: number; last: Date }>();
  readonly #limits: LoginThrottleLimits;
  readonly #capacity: number;

  constructor(limits: LoginThrottleLimits = { perAccountSource: FREE_FAILURES, perSource: 50 }, capacity = 100_000) {
    this.#limits = limits;
    this.#capacity = capacity;
  }

  /** How long `source` must wait before trying `account` again (ms; 0 = now). */
  delayMs(account: string, source: string, now = Date.now()): number {
    return Math.max(
      this.#delay(pairKey(account, source), this.#limits.perAccountSource, now),
      this.#delay(`source ${source}`, this.#limits.perSource, now),
    );
  }

  recordFailure(account: string, source: string, now = Date.now()): void {
    this.#bump(pairKey(account, source), now);
    this.#bump(`source ${source}`, now);
  }

  /** The owner got in from here: this pair starts afresh (the source's count stays: it may spray others). */
  recordSuccess(account: string, source: string): void {
    this.#entries.delete(pairKey(account, source));
  }

  #delay(key: string, free: number, now: number): number {
    const entry = this.#entries.get(key);
    return entry ? loginDelayMs(entry.failures, entry.last, now, free) : 0;
  }

  #bump(key: string, now: number): void {
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

function pairKey(account: string, source: string): string {
  return `account ${account.toLowerCase()} source ${source}`;
}
