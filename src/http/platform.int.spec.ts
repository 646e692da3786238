import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../test/support/api-server.js';

describe('health, metrics, docs, headers', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ corsOrigins: ['https://wallet.gx.test'] });
  });
  afterAll(() => api?.close());

  /** `/readyz` (or `/health`) as an admin, who is told the details. */
  async function readyz(path = '/readyz') {
    return api.request('GET', path, { token: (await api.admin()).accessToken });
  }

  it('/livez is 200', async () => {
    const response = await api.request('GET', '/livez');
    expect(response.status).toBe(200);
  });

  it('/readyz tells the public only its status, and admins the details (issue 29)', async () => {
    const anonymous = await api.request('GET', '/readyz');
    expect(anonymous.status).toBe(200);
    expect(anonymous.body).toEqual({ status: 'degraded' });
    const user = await api.registerUser();
    expect((await api.request('GET', '/readyz', { token: user.accessToken })).body).toEqual({ status: 'degraded' });
    expect((await api.request('GET', '/readyz', { token: 'not-a-token' })).body).toEqual({ status: 'degraded' });
    const admin = await api.admin();
    const detailed = await api.request('GET', '/readyz', { token: admin.accessToken });
    expect(Object.keys(detailed.body.checks)).toEqual(expect.arrayContaining(['database', 'schema', 'ledger']));
  });

  it('/readyz is 200 degraded (not failed) without a ledger', async () => {
    const degraded = await readyz();
    expect(degraded.status).toBe(200);
    expect(degraded.body.status).toBe('degraded');
    expect(degraded.body.checks.database.ok).toBe(true);
    expect(degraded.body.checks.schema.ok).toBe(true);
    expect(degraded.body.checks.ledger.ok).toBe(false);
  });

  it("/health (the old deployment's probe path) answers as /readyz does", async () => {
    const [ready, health] = [await readyz(), await readyz('/health')];
    expect(health.status).toBe(ready.status);
    expect(health.body.status).toBe('degraded');
    expect(Object.keys(health.body.checks).sort()).toEqual(Object.keys(ready.body.checks).sort());
    expect(health.body.checks.schema).toEqual(ready.body.checks.schema);
  });

  it('/readyz reports projection lag and outbox backlog as degraded, still 200', async () => {
    await api.db.pool.query(
      `INSERT INTO projector_state (name, last_block, ledger_height, last_applied_at)
       VALUES ('lagging', 10, 500, now() - interval '10 minutes')`,
    );
    await api.db.pool.query(
      `INSERT INTO outbox_command (command_type, request_id, payload, created_at)
       VALUES ('BOOTSTRAP_SYSTEM', 'old-pending', '{}', now() - interval '10 minutes')`,
    );
    try {
      const response = await readyz();
      expect(response.status).toBe(200);
      expect(response.body.status).toBe('degraded');
      expect(response.body.checks.projector).toMatchObject({ ok: false, lagBlocks: 489 });
      expect(response.body.checks.outbox.ok).toBe(false);
      expect(response.body.checks.outbox.oldestPendingAgeMs).toBeGreaterThan(9 * 60 * 1000);
    } finally {
      await api.db.pool.query("DELETE FROM projector_state WHERE name = 'lagging'");
      await api.db.pool.query("DELETE FROM outbox_command WHERE request_id = 'old-pending'");
    }
  });

  it('/readyz is 503 when the schema is not the code’s', async () => {
    await api.db.pool.query(
      "INSERT INTO schema_migration (version, name, checksum) VALUES (9999, 'from_the_future', 'x')",
    );
    try {
      const response = await readyz();
      expect(response.status).toBe(503);
      expect(response.body.checks.schema.ok).toBe(false);
      expect((await api.request('GET', '/health')).status).toBe(503);
    } finally {
      await api.db.pool.query('DELETE FROM schema_migration WHERE version = 9999');
    }
  });

  it('/metrics has request counts and durations labelled by route pattern', async () => {
    const user = await api.registerUser();
    await api.request('GET', `/api/v1/users/${user.profileId}`, { token: user.accessToken });
    const metrics = await api.request('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(
      /http_requests_total\{method="GET",route="\/api\/v1\/users\/:profileId",status="200"\} \d+/,
    );
    expect(metrics.text).toContain('http_request_duration_seconds_bucket{');
    expect(metrics.text).not.toContain(user.profileId);
  });

  it('serves the OpenAPI document generated from the route schemas, and /docs', async () => {
    const spec = await api.request('GET', '/openapi.json');
    expect(spec.status).toBe(200);
    expect(spec.body.openapi).toMatch(/^3\./);
    const transfer = spec.body.paths['/api/v1/transfers'].post;
    expect(transfer.requestBody.content['application/json'].schema.properties.amount.pattern).toBeDefined();
    expect(transfer.requestBody.content['application/json'].schema.additionalProperties).toBe(false);
    expect(Object.keys(transfer.responses)).toEqual(expect.arrayContaining(['202', '400', '401', '409']));
    expect(spec.body.paths['/api/v1/users/{profileId}'].get.parameters[0]).toMatchObject({
      name: 'profileId',
      in: 'path',
    });
    const docs = await api.request('GET', '/docs/');
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('swagger');
    expect(docs.headers.get('content-security-policy')).toContain('script-src');
  });

  it('sets a request id (given or generated), security headers and CORS for allowed origins only', async () => {
    const given = await api.request('GET', '/livez', {
      headers: { 'x-request-id': 'abc-123', origin: 'https://wallet.gx.test' },
    });
    expect(given.headers.get('x-request-id')).toBe('abc-123');
    expect(given.headers.get('x-content-type-options')).toBe('nosniff');
    expect(given.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(given.headers.get('access-control-allow-origin')).toBe('https://wallet.gx.test');
    const other = await api.request('GET', '/livez', {
      headers: { origin: 'https://evil.test', 'x-request-id': 'bad id!' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(other.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown routes with a JSON 404 and never a 500 for odd input', async () => {
    const missing = await api.request('GET', '/api/v1/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe('NotFound');
    const user = await api.registerUser();
    for (const rawBody of ['[]', 'null', '"x"', '{"fname":{"$gt":""}}', '{"__proto__":{"a":1}}']) {
      const response = await api.request('POST', '/api/v1/auth/register', { rawBody });
      expect(response.status, rawBody).toBe(400);
    }
    const patched = await api.request('PATCH', `/api/v1/users/${user.profileId}`, {
      token: user.accessToken,
      rawBody: '{"firstName": "x", "firstName": 7}',
    });
    expect(patched.status).toBe(400);
    const badToken = await api.request('GET', '/api/v1/users/me', { token: 'a.b.c' });
    expect(badToken.status).toBe(401);
  });
});

describe('--services', () => {
  it('serves only the chosen services', async () => {
    const api = await startTestApi({ services: ['tokens'] });
    try {
      expect(
        (await api.request('POST', '/api/v1/auth/login', { body: { email: 'a@b.c', password: 'x' } })).status,
      ).toBe(404);
      expect((await api.request('GET', '/api/v1/wallets/me')).status).toBe(401);
      expect((await api.request('GET', '/readyz')).status).toBe(200);
    } finally {
      await api.close();
    }
  });
});

async function exerciseRateLimits(api: TestApi) {
  // Per IP: 8 requests a window on any route.
  const statuses: number[] = [];
  for (let i = 0; i < 9; i += 1) statuses.push((await api.request('GET', '/api/v1/users/me')).status);
  expect(statuses.slice(0, 8).every((s) => s === 401)).toBe(true);
  const limited = await api.request('GET', '/api/v1/users/me');
  expect(limited.status).toBe(429);
  expect(limited.body.error).toBe('RateLimited');
  expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  // Probes are never limited.
  expect((await api.request('GET', '/livez')).status).toBe(200);
}

describe('rate limiting', () => {
  it('per IP and per user, in memory: 429 with Retry-After', async () => {
    const api = await startTestApi({ rateLimits: { perIp: 8, perUser: 0, authPerIp: 0, windowMs: 60_000 } });
    try {
      await exerciseRateLimits(api);
    } finally {
      await api.close();
    }
    const perUser = await startTestApi({ rateLimits: { perIp: 0, perUser: 3, authPerIp: 0, windowMs: 60_000 } });
    try {
      const [a, b] = [await perUser.registerUser(), await perUser.registerUser()];
      const statuses: number[] = [];
      for (let i = 0; i < 4; i += 1)
        statuses.push((await perUser.request('GET', '/api/v1/users/me', { token: a.accessToken })).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect((await perUser.request('GET', '/api/v1/users/me', { token: b.accessToken })).status).toBe(200);
    } finally {
      await perUser.close();
    }
  });

  it('behind one trusted proxy, limits the address the proxy saw; a spoofed X-Forwarded-For entry does not help', async () => {
    const api = await startTestApi({
      trustProxyHops: 1,
      rateLimits: { perIp: 2, perUser: 0, authPerIp: 0, windowMs: 60_000 },
    });
    try {
      const from = (xff: string) => api.request('GET', '/api/v1/users/me', { headers: { 'x-forwarded-for': xff } });
      expect((await from('6.6.6.6, 9.9.9.9')).status).toBe(401);
      expect((await from('7.7.7.7, 9.9.9.9')).status).toBe(401);
      expect((await from('5.5.5.5, 9.9.9.9')).status).toBe(429);
      expect((await from('8.8.8.8')).status).toBe(401);
    } finally {
      await api.close();
    }
  });

  it('credential routes have their own stricter per-IP limit', async () => {
    const api = await startTestApi({ rateLimits: { perIp: 0, perUser: 0, authPerIp: 2, windowMs: 60_000 } });
    try {
      const body = { email: 'x@gx.test', password: 'whatever1' };
      const statuses = [];
      for (let i = 0; i < 3; i += 1) statuses.push((await api.request('POST', '/api/v1/auth/login', { body })).status);
      expect(statuses).toEqual([401, 401, 429]);
      expect((await api.request('GET', '/api/v1/users/me')).status).toBe(401);
    } finally {
      await api.close();
    }
  });

  it('shares counters through Redis when REDIS_URL is set (two replicas, one budget)', async () => {
    const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
    const namespace = `gx-test-${randomUUID()}:`;
    const settings = { perIp: 8, perUser: 0, authPerIp: 0, windowMs: 60_000, redis, namespace };
    const first = await startTestApi({ rateLimits: settings });
    const second = await startTestApi({ rateLimits: settings });
    try {
      for (let i = 0; i < 4; i += 1) expect((await first.request('GET', '/api/v1/users/me')).status).toBe(401);
      for (let i = 0; i < 4; i += 1) expect((await second.request('GET', '/api/v1/users/me')).status).toBe(401);
      const limited = await first.request('GET', '/api/v1/users/me');
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await redis.keys(`${namespace}*`)).not.toHaveLength(0);
    } finally {
      await first.close();
      await second.close();
      const keys = await redis.keys(`${namespace}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    }
  });
});

describe('graceful shutdown', () => {
  it('finishes in-flight requests and ends event streams, then refuses new connections', async () => {
    const api = await startTestApi();
    const user = await api.registerUser();
    await api.putOnLedger(user);
    const transfer = await api.request('POST', '/api/v1/transfers', {
      token: user.accessToken,
      body: { toFabricUserId: 'SG 1B2 CDE123 1WXYZ 9876', amount: '1' },
    });
    const stream = await fetch(`${api.url}/api/v1/commands/${transfer.body.commandId}/events`, {
      headers: { authorization: `Bearer ${user.accessToken}` },
    });
    const streamText = stream.text();
    // A row lock held elsewhere keeps a PATCH in flight while close() starts.
    const blocker = await api.db.pool.connect();
    await blocker.query('BEGIN');
    await blocker.query('SELECT 1 FROM user_profile WHERE profile_id = $1 FOR UPDATE', [user.profileId]);
    const inFlight = api.request('PATCH', `/api/v1/users/${user.profileId}`, {
      token: user.accessToken,
      body: { firstName: 'During' },
    });
    for (let i = 0; i < 100; i += 1) {
      const waiting = await api.db.pool.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
      );
      if (waiting.rows[0].n > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const closing = api.app.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await blocker.query('COMMIT');
    blocker.release();
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.body.firstName).toBe('During');
    await closing;
    expect(await streamText).toContain('event: status');
    await expect(fetch(`${api.url}/livez`)).rejects.toThrow();
    await api.db.drop();
  });
});
