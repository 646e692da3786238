import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../test/support/cli.js';
import { createTestDatabase, type TestDatabase } from '../test/support/database.js';
import { freePort } from '../test/support/ports.js';
import { migrations } from './db/migrations/index.js';

const databases: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(databases.splice(0).map((db) => db.drop()));
});

describe('gx migrate', () => {
  it('migrates a DATABASE_URL database, and a second run is a no-op', async () => {
    const db = await createTestDatabase();
    databases.push(db);
    const first = await runCli(['migrate'], { DATABASE_URL: db.url });
    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout).toContain(`Applied ${migrations.length} migration(s): 0001_initial_schema`);
    const second = await runCli(['migrate'], { DATABASE_URL: db.url });
    expect(second).toMatchObject({ code: 0, stdout: 'Schema is current; no migrations applied.\n' });
  });

  it('starts the embedded server in an empty data folder made by mktemp -d (mode 0700) and migrates it', async () => {
    // mkdtemp makes the folder 0700, as `mktemp -d` does: as root, the server (run as user postgres) must
    // still reach its data inside it.
    const folder = await mkdtemp(path.join(tmpdir(), 'gx-cli-data-'));
    expect((await stat(folder)).mode & 0o777).toBe(0o700);
    try {
      const env = { GX_DATA_DIR: folder, GX_EMBEDDED_PG_PORT: String(await freePort()) };
      const first = await runCli(['migrate'], env);
      expect(first.stderr).toBe('');
      expect(first).toMatchObject({ code: 0 });
      expect(first.stdout).toContain('0001_initial_schema');
      const second = await runCli(['migrate'], env);
      expect(second.stdout).toBe('Schema is current; no migrations applied.\n');
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe('no silent embedded database (issue 29)', () => {
  it.each([
    [['submitter'], {}, 'DATABASE_URL: is required for gx submitter'],
    [['scheduler'], {}, 'DATABASE_URL: is required for gx scheduler'],
    [['migrate'], { NODE_ENV: 'production' }, 'DATABASE_URL: is required with NODE_ENV=production'],
  ])('gx %s without database settings exits 2 naming them', async (args, env, message) => {
    const folder = await mkdtemp(path.join(tmpdir(), 'gx-cli-nodb-'));
    try {
      const result = await runCli(args, { ...env, GX_DATA_DIR: folder });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).toContain('PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE');
      // Nothing was started or initialised in the data folder.
      expect(await readdir(folder)).toEqual([]);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe('roles refuse a schema that is not current', () => {
  it('names the missing migrations and exits 3 when the database is behind', async () => {
    const db = await createTestDatabase();
    databases.push(db);
    const result = await runCli(['submitter'], { DATABASE_URL: db.url });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('missing migrations (run `gx migrate`): 0001_initial_schema');
  });

  it('names the unknown migrations and exits 3 when the database is ahead', async () => {
    const db = await createTestDatabase({ migrated: true });
    databases.push(db);
    await db.pool.query(`INSERT INTO schema_migration (version, name, checksum) VALUES (9007, 'added_later', 'x')`);
    const result = await runCli(['submitter'], { DATABASE_URL: db.url });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('9007_added_later');
  });
});

describe('configuration errors', () => {
  it('name each bad variable and exit 2 before touching anything', async () => {
    const result = await runCli(['migrate'], { DATABASE_URL: 'mysql://db/gx', GX_HTTP_PORT: 'eighty' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('DATABASE_URL: must be a postgres:// or postgresql:// URL');
    expect(result.stderr).toContain('GX_HTTP_PORT:');
  });
});

describe('help', () => {
  it.each(['migrate', 'api', 'submitter', 'projector', 'scheduler', 'devnet', 'dev', 'demo', 'verify'])(
    'describes `gx %s`',
    async (role) => {
      const result = await runCli([role, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Usage: gx ${role}`);
    },
  );

  it('lists the roles', async () => {
    const result = await runCli(['--help']);
    for (const role of ['migrate', 'api', 'submitter', 'projector', 'scheduler', 'devnet', 'dev', 'demo', 'verify']) {
      expect(result.stdout).toMatch(new RegExp(`^  ${role} `, 'm'));
    }
  });
});
