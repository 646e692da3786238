/**
 * The whole system as a production deployment runs it, one process per role on this machine: `gx devnet`,
 * `gx submitter`, `gx projector` and `gx api`, on a scratch database. Used by the end-to-end bench
 * scenarios; each role's peak RSS is read from /proc when it stops.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseEnv } from 'node:util';
import pg from 'pg';
import { connectionEnvPath } from '../src/devnet/connection-env.js';
import { freePort } from '../test/support/ports.js';

const CLI = path.resolve(import.meta.dirname, '../src/cli.js');

export interface SystemOptions {
  serverUrl: string;
  commitLatencyMs: number;
}

export interface RunningSystem {
  baseUrl: string;
  databaseUrl: string;
  admin: { email: string; password: string };
  /** Restarts devnet on the same data and port with another commit latency; the other roles reconnect. */
  restartDevnet(commitLatencyMs: number): Promise<void>;
  /** Peak resident memory (MiB) of each role so far. */
  peakRss(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

interface Role {
  name: string;
  child: ChildProcess;
}

function start(name: string, args: string[], env: Record<string, string>): Role {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', GX_LOG_LEVEL: 'warn', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return { name, child };
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} did not come up`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function peakRssMiB(pid: number | undefined): Promise<number> {
  if (pid === undefined) return Number.NaN;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kib = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  return kib ? Math.round(Number(kib) / 1024) : Number.NaN;
}

export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const database = `gx_bench_${randomBytes(4).toString('hex')}`;
  const server = new pg.Client({ connectionString: options.serverUrl });
  await server.connect();
  await server.query(`CREATE DATABASE ${database}`);
  await server.end();
  const url = new URL(options.serverUrl);
  url.pathname = `/${database}`;
  const databaseUrl = url.toString();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'gx-bench-'));
  await chmod(dataDir, 0o755);
  const roles: Role[] = [];
  const stop = async () => {
    await Promise.all(
      roles.map(
        ({ child }) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    const admin = new pg.Client({ connectionString: options.serverUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const devnetPort = await freePort();
    const startDevnet = async (commitLatencyMs: number) => {
      const devnet = start(
        'devnet',
        ['devnet', '--data-dir', dataDir, '--port', String(devnetPort), '--no-tls'].concat([
          '--commit-latency-ms',
          String(commitLatencyMs),
        ]),
        {},
      );
      let output = '';
      devnet.child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      await waitFor('devnet', async () => output.includes('connection settings'));
      return devnet;
    };
    let devnet = await startDevnet(options.commitLatencyMs);
    roles.push(devnet);
    const fabricEnv = parseEnv(await readFile(connectionEnvPath(dataDir), 'utf8')) as Record<string, string>;
    const env = { ...fabricEnv, DATABASE_URL: databaseUrl, GX_DATA_DIR: dataDir };
    const migrate = start('migrate', ['migrate'], env);
    await new Promise((resolve) => migrate.child.once('exit', resolve));

    const admin = { email: 'bench-admin@gx.test', password: `bench-${randomBytes(8).toString('hex')}` };
    const httpPort = await freePort();
    roles.push(start('submitter', ['submitter'], { ...env, GX_METRICS_PORT: String(await freePort()) }));
    roles.push(start('projector', ['projector'], { ...env, GX_METRICS_PORT: String(await freePort()) }));
    roles.push(
      start('api', ['api', '--rate-limit-per-ip', '0', '--rate-limit-per-user', '0', '--rate-limit-auth-per-ip', '0'], {
        ...env,
        GX_HTTP_HOST: '127.0.0.1',
        GX_HTTP_PORT: String(httpPort),
        GX_JWT_SECRET: randomBytes(32).toString('hex'),
        GX_ADMIN_EMAIL: admin.email,
        GX_ADMIN_PASSWORD: admin.password,
      }),
    );
    const baseUrl = `http://127.0.0.1:${httpPort}`;
    await waitFor('gx api', async () => (await fetch(`${baseUrl}/livez`)).ok);
    return {
      baseUrl,
      databaseUrl,
      admin,
      async restartDevnet(commitLatencyMs) {
        await new Promise<void>((resolve) => {
          devnet.child.once('exit', () => resolve());
          devnet.child.kill('SIGTERM');
        });
        devnet = await startDevnet(commitLatencyMs);
        roles[roles.findIndex((role) => role.name === 'devnet')] = devnet;
      },
      async peakRss() {
        const entries = await Promise.all(
          roles.map(async (role) => [role.name, await peakRssMiB(role.child.pid)] as const),
        );
        return Object.fromEntries(entries);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
