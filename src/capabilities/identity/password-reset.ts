/**
 * Password reset by mail (docs/api.md): a single-use token, valid for 30 minutes, stored only as a SHA-256
 * hash. Asking never reveals whether an account exists: the route answers before any of this runs
 * ({@link PasswordResetRequests}), and only accounts that can log in get a mail. Confirming sets the new
 * password (the policy of POST /auth/password) and revokes every session of the account.
 */
import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { inTransaction } from '../../db/pool.js';
import type { Mailer } from '../../mail/mailer.js';
import { hashPassword, passwordProblem } from './passwords.js';
import { findCredentials } from './profiles.js';
import { revokeOtherSessions } from './refresh-tokens.js';

export const RESET_TOKEN_TTL_MS = 30 * 60 * 1000;

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Why a confirmation was refused: the field at fault and what is wrong with it. */
export class PasswordResetRefusedError extends Error {
  constructor(
    readonly field: 'token' | 'newPassword',
    reason: string,
  ) {
    super(reason);
    this.name = 'PasswordResetRefusedError';
  }
}

export interface PasswordResetOptions {
  pool: pg.Pool;
  mailer: Mailer;
  /** The clock tokens expire by (injectable, so a test can move past 30 minutes without waiting). */
  now: () => Date;
  /** Where a failed token write or mail is reported (the asker never learns of it). */
  logger: { error(details: object, message: string): void };
}

/**
 * Issues a token and mails it when `email` belongs to an account that can log in (the login's rule: it
 * exists and is not locked); does nothing otherwise. Earlier unused tokens of the account stop working.
 */
export async function issuePasswordReset(options: PasswordResetOptions, email: string): Promise<void> {
  const credentials = await findCredentials(options.pool, email);
  if (!credentials || credentials.isLocked) return;
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(options.now().getTime() + RESET_TOKEN_TTL_MS);
  await inTransaction(options.pool, async (client) => {
    await client.query('DELETE FROM password_reset_token WHERE profile_id = $1 AND used_at IS NULL', [
      credentials.profileId,
    ]);
    await client.query('INSERT INTO password_reset_token (token_hash, profile_id, expires_at) VALUES ($1, $2, $3)', [
      hashToken(token),
      credentials.profileId,
      expiresAt,
    ]);
  });
  await options.mailer.send({
    to: email,
    subject: 'Reset your GX Protocol password',
    text:
      'Someone asked to reset the password of this GX Protocol account. If it was you, use this token ' +
      `within 30 minutes (it works once):\n\n${token}\n\nIf it was not you, ignore this message: your password ` +
      'stays as it is.',
  });
}

/**
 * Background queue for reset requests: the route answers 202 at once and the lookup, token and mail happen
 * here, one request after another, so neither the answer nor its timing depends on whether the account
 * exists. Failures are logged, never reported to the asker.
 */
export class PasswordResetRequests {
  #tail: Promise<void> = Promise.resolve();

  constructor(private readonly options: PasswordResetOptions) {}

  enqueue(email: string): void {
    this.#tail = this.#tail.then(() =>
      issuePasswordReset(this.options, email).catch((error: unknown) =>
        this.options.logger.error({ err: error }, 'password reset: token or mail failed'),
      ),
    );
  }

  /** Resolves once every request enqueued so far was handled (graceful shutdown, tests). */
  idle(): Promise<void> {
    return this.#tail;
  }
}

/**
 * Sets a new password with a reset token: unknown, used or expired tokens are refused (naming `token`), a weak
 * password too (naming `newPassword`, by the rule of POST /auth/password). In one transaction the token is
 * spent, the password set and every refresh token of the account revoked.
 */
export async function confirmPasswordReset(
  options: Pick<PasswordResetOptions, 'pool' | 'now'>,
  token: string,
  newPassword: string,
): Promise<void> {
  const tokenHash = hashToken(token);
  const found = await options.pool.query<{
    profile_id: string;
    expires_at: Date;
    used_at: Date | null;
    email: string;
    first_name: string;
    last_name: string;
  }>(
    `SELECT t.profile_id, t.expires_at, t.used_at, p.email, p.first_name, p.last_name
       FROM password_reset_token t JOIN user_profile p USING (profile_id)
      WHERE t.token_hash = $1`,
    [tokenHash],
  );
  const row = found.rows[0];
  if (!row) throw new PasswordResetRefusedError('token', 'is not a valid reset token');
  if (row.used_at !== null) throw new PasswordResetRefusedError('token', 'has already been used');
  if (row.expires_at.getTime() <= options.now().getTime()) {
    throw new PasswordResetRefusedError('token', 'has expired; ask for a new one');
  }
  const weak = passwordProblem(newPassword, [row.email, row.first_name, row.last_name]);
  if (weak) throw new PasswordResetRefusedError('newPassword', weak);
  const passwordHash = await hashPassword(newPassword);
  await inTransaction(options.pool, async (client) => {
    // Spent here, under the row lock of this UPDATE: of two concurrent confirmations only one finds it unused.
    const spent = await client.query(
      'UPDATE password_reset_token SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL',
      [tokenHash],
    );
    if ((spent.rowCount ?? 0) === 0) throw new PasswordResetRefusedError('token', 'has already been used');
    await client.query('UPDATE user_profile SET password_hash = $2, updated_at = now() WHERE profile_id = $1', [
      row.profile_id,
      passwordHash,
    ]);
    // No session is kept: whoever asked for the reset logs in again with the new password.
    await revokeOtherSessions(client, row.profile_id, undefined);
  });
}
