/** `gx api` as an operator runs it: the built CLI in a child process, on a real database and port. */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, runCli } from '../../test/support/cli.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { freePort } from '../../test/support/ports.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrated: true });
});
afterAll(() => db?.drop());

describe('gx api', () => {
  it('refuses to start without GX_JWT_SECRET (exit 2, naming it)', async () => {
    const result = await runCli(['api'], { DATABASE_URL: db.url });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('GX_JWT_SECRET');
  });

  it('refuses malformed KYC keys (exit 2, naming the variable)', async () => {
    const result = await runCli(['api'], {
      DATABASE_URL: db.url,
      GX_JWT_SECRET: 'an-operator-secret-of-32-characters!!',
      GX_KYC_ENCRYPTION_KEYS: 'k1:too-short',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('GX_KYC_ENCRYPTION_KEYS');
  });

  it('--workers needs a database server, not the embedded one', async () => {
    const result = await runCli(['api', '--workers', '2'], {
      GX_JWT_SECRET: 'an-operator-secret-of-32-characters!!',
      GX_DATA_DIR: '/nonexistent-gx-data',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--workers');
  });

  it('rejects an unknown service', async () => {
    const result = await runCli(['api', '--services', 'identity,payroll'], { DATABASE_URL: db.url });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('unknown service "payroll"');
  });

  it.each([[[]], [['--workers', '2']]])(
    '%j: serves, creates the first admin, exits 0 on SIGTERM after draining',
    async (extra: string[]) => {
      const port = await freePort();
      const child = spawn(process.execPath, [CLI_PATH, 'api', '--services', 'identity,admin', ...extra], {
        env: {
          PATH: process.env.PATH ?? '',
          DATABASE_URL: db.url,
          GX_HTTP_HOST: '127.0.0.1',
          GX_HTTP_PORT: String(port),
          GX_JWT_SECRET: 'an-operator-secret-of-32-characters!!',
          GX_ADMIN_EMAIL: 'root@gx.test',
          GX_ADMIN_PASSWORD: 'a-long-admin-password',
          GX_LOG_LEVEL: 'info',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk) => {
        output += chunk;
      });
      child.stderr.on('data', (chunk) => {
        output += chunk;
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      try {
        const base = `http://127.0.0.1:${port}`;
        for (let i = 0; i < 150 && !output.includes('API listening'); i += 1) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(output).toContain('API listening');
        expect((await fetch(`${base}/livez`)).status).toBe(200);
        const login = await fetch(`${base}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'root@gx.test', password: 'a-long-admin-password' }),
        });
        expect(login.status).toBe(200);
        const session = (await login.json()) as { user: { role: string } };
        expect(session.user.role).toBe('super_admin');
        // tokens was not asked for
        expect((await fetch(`${base}/api/v1/wallets/me`)).status).toBe(404);
        expect(output).not.toContain('a-long-admin-password');
        child.kill('SIGTERM');
        expect(await exited, output).toBe(0);
      } finally {
        child.kill('SIGKILL');
      }
    },
  );
});
