/**
 * The whole system as a production deployment runs it, one process per role on this machine: `gx devnet`,
 * `gx submitter`, `gx projector` and `gx api`, on a scratch database. Used by the end-to-end bench
 * scenarios; each role's peak RSS is read from /proc, and its current memory from its own /metrics.
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
  /** Extra node arguments for every role (e.g. `--heapsnapshot-signal=SIGUSR2` to look into one). */
  nodeArgs?: string[];
  /** Extra environment for every role (A/B runs of a setting). */
  env?: Record<string, string>;
}

export interface RunningSystem {
  baseUrl: string;
  databaseUrl: string;
  admin: { email: string; password: string };
  /** Restarts devnet on the same data and port with another commit latency; the other roles reconnect. */
  restartDevnet(commitLatencyMs: number): Promise<void>;
  /** Peak resident memory (MiB) of each role so far. */
  peakRss(): Promise<Record<string, number>>;
  /** Each role's memory now, from its /metrics (prom-client's process and V8 gauges). */
  memory(): Promise<Record<string, RoleMemory>>;
  stop(): Promise<void>;
}

interface Role {
  name: string;
  child: ChildProcess;
  /** Where the role serves /metrics. */
  metricsUrl?: string;
}

/**
 * One role's memory (MiB): resident set, V8 heap in use and reserved, and memory outside the heap (Buffers,
 * ArrayBuffers).
 */
export interface RoleMemory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

const MIB = 2 ** 20;

/** Reads a role's memory gauges from its Prometheus text. */
async function scrapeMemory(metricsUrl: string): Promise<RoleMemory> {
  const text = await (await fetch(metricsUrl)).text();
  const gauge = (name: string) => {
    const match = new RegExp(`^${name} ([0-9.e+]+)`, 'm').exec(text);
    return match ? Math.round((Number(match[1]) / MIB) * 10) / 10 : Number.NaN;
  };
  return {
    rss: gauge('process_resident_memory_bytes'),
    heapUsed: gauge('nodejs_heap_size_used_bytes'),
    heapTotal: gauge('nodejs_heap_size_total_bytes'),
    external: gauge('nodejs_external_memory_bytes'),
  };
}

function start(name: string, args: string[], env: Record<string, string>, nodeArgs: string[] = []): Role {
  const child = spawn(process.execPath, [...nodeArgs, CLI, ...args], {
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
            // A role still draining a client's open event stream after 20 s is killed: the run is over.
            const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
            child.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
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
    const devnetAdminPort = await freePort();
    const startDevnet = async (commitLatencyMs: number) => {
      const devnet = start(
        'devnet',
        ['devnet', '--data-dir', dataDir, '--port', String(devnetPort), '--no-tls'].concat([
          '--commit-latency-ms',
          String(commitLatencyMs),
          '--admin-port',
          String(devnetAdminPort),
        ]),
        options.env ?? {},
        options.nodeArgs,
      );
      devnet.metricsUrl = `http://127.0.0.1:${devnetAdminPort}/metrics`;
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
    const env = { ...options.env, ...fabricEnv, DATABASE_URL: databaseUrl, GX_DATA_DIR: dataDir };
    const migrate = start('migrate', ['migrate'], env);
    await new Promise((resolve) => migrate.child.once('exit', resolve));

    const admin = { email: 'bench-admin@gx.test', password: `bench-${randomBytes(8).toString('hex')}` };
    const httpPort = await freePort();
    for (const name of ['submitter', 'projector']) {
      const metricsPort = await freePort();
      roles.push({
        ...start(name, [name], { ...env, GX_METRICS_PORT: String(metricsPort) }, options.nodeArgs),
        metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
      });
    }
    roles.push({
      ...start(
        'api',
        ['api', '--rate-limit-per-ip', '0', '--rate-limit-per-user', '0', '--rate-limit-auth-per-ip', '0'],
        {
          ...env,
          GX_HTTP_HOST: '127.0.0.1',
          GX_HTTP_PORT: String(httpPort),
          GX_JWT_SECRET: randomBytes(32).toString('hex'),
          GX_ADMIN_EMAIL: admin.email,
          GX_ADMIN_PASSWORD: admin.password,
          // Users are approved after KYC (GX_KYC_REQUIRED), whose documents the API seals with this ring.
          GX_KYC_ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
        },
        options.nodeArgs,
      ),
      metricsUrl: `http://127.0.0.1:${httpPort}/metrics`,
    });
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
      async memory() {
        const entries = await Promise.all(
          roles.flatMap((role) =>
            role.metricsUrl ? [scrapeMemory(role.metricsUrl).then((memory) => [role.name, memory] as const)] : [],
          ),
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
