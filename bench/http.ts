/**
 * HTTP API throughput and latency with autocannon against a running `gx api` (a child process of the built
 * CLI, on real PostgreSQL): `GET /api/v1/users/:id` (authenticated read) and `POST /api/v1/transfers`
 * (authenticated write: validation + outbox row committed, answer 202).
 *
 * - {@link measureHttp} drives an API that is already running, given users' tokens and profile ids.
 * - {@link runHttpBench} does the whole thing: scratch database, `gx api`, fixtures, both measurements, in
 *   one of two profiles: `tuned` (GX_LOG_LEVEL=warn, rate limits off, one user: the API's own cost) or
 *   `production` (every setting at its production default: access lines at info sampled 1 in 100, rate
 *   limits on, many distinct users, each within its budget: what a deployment gets).
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
import { createSigner } from 'fast-jwt';
import pg from 'pg';
import { migrate } from '../src/db/migrator.js';
import { DEFAULT_AUDIENCE, DEFAULT_ISSUER, keyIdOf } from '../src/http/auth.js';

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

/** A user of the API: a read fetches the user's own profile, a write sends from the user's wallet. */
export interface HttpUser {
  accessToken: string;
  profileId: string;
}

export interface HttpTarget {
  baseUrl: string;
  /** The API's process id, when known: its CPU time per request is reported too (Linux /proc). */
  pid?: number;
  /** Requests go to these users in turn. */
  users: readonly HttpUser[];
  /** Scenario label suffix, e.g. `, production defaults`. */
  label?: string;
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
  const [first] = target.users;
  if (!first) throw new Error('measureHttp needs at least one user');
  const headers = { authorization: `Bearer ${first.accessToken}`, 'content-type': 'application/json' };
  const settings = { durationSeconds: duration, connections, pipelining, users: target.users.length };
  // With many users each request takes the next user's token (and, for reads, their profile), so per-user
  // rate limits and caches see many distinct keys; with one user the request never changes.
  let turn = 0;
  const nextUser = (): HttpUser => target.users[turn++ % target.users.length] ?? first;
  const perUser = (path: (user: HttpUser) => string): Partial<autocannon.Options> =>
    target.users.length === 1
      ? {}
      : {
          requests: [
            {
              setupRequest: (request) => {
                const user = nextUser();
                return {
                  ...request,
                  path: path(user),
                  headers: { ...request.headers, authorization: `Bearer ${user.accessToken}` },
                };
              },
            },
          ],
        };
  const label = target.label ?? '';
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
  const readOptions: autocannon.Options = {
    url: `${target.baseUrl}/api/v1/users/${first.profileId}`,
    headers,
    connections,
    pipelining,
    duration,
    ...perUser((user) => `/api/v1/users/${user.profileId}`),
  };
  await cannon({ ...readOptions, pipelining: 1, duration: 2 });
  const reads = await measure(readOptions);
  const writes = await measure({
    url: `${target.baseUrl}/api/v1/transfers`,
    method: 'POST',
    headers,
    body: JSON.stringify({ toFabricUserId: target.recipientFabricUserId, amount: '1', memo: 'bench' }),
    connections,
    pipelining,
    duration,
    ...perUser(() => '/api/v1/transfers'),
  });
  return [
    toResult(`http GET /api/v1/users/:id${label}`, '≥ 10000 req/s', reads, '200'),
    toResult(`http POST /api/v1/transfers (202)${label}`, '≥ 5000 req/s', writes, '202'),
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
  /** `tuned` (default): logs at warn, rate limits off, one user; `production`: production defaults, many users. */
  profile?: HttpProfile;
  /** Distinct users in the production profile (default 1000). */
  users?: number;
}

export type HttpProfile = 'tuned' | 'production';

/** How `gx api` is started in each profile: the tuned one turns off what production keeps on. */
function profileSettings(profile: HttpProfile): { args: string[]; env: Record<string, string> } {
  if (profile === 'production') return { args: [], env: {} };
  return {
    args: ['--rate-limit-per-ip', '0', '--rate-limit-per-user', '0'],
    env: { GX_LOG_LEVEL: 'warn' },
  };
}

/**
 * `count` more users like `template` (approved, on the ledger, each with its own Fabric user id), with access
 * tokens signed as the API signs them: registering them through the API would take argon2 hashing and the
 * per-IP registration limit for each.
 */
async function cloneUsers(pool: pg.Pool, template: string, count: number, jwtSecret: string): Promise<HttpUser[]> {
  const rows = await pool.query<{ profile_id: string }>(
    `INSERT INTO user_profile (email, password_hash, first_name, last_name, phone_num, nationality_country_code,
                               date_of_birth, gender, status, onchain_status, fabric_user_id)
     SELECT 'bench-' || i || '-' || email, password_hash, first_name, last_name, phone_num, nationality_country_code,
            date_of_birth, gender, 'APPROVED', 'REGISTERED', 'MY A3F HBF934 1BNCH ' || lpad(i::text, 4, '0')
       FROM user_profile, generate_series(1, $2::int) AS i
      WHERE profile_id = $1
     RETURNING profile_id`,
    [template, count],
  );
  const sign = createSigner({
    key: jwtSecret,
    algorithm: 'HS256',
    expiresIn: 3_600_000,
    iss: DEFAULT_ISSUER,
    aud: DEFAULT_AUDIENCE,
    kid: keyIdOf(jwtSecret),
  });
  return rows.rows.map((row) => ({
    profileId: row.profile_id,
    accessToken: sign({ sub: row.profile_id, role: 'user' }),
  }));
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
    const profile = options.profile ?? 'tuned';
    const tuning = profileSettings(profile);
    const jwtSecret = randomBytes(24).toString('hex');
    child = spawn(
      process.execPath,
      [...(options.nodeArgs ?? []), cliPath, 'api', ...tuning.args, '--workers', String(options.workers ?? 1)],
      {
        env: {
          PATH: process.env.PATH ?? '',
          DATABASE_URL: url.toString(),
          GX_HTTP_HOST: '127.0.0.1',
          GX_HTTP_PORT: String(port),
          GX_JWT_SECRET: jwtSecret,
          GX_DB_POOL_SIZE: String(options.poolSize ?? 16),
          NODE_ENV: 'production',
          ...tuning.env,
        },
        // The access lines go to a pipe that is read and dropped, as a container runtime reads stdout.
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    child.stdout?.resume();
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
    const writer: HttpUser = { accessToken: session.accessToken, profileId: session.user.profileId };
    const users =
      profile === 'production'
        ? [writer, ...(await cloneUsers(pool, writer.profileId, (options.users ?? 1000) - 1, jwtSecret))]
        : [writer];
    return await measureHttp(
      {
        baseUrl,
        ...(child.pid === undefined ? {} : { pid: child.pid }),
        users,
        ...(profile === 'production' ? { label: `, production defaults (${users.length} users)` } : {}),
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
    profile: process.env.GX_BENCH_HTTP_PROFILE === 'production' ? 'production' : 'tuned',
    ...(process.env.GX_BENCH_API_WORKERS ? { workers: Number(process.env.GX_BENCH_API_WORKERS) } : {}),
    ...(process.env.GX_BENCH_NODE_ARGS ? { nodeArgs: process.env.GX_BENCH_NODE_ARGS.split(' ') } : {}),
  });
  for (const result of results) {
    process.stdout.write(
      `${result.scenario}: ${result.value} ${result.unit}, p50 ${result.p50} ms, p97.5 ${result.p95} ms, p99 ${result.p99} ms (${JSON.stringify(result.settings)})\n`,
    );
  }
}
