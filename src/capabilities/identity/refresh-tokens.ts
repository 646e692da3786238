/**
 * Refresh tokens: random, stored only as SHA-256 hashes, rotated on every use. Each login starts a family;
 * presenting a token that was already rotated (or revoked) means it leaked, so the whole family is revoked
 * and every holder must log in again (OAuth 2.0 Security BCP, refresh token rotation).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
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
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.query(
    `INSERT INTO refresh_token (profile_id, family_id, token_hash, expires_at)
     VALUES ($1, $2, $3, now() + make_interval(secs => $4))`,
    [profileId, familyId, hashToken(token), ttlSeconds],
  );
  return token;
}

/** Why a refresh token was refused. */
export type RefreshRefusal = 'unknown' | 'expired' | 'revoked' | 'reused';

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
 * family is revoked (committed even though the call fails). The row lock makes two concurrent uses of one
 * token resolve as one rotation and one reuse.
 */
export async function rotateRefreshToken(
  pool: pg.Pool,
  token: string,
  ttlSeconds: number,
): Promise<{ profileId: string; refreshToken: string }> {
  const outcome = await inTransaction(pool, async (client) => {
    const found = await client.query<{
      id: string;
      profile_id: string;
      family_id: string;
      expired: boolean;
      rotated_at: Date | null;
      revoked_at: Date | null;
    }>(
      `SELECT id, profile_id, family_id, expires_at <= now() AS expired, rotated_at, revoked_at
         FROM refresh_token WHERE token_hash = $1 FOR UPDATE`,
      [hashToken(token)],
    );
    const row = found.rows[0];
    if (!row) return { refused: 'unknown' as const };
    if (row.rotated_at !== null) {
      await client.query('UPDATE refresh_token SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL', [
        row.family_id,
      ]);
      return { refused: 'reused' as const };
    }
    if (row.revoked_at !== null) return { refused: 'revoked' as const };
    if (row.expired) return { refused: 'expired' as const };
    await client.query('UPDATE refresh_token SET rotated_at = now() WHERE id = $1', [row.id]);
    const refreshToken = await issueRefreshToken(client, row.profile_id, ttlSeconds, row.family_id);
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
