/** Runs the built `gx` CLI as a child process, as an operator or a container would. */
import { execFile } from 'node:child_process';
import path from 'node:path';

export const CLI_PATH = path.resolve(import.meta.dirname, '../../dist/src/cli.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `gx ...args` with only the given environment (plus PATH), so the host's settings cannot leak in. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI_PATH, ...args],
      { env: { PATH: process.env.PATH ?? '', GX_LOG_LEVEL: 'warn', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
