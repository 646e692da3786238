/**
 * Expand/contract across a rolling deploy. "This release" is the real migrator given one more migration than
 * the code knows (what the next release's `gx migrate` Job does); "the previous release" is this code as
 * built, which knows only `migrations`: the `gx api` role as a child process of `dist/`, and the API app and
 * migrator in process. The previous release must stay ready on a schema declared compatible with it, and
 * refuse one that is not.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../test/support/api-server.js';
import { CLI_PATH } from '../../test/support/cli.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { freePort } from '../../test/support/ports.js';
import { type Migration, type MigrationCompatibility, migrations } from './migrations/index.js';
import { assertSchemaCompatible, migrate, migrationLabel, SchemaMismatchError, schemaStatus } from './migrator.js';

// The highest version this code knows.
const N = Math.max(...migrations.map((migration) => migration.version));

/** A migration of the next release, with the given declaration. */
function next(offset: number, previousReleaseCompatible: MigrationCompatibility): Migration {
  const version = N + offset;
  return {
    version,
    name: `next_release_${offset}`,
    sql: `CREATE TABLE next_release_${offset} (id bigint PRIMARY KEY)`,
    previousReleaseCompatible,
  };
}

const databases: TestDatabase[] = [];
async function migratedDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase({ migrated: true });
  databases.push(db);
  return db;
}
afterEach(async () => {
  await Promise.all(databases.splice(0).map((db) => db.drop()));
});

interface RoleRun {
  /** The exit code, if the role ended within the wait. */
  exitCode: number | null;
  stderr: string;
  /** `/readyz` and `/health` answers, if the role came up. */
  readyz?: { status: number; body: { status: string; checks: { schema: Record<string, unknown> } } };
  health?: number;
}

const ADMIN = { email: 'admin@expand-contract.test', password: 'Expand-contract admin 7f3!' };

/** Starts the built `gx api` on `databaseUrl`, waits until it answers `/readyz` or exits, then stops it. */
async function startPreviousReleaseApi(databaseUrl: string): Promise<RoleRun> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [CLI_PATH, 'api'], {
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: databaseUrl,
      GX_JWT_SECRET: 'expand-contract-secret-expand-contract-secret',
      GX_HTTP_HOST: '127.0.0.1',
      GX_HTTP_PORT: String(port),
      GX_LOG_LEVEL: 'warn',
      GX_ADMIN_EMAIL: ADMIN.email,
      GX_ADMIN_PASSWORD: ADMIN.password,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  try {
    while (Date.now() < deadline) {
      const code = await Promise.race([exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 100))]);
      if (code !== undefined) return { exitCode: code, stderr };
      const answered = await fetch(`http://127.0.0.1:${port}/livez`).catch(() => undefined);
      if (answered) {
        // The details of /readyz are for admins (issue 29): the first admin of the configuration logs in.
        const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(ADMIN),
        });
        const { accessToken } = (await login.json()) as { accessToken: string };
        const headers = { authorization: `Bearer ${accessToken}` };
        const readyz = await fetch(`http://127.0.0.1:${port}/readyz`, { headers });
        const health = await fetch(`http://127.0.0.1:${port}/health`, { headers });
        return {
          exitCode: null,
          stderr,
          readyz: { status: readyz.status, body: (await readyz.json()) as NonNullable<RoleRun['readyz']>['body'] },
          health: health.status,
        };
      }
    }
    throw new Error(`gx api neither answered nor exited within 30 s: ${stderr}`);
  } finally {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  }
}

describe('the previous release on a database migrated by this one', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api?.close());

  it('stays ready while running, and starts, on a schema whose new migration is declared compatible (expand)', async () => {
    const db = await migratedDatabase();
    const expand = next(1, true);
    expect(await migrate(db.pool, [...migrations, expand])).toEqual([expand]);

    await expect(assertSchemaCompatible(db.pool)).resolves.toMatchObject({
      usable: true,
      currentVersion: N + 1,
      codeVersion: N,
    });
    const run = await startPreviousReleaseApi(db.url);
    expect(run.stderr).not.toContain('schema');
    expect(run.exitCode).toBeNull();
    expect(run.readyz?.status).toBe(200);
    expect(run.readyz?.body.checks.schema).toMatchObject({
      ok: true,
      migration: N + 1,
      code: N,
      compatibleNewer: [migrationLabel(expand)],
    });
    expect(run.health).toBe(200);

    // A pod already serving when the migrate Job runs: still in service afterwards.
    expect((await api.request('GET', '/readyz')).status).toBe(200);
    await migrate(api.db.pool, [...migrations, expand]);
    const during = await api.request('GET', '/readyz', { token: (await api.admin()).accessToken });
    expect(during.status).toBe(200);
    expect(during.body.checks.schema).toMatchObject({ ok: true, compatibleNewer: [migrationLabel(expand)] });
  });

  it('refuses to start, and stops being ready, on a schema whose new migration is declared incompatible', async () => {
    const db = await migratedDatabase();
    const breaking = next(1, false);
    await migrate(db.pool, [...migrations, breaking]);

    const run = await startPreviousReleaseApi(db.url);
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain(
      `not declared compatible with it (deploy the newer version): ${migrationLabel(breaking)}`,
    );

    const serving = await startTestApi();
    try {
      const admin = await serving.admin();
      await migrate(serving.db.pool, [...migrations, breaking]);
      const response = await serving.request('GET', '/readyz', { token: admin.accessToken });
      expect(response.status).toBe(503);
      expect(response.body.checks.schema).toMatchObject({ ok: false, migration: N + 1, code: N });
    } finally {
      await serving.close();
    }
  });

  it('a contract step runs only under the release it names (since), not under older ones', async () => {
    const db = await migratedDatabase();
    const expand = next(1, true);
    const contract = next(2, { since: N + 1 });
    await migrate(db.pool, [...migrations, expand, contract]);
    // The release that knows the expand step runs on the contracted schema…
    await expect(assertSchemaCompatible(db.pool, [...migrations, expand])).resolves.toMatchObject({ usable: true });
    // …the one before it does not.
    const error = await assertSchemaCompatible(db.pool).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SchemaMismatchError);
    expect((error as SchemaMismatchError).message).toContain(migrationLabel(contract));
  });

  it('reads compatibility recorded by the release that migrated, and still refuses rows without it', async () => {
    const db = await migratedDatabase();
    // Rows from before the column existed get their declaration from the next migrate of code that knows them.
    await db.pool.query('UPDATE schema_migration SET compatible_from = NULL');
    await migrate(db.pool);
    const recorded = await db.pool.query<{ version: number; compatible_from: number }>(
      'SELECT version, compatible_from FROM schema_migration ORDER BY version',
    );
    expect(recorded.rows.map((row) => row.compatible_from)).toEqual(migrations.map(() => 1));
    // A newer row that says nothing about compatibility (an older migrator wrote it) is not trusted.
    await db.pool.query(
      `INSERT INTO schema_migration (version, name, checksum) VALUES (${N + 1}, 'silent_about_it', 'x')`,
    );
    expect(await schemaStatus(db.pool)).toMatchObject({ usable: false, compatibleNewer: [] });
  });

  it('an older migrate never touches a newer schema, even a compatible one', async () => {
    const db = await migratedDatabase();
    await migrate(db.pool, [...migrations, next(1, true)]);
    await expect(migrate(db.pool)).rejects.toBeInstanceOf(SchemaMismatchError);
  });
});
