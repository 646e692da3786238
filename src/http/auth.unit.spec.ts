import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { authPlugin } from './auth.js';
import { rootErrorHandler } from './error-handler.js';

const SECRET = 'unit-secret-unit-secret-unit-secret!';
let app: FastifyInstance;
let other: FastifyInstance;

beforeAll(async () => {
  other = Fastify();
  await other.register(authPlugin, { secret: 'another-secret-another-secret-another!', accessTtlSeconds: 60 });
  await other.ready();
  app = Fastify();
  app.setErrorHandler(rootErrorHandler(1024));
  await app.register(authPlugin, { secret: SECRET, accessTtlSeconds: 60 });
  app.get('/me', { onRequest: [app.requireRole('user')] }, async (request) => request.user);
  app.get('/admin', { onRequest: [app.requireRole('admin')] }, async () => ({ ok: true }));
  app.get('/audit', { onRequest: [app.requireRole('auditor')] }, async () => ({ ok: true }));
  app.get('/super', { onRequest: [app.requireRole('super_admin')] }, async () => ({ ok: true }));
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await other.close();
});
afterEach(() => vi.useRealTimers());

const get = (url: string, authorization?: string) =>
  app.inject({ method: 'GET', url, headers: authorization === undefined ? {} : { authorization } });

describe('access tokens', () => {
  it('accepts a token it issued, in either case of the scheme, and exposes only its claims', async () => {
    const token = app.issueAccessToken({ sub: 'profile-1', role: 'user' });
    for (const header of [`Bearer ${token}`, `bearer ${token}`, `Bearer ${token}`]) {
      const response = await get('/me', header);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ sub: 'profile-1', role: 'user' });
    }
  });

  it('answers 401 without a token, for a malformed header, a forged or unknown-role token', async () => {
    const token = app.issueAccessToken({ sub: 'profile-1', role: 'user' });
    const forged = other.issueAccessToken({ sub: 'profile-1', role: 'admin' });
    const badRole = app.jwt.sign({ sub: 'profile-1', role: 'root' } as never);
    const noSub = app.jwt.sign({ role: 'user' } as never);
    for (const header of [
      undefined,
      '',
      token,
      `Basic ${token}`,
      'Bearer',
      'Bearer ',
      `Bearer  ${token}`,
      `Bearer ${token} extra`,
      `Bearer\t${token}`,
      `Bearer ${token}x`,
      `Bearer ${forged}`,
      `Bearer ${badRole}`,
      `Bearer ${noSub}`,
    ]) {
      const response = await get('/me', header);
      expect(response.statusCode, String(header)).toBe(401);
      expect(response.json().error).toBe('Unauthorized');
    }
  });

  it('stops accepting a token, verified and remembered before, once it expires', async () => {
    vi.useFakeTimers({ now: Date.now(), toFake: ['Date'] });
    const token = app.issueAccessToken({ sub: 'profile-2', role: 'user' });
    expect((await get('/me', `Bearer ${token}`)).statusCode).toBe(200);
    vi.setSystemTime(Date.now() + 59_000);
    expect((await get('/me', `Bearer ${token}`)).statusCode).toBe(200);
    vi.setSystemTime(Date.now() + 2_000);
    expect((await get('/me', `Bearer ${token}`)).statusCode).toBe(401);
  });

  it('requireRole: each role holds the rights of those below it and no others', async () => {
    const token = (role: 'user' | 'auditor' | 'admin' | 'super_admin') =>
      `Bearer ${app.issueAccessToken({ sub: `profile-${role}`, role })}`;
    const statuses = async (path: string) =>
      Promise.all(
        (['user', 'auditor', 'admin', 'super_admin'] as const).map(
          async (role) => (await get(path, token(role))).statusCode,
        ),
      );
    expect(await statuses('/audit')).toEqual([403, 200, 200, 200]);
    expect(await statuses('/admin')).toEqual([403, 403, 200, 200]);
    expect(await statuses('/super')).toEqual([403, 403, 403, 200]);
    expect((await get('/admin')).statusCode).toBe(401);
  });
});
