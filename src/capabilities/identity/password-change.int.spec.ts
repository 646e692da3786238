/**
 * POST /api/v1/auth/password (issue 29, docs/api.md v2): the caller changes their password; every other
 * session's refresh tokens are revoked; the configured GX_ADMIN_PASSWORD stops working once the first admin
 * changed it (the start-up never resets it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../test/support/api-server.js';
import { ensureFirstAdmin } from './accounts.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

const login = (email: string, password: string) =>
  api.request('POST', '/api/v1/auth/login', { body: { email, password } });

describe('POST /api/v1/auth/password', () => {
  it("changes the password, keeps the caller's session and revokes the others", async () => {
    const user = await api.registerUser();
    const otherDevice = (await login(user.email, user.password)).body;
    const newPassword = 'Quiet harbour lanterns 94!';

    const changed = await api.request('POST', '/api/v1/auth/password', {
      token: user.accessToken,
      body: { currentPassword: user.password, newPassword, refreshToken: user.refreshToken },
    });

    expect(changed.status).toBe(204);
    expect((await login(user.email, user.password)).status).toBe(401);
    expect((await login(user.email, newPassword)).status).toBe(200);
    const kept = await api.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: user.refreshToken } });
    expect(kept.status).toBe(200);
    const revoked = await api.request('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: otherDevice.refreshToken },
    });
    expect(revoked.status).toBe(401);
  });

  it('answers 400 naming the field for a wrong current password, a weak or unchanged new one, and unknown fields', async () => {
    const user = await api.registerUser();
    const attempt = (body: unknown) => api.request('POST', '/api/v1/auth/password', { token: user.accessToken, body });
    const fields = async (body: unknown) => {
      const response = await attempt(body);
      expect(response.status).toBe(400);
      return response.body.details.map((detail: { field: string }) => detail.field);
    };
    expect(await fields({ currentPassword: 'not it at all 123', newPassword: 'Quiet harbour lanterns 95!' })).toEqual([
      'currentPassword',
    ]);
    expect(await fields({ currentPassword: user.password, newPassword: 'password123' })).toEqual(['newPassword']);
    expect(await fields({ currentPassword: user.password, newPassword: user.password })).toEqual(['newPassword']);
    expect(await fields({ currentPassword: user.password, newPassword: 'Quiet harbour lanterns 96!', x: 1 })).toEqual([
      'x',
    ]);
    expect((await api.request('POST', '/api/v1/auth/password', { body: {} })).status).toBe(401);
    expect((await login(user.email, user.password)).status).toBe(200);
  });

  it('the first admin can change the configured password, which then stops working, also after a restart', async () => {
    const admin = await api.admin();
    const configured = { email: 'admin@gx.test', password: 'admin-password-123' };
    const newPassword = 'Granite orchard compass 51!';
    const changed = await api.request('POST', '/api/v1/auth/password', {
      token: admin.accessToken,
      body: { currentPassword: configured.password, newPassword },
    });
    expect(changed.status).toBe(204);
    // What `gx api` does at every start with GX_ADMIN_EMAIL / GX_ADMIN_PASSWORD.
    expect(await ensureFirstAdmin(api.db.pool, configured)).toBe('exists');
    expect((await login(configured.email, configured.password)).status).toBe(401);
    expect((await login(configured.email, newPassword)).status).toBe(200);
  });
});
