/**
 * Accounts: registration, credential checks with per-account throttling, and the first admin.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import { inTransaction } from '../../db/pool.js';
import { type LoginThrottle, recordLoginFailure, recordLoginSuccess } from './login-throttle.js';
import { hashPassword, passwordProblem, verifyAgainstDummy, verifyPassword } from './passwords.js';
import { findCredentials, insertProfile, type NewProfile, type Profile, type Role } from './profiles.js';
import { revokeOtherSessions } from './refresh-tokens.js';

export interface Registration {
  email: string;
  password: string;
  firstName: string;
  lastName: string;
  phoneNum: string;
  nationalityCountryCode: string;
  dateOfBirth: string;
  gender: string;
}

/** Creates a REGISTERED user profile; throws EmailTakenError. */
export async function registerUser(db: pg.Pool, registration: Registration): Promise<Profile> {
  const { password, ...rest } = registration;
  const profile: NewProfile = { ...rest, passwordHash: await hashPassword(password), role: 'user' };
  return insertProfile(db, profile);
}

/** How a login attempt ended. */
export type LoginOutcome =
  | { ok: true; profileId: string; role: Role }
  | { ok: false; reason: 'bad-credentials' }
  | { ok: false; reason: 'locked' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

/** Why a password change was refused: the field at fault and what is wrong with it. */
export class PasswordChangeRefusedError extends Error {
  constructor(
    readonly field: 'currentPassword' | 'newPassword',
    reason: string,
  ) {
    super(reason);
    this.name = 'PasswordChangeRefusedError';
  }
}

/**
 * Changes `profileId`'s password after checking the current one, and revokes every refresh token of the
 * account but the family of `keepRefreshToken` (the caller's own session), in one transaction: a stolen
 * session elsewhere ends with the change. The first admin is never reset from GX_ADMIN_PASSWORD afterwards
 * ({@link ensureFirstAdmin} only creates), so the configured password stops working. Throws
 * {@link PasswordChangeRefusedError}.
 */
export async function changePassword(
  db: pg.Pool,
  profileId: string,
  change: { currentPassword: string; newPassword: string; keepRefreshToken?: string | undefined },
): Promise<void> {
  const result = await db.query<{ email: string; first_name: string; last_name: string; password_hash: string }>(
    'SELECT email, first_name, last_name, password_hash FROM user_profile WHERE profile_id = $1',
    [profileId],
  );
  const account = result.rows[0];
  if (!account || !(await verifyPassword(account.password_hash, change.currentPassword))) {
    throw new PasswordChangeRefusedError('currentPassword', 'is not the current password');
  }
  if (change.newPassword === change.currentPassword) {
    throw new PasswordChangeRefusedError('newPassword', 'must differ from the current password');
  }
  const weak = passwordProblem(change.newPassword, [account.email, account.first_name, account.last_name]);
  if (weak) throw new PasswordChangeRefusedError('newPassword', weak);
  const passwordHash = await hashPassword(change.newPassword);
  await inTransaction(db, async (client) => {
    await client.query('UPDATE user_profile SET password_hash = $2, updated_at = now() WHERE profile_id = $1', [
      profileId,
      passwordHash,
    ]);
    await revokeOtherSessions(client, profileId, change.keepRefreshToken);
  });
}

/**
 * Checks credentials from `source` (the client's address key). Unknown email and wrong password give the same
 * outcome (after the same work), and an (account, source) or source over its failure allowance is `throttled`
 * without the password even being checked (login-throttle.ts).
 */
export async function checkCredentials(
  db: pg.Pool,
  throttle: LoginThrottle,
  email: string,
  password: string,
  source: string,
): Promise<LoginOutcome> {
  const delay = throttle.delayMs(email, source);
  if (delay > 0) return { ok: false, reason: 'throttled', retryAfterSeconds: Math.ceil(delay / 1000) };
  const credentials = await findCredentials(db, email);
  if (!credentials) {
    await verifyAgainstDummy(password);
    throttle.recordFailure(email, source);
    return { ok: false, reason: 'bad-credentials' };
  }
  if (!(await verifyPassword(credentials.passwordHash, password))) {
    throttle.recordFailure(email, source);
    await recordLoginFailure(db, credentials.profileId);
    return { ok: false, reason: 'bad-credentials' };
  }
  throttle.recordSuccess(email, source);
  await recordLoginSuccess(db, credentials.profileId);
  if (credentials.isLocked) return { ok: false, reason: 'locked' };
  return { ok: true, profileId: credentials.profileId, role: credentials.role };
}

/**
 * Creates the configured first admin, as the first super admin (docs/api.md, Roles), when no profile has that
 * email. An existing account of that email that is an admin (created so by a release before super admins) is
 * made super admin; any other existing account is left as it is (its password is not reset from
 * configuration, and a user who registered the email first gains nothing). Safe to run from several replicas
 * at once.
 */
export async function ensureFirstAdmin(
  db: pg.Pool,
  admin: { email: string; password: string },
  logger?: Logger,
): Promise<'created' | 'promoted' | 'exists'> {
  const outcome = await firstAdminOutcome(db, admin);
  logger?.info(
    { email: admin.email },
    {
      created: 'created the first super admin',
      promoted: 'made the first admin super admin',
      exists: 'first super admin exists',
    }[outcome],
  );
  return outcome;
}

async function firstAdminOutcome(
  db: pg.Pool,
  admin: { email: string; password: string },
): Promise<'created' | 'promoted' | 'exists'> {
  if (await findCredentials(db, admin.email)) {
    const promoted = await db.query(
      `UPDATE user_profile SET role = 'super_admin', updated_at = now()
        WHERE tenant_id = 'default' AND lower(email) = lower($1) AND role = 'admin'`,
      [admin.email],
    );
    return (promoted.rowCount ?? 0) > 0 ? 'promoted' : 'exists';
  }
  const passwordHash = await hashPassword(admin.password);
  const result = await db.query(
    `INSERT INTO user_profile (email, password_hash, role, first_name, last_name, status)
     VALUES ($1, $2, 'super_admin', 'Administrator', '', 'APPROVED')
     ON CONFLICT DO NOTHING`,
    [admin.email, passwordHash],
  );
  return (result.rowCount ?? 0) > 0 ? 'created' : 'exists';
}
