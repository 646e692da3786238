/**
 * A scratch copy of the repository's deployment files for tests that break them on purpose: `deploy/`, `docs/`
 * and the Dockerfile are copied (so edits stay in the copy); everything else is linked to the real tree.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const REPOSITORY_ROOT = path.resolve(import.meta.dirname, '../..');

const copied = new Set(['deploy', 'docs', 'Dockerfile', '.dockerignore']);
const skipped = new Set(['.git', 'node_modules', '.gx']);

export interface Workspace {
  root: string;
  /** Replaces `search` (which must occur) with `replacement` in a file under the workspace. */
  edit(file: string, search: string | RegExp, replacement: string): void;
  /** Appends text to a file under the workspace. */
  append(file: string, text: string): void;
  remove(): void;
}

export function createWorkspace(): Workspace {
  const root = mkdtempSync(path.join(tmpdir(), 'gx-deploy-check-'));
  for (const entry of readdirSync(REPOSITORY_ROOT)) {
    if (skipped.has(entry)) continue;
    const source = path.join(REPOSITORY_ROOT, entry);
    if (copied.has(entry)) cpSync(source, path.join(root, entry), { recursive: true });
    else symlinkSync(source, path.join(root, entry));
  }
  return {
    root,
    edit(file, search, replacement) {
      const target = path.join(root, file);
      const text = readFileSync(target, 'utf8');
      const changed = text.replace(search, replacement);
      if (changed === text) throw new Error(`${file}: ${String(search)} not found`);
      writeFileSync(target, changed);
    },
    append(file, text) {
      const target = path.join(root, file);
      writeFileSync(target, readFileSync(target, 'utf8') + text);
    },
    remove() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface CheckRun {
  code: number;
  output: string;
}

/** Runs `npm run deploy:check`'s program as CI does (tsx, a child process), on `root`. */
export function runDeployCheckCli(root: string = REPOSITORY_ROOT): Promise<CheckRun> {
  return new Promise((resolve) => {
    execFile(
      path.join(REPOSITORY_ROOT, 'node_modules', '.bin', 'tsx'),
      [path.join(REPOSITORY_ROOT, 'deploy', 'check', 'main.ts'), '--root', root],
      { cwd: REPOSITORY_ROOT, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, output: stdout + stderr });
      },
    );
  });
}
