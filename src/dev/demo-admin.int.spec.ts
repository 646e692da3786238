/**
 * `gx demo` logs in as the admin the running system was started with, and waits out a 429 as its
 * Retry-After says. `gx dev` runs in this process on a test database and a devnet of its own; `gx demo` is the
 * built CLI in a child process, pointed at a stand-in API that records the logins it receives.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/support/cli.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { devnetOnly, externalLedger } from '../../test/support/ledger.js';
import { freePort } from '../../test/support/ports.js';
import { retryAfterMs } from './api-client.js';
import { startDev } from './run-dev.js';

interface Login {
  email: string;
  password: string;
  at: number;
}

/** An API that answers the first login with 429 (Retry-After: 1) and every later one with 401. */
async function startStandInApi(): Promise<{ url: string; logins: Login[]; close(): Promise<void> }> {
  const logins: Login[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      if (request.url === '/api/v1/auth/login') {
        logins.push({ ...(JSON.parse(body) as { email: string; password: string }), at: Date.now() });
        if (logins.length === 1) {
          response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
          response.end(JSON.stringify({ error: 'TooManyRequests' }));
          return;
        }
      }
      // Anything after the login ends the story: the spec is about who logs in, and when.
      response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'Unauthorized' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    logins,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe.skipIf(externalLedger)(
  `gx demo and the configured admin ${devnetOnly('starts gx dev with a devnet of its own')}`,
  () => {
    let dataDir: string;
    let db: TestDatabase;
    beforeAll(async () => {
      dataDir = await mkdtemp(path.join(tmpdir(), 'gx-demo-admin-'));
      db = await createTestDatabase();
    });
    afterAll(async () => {
      await db?.drop();
      await rm(dataDir, { recursive: true, force: true });
    });

    it('logs in as the admin gx dev was started with (GX_ADMIN_*), after waiting out a 429', async () => {
      const dev = await startDev(
        { devnetPort: 0, commitLatencyMs: 0 },
        {
          GX_DATA_DIR: dataDir,
          DATABASE_URL: db.url,
          GX_HTTP_PORT: String(await freePort()),
          GX_LOG_LEVEL: 'silent',
          GX_ADMIN_EMAIL: 'ops@example.org',
          GX_ADMIN_PASSWORD: 'ops-password-123',
        },
      );
      await dev.stop();
      // The operator's second terminal: no GX_ADMIN_* there, the same data folder.
      const api = await startStandInApi();
      try {
        const demo = await runCli(['demo', '--url', api.url], { GX_DATA_DIR: dataDir });
        expect(demo.code).not.toBe(0);
        expect(api.logins.map(({ email, password }) => ({ email, password }))).toEqual([
          { email: 'ops@example.org', password: 'ops-password-123' },
          { email: 'ops@example.org', password: 'ops-password-123' },
        ]);
        expect(api.logins[1]!.at - api.logins[0]!.at).toBeGreaterThanOrEqual(900);
      } finally {
        await api.close();
      }
      const secrets = JSON.parse(await readFile(path.join(dataDir, 'dev-secrets.json'), 'utf8'));
      expect(secrets).toMatchObject({ adminEmail: 'ops@example.org', adminPassword: 'ops-password-123' });
    }, 60_000);
  },
);

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates, caps long waits, and defaults to 1 s', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs('Thu, 03 Dec 2026 10:00:05 GMT', Date.parse('Thu, 03 Dec 2026 10:00:00 GMT'))).toBe(5000);
    expect(retryAfterMs('86400')).toBe(60_000);
    expect(retryAfterMs(null)).toBe(1000);
    expect(retryAfterMs('soon')).toBe(1000);
  });
});
