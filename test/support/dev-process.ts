/**
 * A `gx dev` child process for end-to-end tests: started like a user starts it, on a test database,
 * killed like a crash kills it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { CLI_PATH } from './cli.js';

export interface DevProcess {
  child: ChildProcess;
  output: () => string;
  /** SIGKILL: no shutdown code runs. */
  kill(): Promise<void>;
  /** SIGINT (Ctrl-C) and wait for the exit code. */
  interrupt(): Promise<number | null>;
}

export async function startDevProcess(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 90_000,
): Promise<DevProcess> {
  const child = spawn(process.execPath, [CLI_PATH, 'dev', ...args], {
    env: { PATH: process.env.PATH ?? '', GX_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gx dev did not come up in time:\n${output}`)), timeoutMs);
    const check = () => {
      if (output.includes('GX Protocol is running')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`gx dev exited with ${code} before coming up:\n${output}`));
    });
  });
  return {
    child,
    output: () => output,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async interrupt() {
      child.kill('SIGINT');
      return exited;
    },
  };
}
