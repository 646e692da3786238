/**
 * What authentication needs to know about an account on every request: that it exists, its role and whether
 * it is locked. Access tokens are stateless, so without this a locked account's token, or an admin token of
 * a deleted account, would be honoured until it expires.
 */
import type pg from 'pg';
import type { Role } from '../../http/auth.js';
import { barredStatuses } from './account-status.js';

export interface AccountState {
  role: Role;
  isLocked: boolean;
}

/** The states of the accounts that exist among `profileIds` (one query for a batch). */
export async function findAccountStates(
  db: Pick<pg.Pool, 'query'>,
  profileIds: readonly string[],
): Promise<Map<string, AccountState>> {
  const result = await db.query<{ profile_id: string; role: Role; is_locked: boolean }>({
    name: 'gx-account-states',
    // A suspended or closed account's access tokens stop working like a locked one's.
    text: `SELECT profile_id, role, is_locked OR account_status = ANY($2::text[]) AS is_locked
             FROM user_profile WHERE profile_id = ANY($1::uuid[])`,
    values: [profileIds, barredStatuses],
  });
  return new Map(result.rows.map((row) => [row.profile_id, { role: row.role, isLocked: row.is_locked }]));
}
