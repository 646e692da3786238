/**
 * Refresh tokens: random, stored only as SHA-256 hashes, rotated on every use. Each login starts a family;
 * presenting a token that was already rotated (or revoked) means it leaked, so the whole family is revoked
 * and every holder must log in again (OAuth 2.0 Security BCP, refresh token rotation).
 */
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { inTransaction } from '../../db/pool.js';

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Inserts a new refresh token for `profileId` in `familyId` (a new family when omitted); returns the token. */
export async function issueRefreshToken(
  db: pg.Pool | pg.ClientBase,
  profileId: string,
  ttlSeconds: number,
  familyId: string = randomUUID(),
  token: string = randomBytes(32).toString('base64url'),
): Promise<string> {
  await db.query(
    `INSERT INTO refresh_token (profile_id, family_id, token_hash, expires_at)
     VALUES ($1, $2, $3, now() + make_interval(secs => $4))`,
    [profileId, familyId, hashToken(token), ttlSeconds],
  );
  return token;
}

/** Why a refresh token was refused. */
export type RefreshRefusal = 'unknown' | 'expired' | 'revoked' | 'reused' | 'locked';

/**
 * The successor of a refresh token: derived from it with a server key, so a second use within the grace
 * period can answer the same successor (two tabs refreshing at once) although only hashes are stored. Without
 * the key nobody can derive it from a stolen token.
 */
function successorOf(token: string, key: string): string {
  return createHmac('sha256', key).update(`gx-refresh-successor\0${token}`).digest('base64url');
}

export interface RotationOptions {
  ttlSeconds: number;
  /** Server secret the successor is derived from. */
  key: string;
  /** Seconds after a rotation during which the old token yields the same successor (0 = none). */
  graceSeconds: number;
}

export class RefreshRefusedError extends Error {
  readonly reason: RefreshRefusal;
  constructor(reason: RefreshRefusal) {
    super(`refresh token refused: ${reason}`);
    this.name = 'RefreshRefusedError';
    this.reason = reason;
  }
}

/**
 * Exchanges a refresh token for a new one of the same family. Throws {@link RefreshRefusedError}; on reuse the
 * family is revoked (committed even though the call fails). The row lock serialises concurrent uses of one
 * token: the first rotates it, and a second within `graceSeconds` gets the same successor (two tabs of one
 * session); later, it is reuse. A locked account's token is refused untouched, so it works again after unlock.
 */
export async function rotateRefreshToken(
  pool: pg.Pool,
  token: string,
  options: RotationOptions,
): Promise<{ profileId: string; refreshToken: string }> {
  const outcome = await inTransaction(pool, async (client) => {
    const found = await client.query<{
      id: string;
      profile_id: string;
      family_id: string;
      expired: boolean;
      rotated_at: Date | null;
      in_grace: boolean;
      revoked_at: Date | null;
      is_locked: boolean | null;
    }>(
      `SELECT t.id, t.profile_id, t.family_id, t.expires_at <= now() AS expired, t.rotated_at,
              t.rotated_at > now() - make_interval(secs => $2) AS in_grace, t.revoked_at, p.is_locked
         FROM refresh_token t LEFT JOIN user_profile p ON p.profile_id = t.profile_id
        WHERE t.token_hash = $1 FOR UPDATE OF t`,
      [hashToken(token), options.graceSeconds],
    );
    const row = found.rows[0];
    if (!row) return { refused: 'unknown' as const };
    if (row.revoked_at !== null) return { refused: 'revoked' as const };
    if (row.is_locked !== false) return { refused: 'locked' as const };
    if (row.rotated_at !== null) {
      const successor = successorOf(token, options.key);
      if (row.in_grace) {
        const live = await client.query(
          `SELECT 1 FROM refresh_token WHERE token_hash = $1 AND family_id = $2
              AND rotated_at IS NULL AND revoked_at IS NULL AND expires_at > now()`,
          [hashToken(successor), row.family_id],
        );
        if ((live.rowCount ?? 0) > 0) return { profileId: row.profile_id, refreshToken: successor };
      }
      await client.query('UPDATE refresh_token SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL', [
        row.family_id,
      ]);
      return { refused: 'reused' as const };
    }
    if (row.expired) return { refused: 'expired' as const };
    await client.query('UPDATE refresh_token SET rotated_at = now() WHERE id = $1', [row.id]);
    const refreshToken = await issueRefreshToken(
      client,
      row.profile_id,
      options.ttlSeconds,
      row.family_id,
      successorOf(token, options.key),
    );
    return { profileId: row.profile_id, refreshToken };
  });
  if ('refused' in outcome) throw new RefreshRefusedError(outcome.refused as RefreshRefusal);
  return outcome;
}

/**
 * Logout: revokes the family of `token` when it belongs to `profileId`, or every token of the profile when
 * no token is given. Returns how many tokens were revoked.
 */
export async function revokeRefreshTokens(pool: pg.Pool, profileId: string, token?: string): Promise<number> {
  const result =
    token === undefined
      ? await pool.query('UPDATE refresh_token SET revoked_at = now() WHERE profile_id = $1 AND revoked_at IS NULL', [
          profileId,
        ])
      : await pool.query(
          `UPDATE refresh_token SET revoked_at = now()
            WHERE revoked_at IS NULL AND family_id = (
              SELECT family_id FROM refresh_token WHERE token_hash = $1 AND profile_id = $2)`,
          [hashToken(token), profileId],
        );
  return result.rowCount ?? 0;
}

/**
 * Revokes every refresh token of `profileId` but the family of `keepToken` (the caller's own session), in the
 * caller's transaction: what a password change does to the account's other sessions.
 */
export async function revokeOtherSessions(
  client: pg.ClientBase,
  profileId: string,
  keepToken: string | undefined,
): Promise<void> {
  await client.query(
    `UPDATE refresh_token SET revoked_at = now()
      WHERE profile_id = $1 AND revoked_at IS NULL
        AND family_id IS DISTINCT FROM (SELECT family_id FROM refresh_token WHERE token_hash = $2 AND profile_id = $1)`,
    [profileId, keepToken === undefined ? null : hashToken(keepToken)],
  );
}
