/**
 * Password reset by mail (docs/api.md): POST /auth/password-reset answers 202 for any email and mails a
 * single-use, 30-minute token only to an account that can log in; POST /auth/password-reset/confirm sets the
 * password and revokes every session. The mail is read back from the dev mailbox over GET /dev/mail, and the
 * API's clock is injected, so expiry is tested by moving it rather than by waiting.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Session, startTestApi, type TestApi } from '../../../test/support/api-server.js';
import { loadConfig } from '../../config.js';
import { DevMailbox } from '../../mail/dev-mailbox.js';
import { mailSetup } from '../../mail/mail-setup.js';
import { RESET_TOKEN_TTL_MS } from './password-reset.js';

let api: TestApi;
let clock = new Date('2026-06-01T12:00:00Z');
const mailbox = new DevMailbox(() => clock);
const strong = 'Quiet harbour lanterns 94!';

beforeAll(async () => {
  api = await startTestApi({ mailer: mailbox, devMailbox: mailbox, now: () => clock });
});
afterAll(() => api?.close());

const ask = (email: unknown) => api.request('POST', '/api/v1/auth/password-reset', { body: { email } });
const confirm = (token: unknown, newPassword: unknown) =>
  api.request('POST', '/api/v1/auth/password-reset/confirm', { body: { token, newPassword } });
const login = (email: string, password: string) =>
  api.request('POST', '/api/v1/auth/login', { body: { email, password } });
const mailTo = async (email: string): Promise<Array<{ subject: string; text: string }>> =>
  (await api.request('GET', `/dev/mail?to=${encodeURIComponent(email)}`)).body.items;

/** Asks for a reset of `user` and returns the token of the mail it then receives. */
async function resetToken(user: Session): Promise<string> {
  const before = (await mailTo(user.email)).length;
  expect((await ask(user.email)).status).toBe(202);
  const mail = await vi.waitFor(async () => {
    const items = await mailTo(user.email);
    if (items.length === before) throw new Error('no mail yet');
    return items[0]!;
  });
  const token = /^([A-Za-z0-9_-]{43})$/m.exec(mail.text)?.[1];
  expect(token, mail.text).toBeDefined();
  return token!;
}

describe('POST /api/v1/auth/password-reset and /confirm', () => {
  it('mails a token that sets a new password and revokes every session', async () => {
    const user = await api.registerUser();
    const otherDevice = (await login(user.email, user.password)).body;
    const token = await resetToken(user);
    expect((await mailTo(user.email))[0]?.subject).toBe('Reset your GX Protocol password');

    const done = await confirm(token, strong);
    expect(done.status, done.text).toBe(204);
    expect((await login(user.email, user.password)).status).toBe(401);
    expect((await login(user.email, strong)).status).toBe(200);
    for (const refreshToken of [user.refreshToken, otherDevice.refreshToken]) {
      expect((await api.request('POST', '/api/v1/auth/refresh', { body: { refreshToken } })).status).toBe(401);
    }
    // Only a hash of the token is stored.
    const stored = await api.db.pool.query<{ token_hash: string }>(
      'SELECT token_hash FROM password_reset_token WHERE profile_id = $1',
      [user.profileId],
    );
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0]?.token_hash).not.toContain(token);
  });

  it('refuses a used token, naming `token`, and changes nothing', async () => {
    const user = await api.registerUser();
    const token = await resetToken(user);
    expect((await confirm(token, strong)).status).toBe(204);
    const again = await confirm(token, 'Another lantern harbour 55?');
    expect(again.status).toBe(400);
    expect(again.body.details).toEqual([{ field: 'token', message: 'has already been used' }]);
    expect((await login(user.email, strong)).status).toBe(200);
  });

  it('refuses a token past 30 minutes, naming `token`; one just inside them works', async () => {
    const user = await api.registerUser();
    const token = await resetToken(user);
    clock = new Date(clock.getTime() + RESET_TOKEN_TTL_MS);
    const expired = await confirm(token, strong);
    expect(expired.status).toBe(400);
    expect(expired.body.details).toEqual([{ field: 'token', message: 'has expired; ask for a new one' }]);
    expect((await login(user.email, user.password)).status).toBe(200);

    const fresh = await resetToken(user);
    clock = new Date(clock.getTime() + RESET_TOKEN_TTL_MS - 1000);
    expect((await confirm(fresh, strong)).status).toBe(204);
  });

  it('refuses a weak password as /auth/password does, naming `newPassword`, and keeps the token usable', async () => {
    const user = await api.registerUser();
    const token = await resetToken(user);
    for (const weak of ['password123', user.email]) {
      const refused = await confirm(token, weak);
      expect(refused.status).toBe(400);
      expect(refused.body.details.map((detail: { field: string }) => detail.field)).toEqual(['newPassword']);
    }
    expect((await confirm(token, strong)).status).toBe(204);
  });

  it('a new request makes the earlier token void', async () => {
    const user = await api.registerUser();
    const first = await resetToken(user);
    const second = await resetToken(user);
    expect((await confirm(first, strong)).body.details).toEqual([
      { field: 'token', message: 'is not a valid reset token' },
    ]);
    expect((await confirm(second, strong)).status).toBe(204);
  });

  it('answers an unknown or locked account exactly as a known one, and mails neither', async () => {
    const known = await api.registerUser();
    const locked = await api.registerUser();
    await api.db.pool.query('UPDATE user_profile SET is_locked = true WHERE profile_id = $1', [locked.profileId]);
    const unknown = `nobody-${Date.now()}@gx.test`;
    const answers = [await ask(unknown), await ask(locked.email)];
    // Requests are handled in order: once the known account's mail is there, the two before it were handled.
    await resetToken(known);
    const reference = await ask(known.email);
    for (const answer of answers) expect([answer.status, answer.body]).toEqual([reference.status, reference.body]);
    expect(await mailTo(unknown)).toEqual([]);
    expect(await mailTo(locked.email)).toEqual([]);
    const tokens = await api.db.pool.query('SELECT 1 FROM password_reset_token WHERE profile_id = $1', [
      locked.profileId,
    ]);
    expect(tokens.rowCount).toBe(0);
  });

  it('refuses bad input with a 400 naming the field', async () => {
    const fieldsOf = (response: { body: { details: Array<{ field: string }> } }) =>
      response.body.details.map((detail) => detail.field);
    expect(fieldsOf(await ask('not an email'))).toEqual(['email']);
    expect(fieldsOf(await ask(undefined))).toEqual(['email']);
    const extra = await api.request('POST', '/api/v1/auth/password-reset', {
      body: { email: 'a@gx.test', admin: true },
    });
    expect([extra.status, fieldsOf(extra)]).toEqual([400, ['admin']]);
    expect(fieldsOf(await confirm('', strong))).toEqual(['token']);
    expect(fieldsOf(await confirm('x'.repeat(43), 'short'))).toEqual(['newPassword']);
    const unknownToken = await confirm('x'.repeat(43), strong);
    expect([unknownToken.status, fieldsOf(unknownToken)]).toEqual([400, ['token']]);
  });
});

describe('limits and configuration', () => {
  it('rate-limits both endpoints per IP like the other auth endpoints', async () => {
    const limited = await startTestApi({
      mailer: new DevMailbox(),
      rateLimits: { perIp: 0, perUser: 0, authPerIp: 2, windowMs: 60_000 },
    });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i += 1) {
        statuses.push(
          (await limited.request('POST', '/api/v1/auth/password-reset', { body: { email: 'a@gx.test' } })).status,
        );
      }
      expect(statuses).toEqual([202, 202, 429]);
      const confirmLimited = await limited.request('POST', '/api/v1/auth/password-reset/confirm', {
        body: { token: 'x', newPassword: strong },
      });
      expect(confirmLimited.status).toBe(429);
    } finally {
      await limited.close();
    }
  });

  it('production without GX_SMTP_URL: no reset routes and no /dev/mail (404); development keeps a dev mailbox', async () => {
    const production = mailSetup(loadConfig({ NODE_ENV: 'production' }));
    expect(production.mailer).toBeUndefined();
    const prodApi = await startTestApi({ mailer: production.mailer, devMailbox: production.devMailbox });
    try {
      expect((await prodApi.request('GET', '/dev/mail')).status).toBe(404);
      expect(
        (await prodApi.request('POST', '/api/v1/auth/password-reset', { body: { email: 'a@gx.test' } })).status,
      ).toBe(404);
    } finally {
      await prodApi.close();
    }
    const withSmtp = mailSetup(loadConfig({ NODE_ENV: 'production', GX_SMTP_URL: 'smtp://mail.example.com:587' }));
    try {
      expect(withSmtp.mailer).toBeDefined();
      expect(withSmtp.devMailbox).toBeUndefined();
    } finally {
      withSmtp.close();
    }
    const development = mailSetup(loadConfig({}));
    expect(development.devMailbox).toBeDefined();
    expect(development.mailer).toBe(development.devMailbox);
  });
});
