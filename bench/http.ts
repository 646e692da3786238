/**
 * HTTP API throughput and latency with autocannon against a running `gx api` (a child process of the built
 * CLI, on real PostgreSQL): `GET /api/v1/users/:id` (authenticated read) and `POST /api/v1/transfers`
 * (authenticated write: validation + outbox row committed, answer 202).
 *
 * - {@link measureHttp} drives an API that is already running, given a token and a profile id.
 * - {@link runHttpBench} does the whole thing: scratch database, `gx api`, fixtures, both measurements.
 *
 * The writer's account is put on the ledger by SQL (as the projector would leave it), so transfers are
 * accepted without a ledger; the bench measures the API and its database, not Fabric.
 *
 * Run alone: `node dist/bench/http.js [seconds] [connections]` (DATABASE_URL or a local PostgreSQL server).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { migrate } from '../src/db/migrator.js';

/** One measurement, in the shape `npm run bench` prints (bench/harness.ts). */
export interface HttpBenchResult {
  scenario: string;
  metric: string;
  value: number;
  unit: string;
  p50: number;
  p95: number;
  p99: number;
  goal: string;
  settings: Record<string, string | number | boolean>;
}

export interface HttpTarget {
  baseUrl: string;
  /** The API's process id, when known: its CPU time per request is reported too (Linux /proc). */
  pid?: number;
  accessToken: string;
  profileId: string;
  /** A Fabric user id other than the writer's, to transfer to. */
  recipientFabricUserId: string;
}

export interface MeasureOptions {
  durationSeconds?: number;
  connections?: number;
  /** HTTP pipelining depth per connection. */
  pipelining?: number;
}

interface CannonResult {
  requests: { average: number };
  latency: { p50: number; p97_5: number; p99: number; average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodeStats: Record<string, { count: number }>;
}

function cannon(options: autocannon.Options): Promise<CannonResult> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result as unknown as CannonResult)));
  });
}

/** CPU time (user + system, ms) a process and its children have used so far, from /proc. */
async function cpuMs(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const children = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8')).trim().split(/\s+/).filter(Boolean);
    let total = 0;
    for (const id of [String(pid), ...children]) {
      const stat = await readFile(`/proc/${id}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime: fields 14 and 15 of stat (11 and 12 after the command name), in clock ticks (100/s).
      total += ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    }
    return total;
  } catch {
    return undefined;
  }
}

/** Measures reads and writes against a running API. */
export async function measureHttp(target: HttpTarget, options: MeasureOptions = {}): Promise<HttpBenchResult[]> {
  const duration = options.durationSeconds ?? 10;
  const connections = options.connections ?? 64;
  const pipelining = options.pipelining ?? 1;
  const headers = { authorization: `Bearer ${target.accessToken}`, 'content-type': 'application/json' };
  const settings = { durationSeconds: duration, connections, pipelining };
  const measure = async (cannonOptions: autocannon.Options) => {
    const before = await cpuMs(target.pid);
    const result = await cannon(cannonOptions);
    const after = await cpuMs(target.pid);
    const total = Object.values(result.statusCodeStats).reduce((sum, s) => sum + s.count, 0);
    const apiCpuUsPerRequest =
      before === undefined || after === undefined || total === 0
        ? undefined
        : Math.round(((after - before) * 1000) / total);
    return { result, apiCpuUsPerRequest };
  };
  const toResult = (
    scenario: string,
    goal: string,
    { result, apiCpuUsPerRequest }: { result: CannonResult; apiCpuUsPerRequest: number | undefined },
    expectedStatus: string,
  ): HttpBenchResult => {
    const ok = result.statusCodeStats[expectedStatus]?.count ?? 0;
    return {
      scenario,
      metric: 'throughput',
      value: Math.round(result.requests.average),
      unit: 'req/s',
      p50: result.latency.p50,
      p95: result.latency.p97_5,
      p99: result.latency.p99,
      goal,
      settings: {
        ...settings,
        ...(apiCpuUsPerRequest === undefined ? {} : { apiCpuUsPerRequest }),
        [`status${expectedStatus}`]: ok,
        otherStatus: result.non2xx,
        errors: result.errors + result.timeouts,
        latencyP95IsP97_5: true,
      },
    };
  };

  // Warm-up: JIT, pool connections, prepared plans.
  await cannon({ url: `${target.baseUrl}/api/v1/users/${target.profileId}`, headers, connections, duration: 2 });
  const reads = await measure({
    url: `${target.baseUrl}/api/v1/users/${target.profileId}`,
    headers,
    connections,
    pipelining,
    duration,
  });
  const writes = await measure({
    url: `${target.baseUrl}/api/v1/transfers`,
    method: 'POST',
    headers,
    body: JSON.stringify({ toFabricUserId: target.recipientFabricUserId, amount: '1', memo: 'bench' }),
    connections,
    pipelining,
    duration,
  });
  return [
    toResult('http GET /api/v1/users/:id', '≥ 10000 req/s', reads, '200'),
    toResult('http POST /api/v1/transfers (202)', '≥ 5000 req/s', writes, '202'),
  ];
}

export interface HttpBenchOptions extends MeasureOptions {
  /** PostgreSQL server; a scratch database is created on it and dropped afterwards. */
  serverUrl: string;
  /** Path of the built CLI; default dist/src/cli.js beside this file's dist folder. */
  cliPath?: string;
  /** GX_DB_POOL_SIZE of the API. */
  poolSize?: number;
  /** Extra arguments for the API's node process (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
  /** `gx api --workers` (processes sharing the port); default 1. */
  workers?: number;
}

async function waitForListening(child: ChildProcess, port: number): Promise<void> {
  for (let i = 0; i < 300; i += 1) {
    if (child.exitCode !== null) throw new Error(`gx api exited with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/livez`)).ok) return;
    } catch {
      // not yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('gx api did not start within 30 s');
}

/** Creates a scratch database, starts `gx api` on it, sets up a writer, measures, and cleans up. */
export async function runHttpBench(options: HttpBenchOptions): Promise<HttpBenchResult[]> {
  const database = `gx_bench_http_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: options.serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(options.serverUrl);
  url.pathname = `/${database}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  let child: ChildProcess | undefined;
  try {
    await migrate(pool);
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const cliPath = options.cliPath ?? path.resolve(import.meta.dirname, '../src/cli.js');
    child = spawn(
      process.execPath,
      [
        ...(options.nodeArgs ?? []),
        cliPath,
        'api',
        '--rate-limit-per-ip',
        '0',
        '--rate-limit-per-user',
        '0',
        '--workers',
        String(options.workers ?? 1),
      ],
      {
        env: {
          PATH: process.env.PATH ?? '',
          DATABASE_URL: url.toString(),
          GX_HTTP_HOST: '127.0.0.1',
          GX_HTTP_PORT: String(port),
          GX_JWT_SECRET: randomBytes(24).toString('hex'),
          GX_LOG_LEVEL: 'warn',
          GX_DB_POOL_SIZE: String(options.poolSize ?? 16),
          NODE_ENV: 'production',
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    await waitForListening(child, port);
    const baseUrl = `http://127.0.0.1:${port}`;
    const registered = await fetch(`${baseUrl}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        fname: 'Bench',
        lname: 'Writer',
        email: `bench-${randomBytes(4).toString('hex')}@gx.test`,
        phoneNum: '+60123456789',
        password: 'bench-password-1',
        nationalityCountryCode: 'MY',
        dateOfBirth: '1990-01-01',
        gender: 'other',
      }),
    });
    const session = (await registered.json()) as { accessToken: string; user: { profileId: string } };
    await pool.query(
      `UPDATE user_profile SET status = 'APPROVED', onchain_status = 'REGISTERED', fabric_user_id = 'MY A3F HBF934 0BNCH 0001'
        WHERE profile_id = $1`,
      [session.user.profileId],
    );
    return await measureHttp(
      {
        baseUrl,
        ...(child.pid === undefined ? {} : { pid: child.pid }),
        accessToken: session.accessToken,
        profileId: session.user.profileId,
        recipientFabricUserId: 'SG 1B2 CDE123 1WXYZ 9876',
      },
      options,
    );
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [seconds, connections] = process.argv.slice(2).map(Number);
  const results = await runHttpBench({
    serverUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    durationSeconds: seconds || 10,
    connections: connections || 64,
    ...(process.env.GX_BENCH_API_WORKERS ? { workers: Number(process.env.GX_BENCH_API_WORKERS) } : {}),
    ...(process.env.GX_BENCH_NODE_ARGS ? { nodeArgs: process.env.GX_BENCH_NODE_ARGS.split(' ') } : {}),
  });
  for (const result of results) {
    process.stdout.write(
      `${result.scenario}: ${result.value} ${result.unit}, p50 ${result.p50} ms, p97.5 ${result.p95} ms, p99 ${result.p99} ms (${JSON.stringify(result.settings)})\n`,
    );
  }
}
