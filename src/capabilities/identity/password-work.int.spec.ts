/**
 * A login flood cannot stall the process (issue 29): argon2 work passes a bounded queue with a deadline, and
 * what cannot start in time is answered 503 with Retry-After at once, while the process keeps serving.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, startTestApi, type TestApi } from '../../../test/support/api-server.js';
import { configurePasswordWork } from './passwords.js';

let api: TestApi;
let user: Session;
beforeAll(async () => {
  api = await startTestApi();
  user = await api.registerUser();
});
afterAll(() => {
  configurePasswordWork({});
  return api?.close();
});

describe('argon2 under a login flood', () => {
  it('refuses what cannot start within the deadline with 503 and Retry-After, never 500, and serves on', async () => {
    configurePasswordWork({ concurrency: 1, maxWaitMs: 20 });
    const attempts = await Promise.all(
      Array.from({ length: 30 }, () =>
        api.request('POST', '/api/v1/auth/login', { body: { email: user.email, password: user.password } }),
      ),
    );
    const statuses = attempts.map((response) => response.status);
    expect(statuses.every((status) => status === 200 || status === 503)).toBe(true);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThan(0);
    const refused = attempts.find((response) => response.status === 503);
    expect(refused?.headers.get('retry-after')).toBe('1');
    expect(refused?.body).toMatchObject({
      error: 'ServiceUnavailable',
      message: expect.stringMatching(/password hashing/),
    });

    // Meanwhile the process kept serving what needs no password work.
    expect((await api.request('GET', '/livez')).status).toBe(200);
    configurePasswordWork({});
    const after = await api.request('POST', '/api/v1/auth/login', {
      body: { email: user.email, password: user.password },
    });
    expect(after.status).toBe(200);
  });
});
