/**
 * Node child processes of the benches (devnet, the protocol floor's server): started, and awaited until they
 * print that they are ready, so each can be measured in its own process.
 */
import { type ChildProcess, spawn } from 'node:child_process';

/** Node flags for a bench's devnet process, e.g. GX_BENCH_DEVNET_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'. */
export function devnetNodeArgs(): string[] {
  return process.env.GX_BENCH_DEVNET_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
}

/**
 * Runs `node …args` with its standard output piped, and waits until `ready` finds what it needs in the output
 * so far (anything but undefined); rejects, naming `what`, if the process exits first.
 */
export async function startNodeProcess<T>(
  what: string,
  args: readonly string[],
  options: { stdin?: 'ignore' | 'pipe'; env?: NodeJS.ProcessEnv },
  ready: (output: string) => T | undefined,
): Promise<{ child: ChildProcess; ready: T }> {
  const child = spawn(process.execPath, args, {
    ...(options.env ? { env: options.env } : {}),
    stdio: [options.stdin ?? 'ignore', 'pipe', 'inherit'],
  });
  const found = await new Promise<T>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const value = ready(output);
      if (value === undefined) return;
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      // Later output is not read, but must not fill the pipe and block the child.
      child.stdout?.resume();
      resolve(value);
    };
    const onExit = (code: number | null) => reject(new Error(`${what} exited with ${code}`));
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
  return { child, ready: found };
}
