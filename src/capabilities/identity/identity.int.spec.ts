import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, startTestApi, type TestApi } from '../../../test/support/api-server.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

const registration = (overrides: Record<string, unknown> = {}) => ({
  fname: 'Aisha',
  lname: 'Rahman',
  email: `reg-${Math.random().toString(36).slice(2)}@gx.test`,
  phoneNum: '+60123456789',
  password: 'correct horse battery',
  nationalityCountryCode: 'MY',
  dateOfBirth: '1990-05-17',
  gender: 'female',
  ...overrides,
});

describe('POST /api/v1/auth/register', () => {
  it('creates a REGISTERED, not-on-chain profile and a session', async () => {
    const body = registration();
    const response = await api.request('POST', '/api/v1/auth/register', { body });
    expect(response.status).toBe(201);
    expect(response.body.accessToken).toEqual(expect.any(String));
    expect(response.body.refreshToken).toEqual(expect.any(String));
    expect(response.body.user).toMatchObject({
      email: body.email,
      firstName: 'Aisha',
      lastName: 'Rahman',
      phoneNum: '+60123456789',
      nationalityCountryCode: 'MY',
      dateOfBirth: '1990-05-17',
      gender: 'female',
      status: 'REGISTERED',
      onchainStatus: 'NOT_REGISTERED',
      fabricUserId: null,
      isLocked: false,
      role: 'user',
    });
    expect(response.body.user.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(response.text).not.toContain('password');
    const stored = await api.db.pool.query('SELECT password_hash FROM user_profile WHERE profile_id = $1', [
      response.body.user.profileId,
    ]);
    expect(stored.rows[0].password_hash).toMatch(/^\$argon2id\$/);
  });

  it('answers 409 when the email is taken, whatever its case', async () => {
    const body = registration();
    expect((await api.request('POST', '/api/v1/auth/register', { body })).status).toBe(201);
    const again = await api.request('POST', '/api/v1/auth/register', {
      body: { ...body, email: body.email.toUpperCase() },
    });
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('EmailTaken');
  });

  it('answers 400 naming every bad field, and unknown fields', async () => {
    const response = await api.request('POST', '/api/v1/auth/register', {
      body: registration({
        email: 'not-an-email',
        dateOfBirth: '17/05/1990',
        gender: 'x',
        password: 'short',
        extra: 1,
      }),
    });
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('InvalidInput');
    const fields = response.body.details.map((detail: { field: string }) => detail.field).sort();
    expect(fields).toEqual(['dateOfBirth', 'email', 'extra', 'gender', 'password']);
  });

  it('answers 400 for a missing body and for malformed JSON', async () => {
    const missing = await api.request('POST', '/api/v1/auth/register', { rawBody: '{}' });
    expect(missing.status).toBe(400);
    expect(missing.body.details.length).toBeGreaterThanOrEqual(8);
    const malformed = await api.request('POST', '/api/v1/auth/register', { rawBody: '{"fname": ' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toBe('MalformedJson');
  });

  it('answers 415 for a body that is not JSON and 413 for one over the limit', async () => {
    const text = await api.request('POST', '/api/v1/auth/register', { rawBody: 'hello', contentType: 'text/plain' });
    expect(text.status).toBe(415);
    expect(text.body.error).toBe('UnsupportedMediaType');
    const form = await api.request('POST', '/api/v1/auth/register', {
      rawBody: 'a=1',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(415);
    const huge = await api.request('POST', '/api/v1/auth/register', {
      body: registration({ fname: 'x'.repeat(70_000) }),
    });
    expect(huge.status).toBe(413);
    expect(huge.body.error).toBe('PayloadTooLarge');
  });
});

describe('POST /api/v1/auth/login', () => {
  it('logs in with the right password, case-insensitively on the email', async () => {
    const user = await api.registerUser();
    const response = await api.request('POST', '/api/v1/auth/login', {
      body: { email: user.email.toUpperCase(), password: user.password },
    });
    expect(response.status).toBe(200);
    expect(response.body.user.profileId).toBe(user.profileId);
    expect(response.body.accessToken).toEqual(expect.any(String));
  });

  it('answers the same 401 for an unknown email and a wrong password', async () => {
    const user = await api.registerUser();
    const wrong = await api.request('POST', '/api/v1/auth/login', {
      body: { email: user.email, password: 'nope-nope' },
    });
    const unknown = await api.request('POST', '/api/v1/auth/login', {
      body: { email: 'nobody@gx.test', password: 'nope-nope' },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const strip = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });
    expect(strip(wrong.body)).toEqual(strip(unknown.body));
  });

  it('slows an account down after 5 failures (429 + Retry-After), even for the right password', async () => {
    const user = await api.registerUser();
    for (let i = 0; i < 5; i += 1) {
      const failure = await api.request('POST', '/api/v1/auth/login', {
        body: { email: user.email, password: 'wrong-pass' },
      });
      expect(failure.status).toBe(401);
    }
    const throttled = await api.request('POST', '/api/v1/auth/login', {
      body: { email: user.email, password: user.password },
    });
    expect(throttled.status).toBe(429);
    expect(throttled.body.error).toBe('TooManyLoginFailures');
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('throttles unknown emails the same way, so throttling does not reveal accounts', async () => {
    const email = 'ghost@gx.test';
    for (let i = 0; i < 5; i += 1) {
      expect(
        (await api.request('POST', '/api/v1/auth/login', { body: { email, password: 'wrong-pass' } })).status,
      ).toBe(401);
    }
    const throttled = await api.request('POST', '/api/v1/auth/login', { body: { email, password: 'wrong-pass' } });
    expect(throttled.status).toBe(429);
    expect(throttled.body.error).toBe('TooManyLoginFailures');
  });

  it('refuses a locked account with 403 after a correct password', async () => {
    const user = await api.registerUser();
    await api.db.pool.query('UPDATE user_profile SET is_locked = true WHERE profile_id = $1', [user.profileId]);
    const response = await api.request('POST', '/api/v1/auth/login', {
      body: { email: user.email, password: user.password },
    });
    expect(response.status).toBe(403);
    expect(response.body.error).toBe('AccountLocked');
  });
});

describe('refresh tokens', () => {
  it('rotate: a refresh gives a new pair and the old refresh token stops working', async () => {
    const user = await api.registerUser();
    const first = await api.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: user.refreshToken } });
    expect(first.status).toBe(200);
    expect(first.body.refreshToken).not.toBe(user.refreshToken);
    const me = await api.request('GET', '/api/v1/users/me', { token: first.body.accessToken });
    expect(me.status).toBe(200);
    const second = await api.request('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: first.body.refreshToken },
    });
    expect(second.status).toBe(200);
  });

  it('reuse of a rotated token (after the grace period) revokes the whole family', async () => {
    const user = await api.registerUser();
    const rotated = await api.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: user.refreshToken } });
    expect(rotated.status).toBe(200);
    // The rotation happened longer ago than the reuse grace (10 s by default).
    await api.db.pool.query(
      "UPDATE refresh_token SET rotated_at = now() - interval '1 minute' WHERE profile_id = $1 AND rotated_at IS NOT NULL",
      [user.profileId],
    );
    const reuse = await api.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: user.refreshToken } });
    expect(reuse.status).toBe(401);
    expect(reuse.body.error).toBe('InvalidRefreshToken');
    // The legitimate holder's newer token dies with the family.
    const newer = await api.request('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: rotated.body.refreshToken },
    });
    expect(newer.status).toBe(401);
    // Another login (another family) is unaffected.
    const login = await api.request('POST', '/api/v1/auth/login', {
      body: { email: user.email, password: user.password },
    });
    expect(login.status).toBe(200);
  });

  it('two concurrent uses of one token (two tabs): one rotation, both get the same successor', async () => {
    const user = await api.registerUser();
    const results = await Promise.all(
      [1, 2].map(() => api.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: user.refreshToken } })),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect(results[0]?.body.refreshToken).toBe(results[1]?.body.refreshToken);
    const rows = await api.db.pool.query('SELECT count(*)::int AS n FROM refresh_token WHERE profile_id = $1', [
      user.profileId,
    ]);
    expect(rows.rows[0].n).toBe(2);
    // The session goes on with that successor.
    const next = await api.request('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: results[0]?.body.refreshToken },
    });
    expect(next.status).toBe(200);
  });

  it('are stored hashed', async () => {
    const user = await api.registerUser();
    const rows = await api.db.pool.query('SELECT token_hash FROM refresh_token WHERE profile_id = $1', [
      user.profileId,
    ]);
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0].token_hash).not.toContain(user.refreshToken);
    expect(rows.rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answer 401 for an unknown token and 400 for a missing one', async () => {
    expect((await api.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: 'nope' } })).status).toBe(401);
    expect((await api.request('POST', '/api/v1/auth/refresh', { body: {} })).status).toBe(400);
  });
});

describe('POST /api/v1/auth/logout', () => {
  it('revokes the given refresh token (204)', async () => {
    const user = await api.registerUser();
    const response = await api.request('POST', '/api/v1/auth/logout', {
      token: user.accessToken,
      body: { refreshToken: user.refreshToken },
    });
    expect(response.status).toBe(204);
    const refresh = await api.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: user.refreshToken } });
    expect(refresh.status).toBe(401);
  });

  it('without a body revokes every refresh token of the caller', async () => {
    const user = await api.registerUser();
    const second = await api.request('POST', '/api/v1/auth/login', {
      body: { email: user.email, password: user.password },
    });
    expect((await api.request('POST', '/api/v1/auth/logout', { token: user.accessToken })).status).toBe(204);
    for (const token of [user.refreshToken, second.body.refreshToken]) {
      expect((await api.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: token } })).status).toBe(401);
    }
  });

  it("cannot revoke someone else's token", async () => {
    const [owner, other] = [await api.registerUser(), await api.registerUser()];
    await api.request('POST', '/api/v1/auth/logout', {
      token: other.accessToken,
      body: { refreshToken: owner.refreshToken },
    });
    const refresh = await api.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: owner.refreshToken } });
    expect(refresh.status).toBe(200);
  });
});

describe('profiles', () => {
  let user: Session;
  beforeAll(async () => {
    user = await api.registerUser();
  });

  it('GET /users/me and /users/:id show the profile of docs/api.md', async () => {
    const me = await api.request('GET', '/api/v1/users/me', { token: user.accessToken });
    expect(me.status).toBe(200);
    const byId = await api.request('GET', `/api/v1/users/${user.profileId}`, { token: user.accessToken });
    expect(byId.status).toBe(200);
    expect(byId.body).toEqual(me.body);
    for (const field of [
      'profileId',
      'email',
      'firstName',
      'lastName',
      'phoneNum',
      'nationalityCountryCode',
      'dateOfBirth',
      'gender',
      'status',
      'onchainStatus',
      'fabricUserId',
      'isLocked',
      'createdAt',
      'updatedAt',
      'onchainRegisteredAt',
    ]) {
      expect(byId.body).toHaveProperty(field);
    }
  });

  it('GET answers 400 for a malformed id and 404 for an unknown one (admin)', async () => {
    const admin = await api.admin();
    const bad = await api.request('GET', '/api/v1/users/not-a-uuid', { token: admin.accessToken });
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].field).toBe('profileId');
    const missing = await api.request('GET', '/api/v1/users/00000000-0000-4000-8000-000000000000', {
      token: admin.accessToken,
    });
    expect(missing.status).toBe(404);
  });

  it('PATCH changes off-chain fields only', async () => {
    const patched = await api.request('PATCH', `/api/v1/users/${user.profileId}`, {
      token: user.accessToken,
      body: { firstName: 'Aisyah', phoneNum: null },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ firstName: 'Aisyah', lastName: 'Rahman', phoneNum: null });
    const onchain = await api.request('PATCH', `/api/v1/users/${user.profileId}`, {
      token: user.accessToken,
      body: { fabricUserId: 'MY A3F HBF934 0ABCD 1234', status: 'APPROVED' },
    });
    expect(onchain.status).toBe(400);
    expect(onchain.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['fabricUserId', 'status']);
    const empty = await api.request('PATCH', `/api/v1/users/${user.profileId}`, { token: user.accessToken, body: {} });
    expect(empty.status).toBe(400);
  });
});

describe('KYC', () => {
  it('stores the document number encrypted (AES-256-GCM, key id kept) and shows the status', async () => {
    const user = await api.registerUser();
    const none = await api.request('GET', `/api/v1/users/${user.profileId}/kyc`, { token: user.accessToken });
    expect(none.status).toBe(404);
    const submitted = await api.request('POST', `/api/v1/users/${user.profileId}/kyc`, {
      token: user.accessToken,
      body: { documentType: 'PASSPORT', documentNumber: 'A12345678', documentCountry: 'MY' },
    });
    expect(submitted.status).toBe(201);
    expect(submitted.body).toMatchObject({ status: 'SUBMITTED', reviewedAt: null });
    expect(submitted.text).not.toContain('A12345678');
    const row = await api.db.pool.query(
      'SELECT document_number_encrypted, encryption_key_id FROM kyc_verification WHERE profile_id = $1',
      [user.profileId],
    );
    expect(row.rows[0].encryption_key_id).toBe('k1');
    expect(Buffer.from(row.rows[0].document_number_encrypted).toString('latin1')).not.toContain('A12345678');
    const status = await api.request('GET', `/api/v1/users/${user.profileId}/kyc`, { token: user.accessToken });
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({
      status: 'SUBMITTED',
      submittedAt: submitted.body.submittedAt,
      reviewedAt: null,
    });
  });

  it('answers 409 for a second submission under review and 400 for a bad one', async () => {
    const user = await api.registerUser();
    const body = { documentType: 'NATIONAL_ID', documentNumber: '900517-14-5566', documentCountry: 'MY' };
    expect(
      (await api.request('POST', `/api/v1/users/${user.profileId}/kyc`, { token: user.accessToken, body })).status,
    ).toBe(201);
    const again = await api.request('POST', `/api/v1/users/${user.profileId}/kyc`, { token: user.accessToken, body });
    expect(again.status).toBe(409);
    const bad = await api.request('POST', `/api/v1/users/${user.profileId}/kyc`, {
      token: user.accessToken,
      body: { documentType: 'LIBRARY_CARD', documentNumber: '', documentCountry: 'Malaysia' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'documentCountry',
      'documentNumber',
      'documentType',
    ]);
  });
});
