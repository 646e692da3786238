/**
 * Outbox submitter throughput and latency, end to end: real PostgreSQL, the real submitter, the real
 * fabric-gateway client over TLS to an in-process devnet running gxtv3. Each command is a CREATE_USER of a
 * distinct user (no two transactions touch the same key, so none conflicts).
 *
 * Two measurements per run:
 * - sustained commands/s: a backlog of `commands` rows is inserted, the submitter is started, and the rate is
 *   taken from the rows' own `committed_at` between the 10th and 90th percentile (ramp-up and tail excluded);
 * - latency under light load: `latencySamples` rows inserted one at a time at `latencyRate`/s into an idle
 *   submitter: insert → submit (ms from issuing the INSERT to the transaction being sent) and commit → row
 *   update (ms from the ledger's commit answer to the outcome committed in PostgreSQL).
 *
 * Run alone: `node dist/bench/submitter.js [commitLatencyMs] [window] [commands]`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateFabricUserId, identityDigest, systemParamsSchema } from '@gx/chaincode';
import pg from 'pg';
import { DEFAULT_SYSTEM_PARAMS } from '../src/capabilities/admin/default-system-params.js';
import { loadConfig } from '../src/config.js';
import { migrate } from '../src/db/migrator.js';
import { type DevnetOptions, startDevnet } from '../src/devnet/index.js';
import { createLedgerClient } from '../src/ledger/index.js';
import { createLogger } from '../src/observability/logger.js';
import { startSubmitter } from '../src/submitter/index.js';
import { devnetNodeArgs, startNodeProcess } from './child-process.js';
import { type BenchOptions, type BenchResult, percentiles } from './harness.js';
import { BackendCpuMeter, processCpuSeconds } from './process-cpu.js';

export interface SubmitterBenchOptions {
  /** PostgreSQL server (any database on it); a scratch database is created and dropped. */
  serverUrl: string;
  /** devnet holds every transaction this long between submit and commit; 0 = as fast as it goes. */
  commitLatencyMs?: number;
  /** GX_SUBMITTER_WINDOW; default 4096. */
  window?: number;
  /** Concurrent endorse + store + submit (SubmitterOptions.endorseConcurrency); default the submitter's. */
  endorseConcurrency?: number;
  /** GX_SUBMITTER_BATCH_SIZE; default 512. */
  batchSize?: number;
  /** Backlog size for the throughput run; default 20,000. */
  commands?: number;
  /** Rows inserted one by one for the latency run; default 500, at `latencyRate` per second (default 100). */
  latencySamples?: number;
  latencyRate?: number;
  /**
   * `process` (default): devnet runs in a child process, so the submitter's own CPU cost per command can be
   * measured; `in-process`: one process for both.
   */
  devnet?: 'process' | 'in-process';
}

export interface SubmitterBenchResult {
  commitLatencyMs: number;
  window: number;
  commands: number;
  /** Sustained committed commands per second (p10–p90 of commit times). */
  commandsPerSecond: number;
  /** Whole backlog: first claim to last commit, in seconds. */
  drainSeconds: number;
  failed: number;
  /** Most commands held at once while draining (window full = the ledger, not the submitter, is the limit). */
  maxInFlight: number;
  /** CPU time (user + system) this process spent per committed command while draining the backlog. */
  submitterCpuMsPerCommand: number;
  /** CPU time of the devnet process per command while draining (child-process devnet on Linux). */
  devnetCpuMsPerCommand?: number;
  /** CPU time of the PostgreSQL backends serving the bench database per command while draining (local server). */
  postgresCpuMsPerCommand?: number;
  /** Transactions committed in the bench database per command while draining (round trips that write). */
  postgresTransactionsPerCommand: number;
  /** Insert → claimed by the submitter (graphile-worker's "enqueue to start"). */
  insertToClaimMs: { p50: number; p95: number; p99: number };
  insertToSubmitMs: { p50: number; p95: number; p99: number };
  commitToRowUpdateMs: { p50: number; p95: number; p99: number };
}

function createUserPayload() {
  const facts = {
    email: `bench-${randomUUID()}@example.com`,
    countryCode: 'MY',
    dateOfBirth: '1990-06-15',
    gender: 'female' as const,
    accountType: 1,
  };
  return {
    fabricUserId: generateFabricUserId(facts),
    profileId: randomUUID(),
    countryCode: facts.countryCode,
    dateOfBirth: facts.dateOfBirth,
    gender: facts.gender,
    accountType: facts.accountType,
    identityDigest: identityDigest(facts),
  };
}

async function insertBacklog(pool: pg.Pool, count: number): Promise<void> {
  for (let done = 0; done < count; done += 5_000) {
    const payloads = Array.from({ length: Math.min(5_000, count - done) }, () => JSON.stringify(createUserPayload()));
    await pool.query(
      `INSERT INTO outbox_command (command_type, request_id, payload, submitted_by)
       SELECT 'CREATE_USER', gen_random_uuid()::text, p, 'bench' FROM unnest($1::jsonb[]) AS p`,
      [payloads],
    );
  }
}

/**
 * Counting the outbox takes PostgreSQL ~13 ms by the end of a run, so it is asked once a second: polled every
 * 100 ms it added ~0.1 ms to the PostgreSQL CPU per command being measured. Throughput comes from the rows'
 * commit times, so when the drain is noticed does not matter.
 */
export async function waitUntilSettled(pool: pg.Pool, expected: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbox_command
        WHERE status = 'COMMITTED' OR (status = 'FAILED' AND next_attempt_at IS NULL)`,
    );
    if ((result.rows[0]?.n ?? 0) >= expected) return;
    if (Date.now() > deadline) throw new Error(`only ${result.rows[0]?.n} of ${expected} commands settled`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/** Runs both measurements on a fresh database and devnet; see the file comment. */
export async function benchSubmitter(options: SubmitterBenchOptions): Promise<SubmitterBenchResult> {
  const commitLatencyMs = options.commitLatencyMs ?? 0;
  const window = options.window ?? 4_096;
  const commands = options.commands ?? 20_000;
  const latencySamples = options.latencySamples ?? 500;
  const latencyRate = options.latencyRate ?? 100;
  const logger = createLogger({ level: 'warn', role: 'bench' });

  const database = `gx_bench_submitter_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: options.serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(options.serverUrl);
  url.pathname = `/${database}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 16 });
  const dataDir = await mkdtemp(path.join(tmpdir(), 'gx-bench-submitter-'));
  const devnetOptions: DevnetOptions = {
    dataDir,
    port: 0,
    commitLatencyMs,
    // Commit-status calls wait at the gateway for their block: the limit must exceed the window.
    concurrencyLimit: window * 2 + 1_000,
  };
  const devnet: BenchDevnet =
    options.devnet === 'in-process'
      ? Object.assign(await startDevnet(devnetOptions), { cpuSeconds: async () => undefined })
      : await devnetProcess(devnetOptions);
  const ledger = await createLedgerClient(loadConfig(devnet.env()).fabric, { logger, name: 'bench' });
  try {
    await migrate(pool);
    await ledger.submit({
      contract: 'AdminContract',
      fn: 'BootstrapSystem',
      args: ['bench-bootstrap', JSON.stringify(systemParamsSchema.parse(DEFAULT_SYSTEM_PARAMS))],
      signer: 'super_admin',
    });

    const issuedAt = new Map<string, number>();
    const insertToClaim: number[] = [];
    const insertToSubmit: number[] = [];
    const commitToRow: number[] = [];
    let measuring = false;
    // The latency run and the throughput run use the same submitter settings.
    const settings = {
      pool,
      clientConfig: { connectionString: url.toString() },
      ledger,
      logger,
      window,
      batchSize: options.batchSize ?? 512,
      maxAttempts: 8,
    };
    const submitter = await startSubmitter({
      ...settings,
      onClaim: (command) => {
        const issued = issuedAt.get(command.id);
        if (issued !== undefined) insertToClaim.push(performance.now() - issued);
      },
      onSubmit: (command) => {
        const issued = issuedAt.get(command.id);
        if (issued !== undefined) insertToSubmit.push(performance.now() - issued);
      },
      onRecorded: (_id, writeBackMs) => {
        if (measuring) commitToRow.push(writeBackMs);
      },
    });
    try {
      // Latency under light load: one row per INSERT, paced.
      measuring = true;
      const latencyIds: string[] = [];
      for (let i = 0; i < latencySamples; i += 1) {
        const id = randomUUID();
        issuedAt.set(id, performance.now());
        latencyIds.push(id);
        await pool.query(
          `INSERT INTO outbox_command (id, command_type, request_id, payload, submitted_by)
           VALUES ($1::uuid, 'CREATE_USER', $1::text, $2, 'bench')`,
          [id, JSON.stringify(createUserPayload())],
        );
        await new Promise((resolve) => setTimeout(resolve, 1_000 / latencyRate));
      }
      await waitUntilSettled(pool, latencySamples, 60_000 + commitLatencyMs * 10);
      measuring = false;

      // Throughput: a backlog, drained by the already-running submitter.
      await submitter.stop();
      await insertBacklog(pool, commands);
      const started = performance.now();
      const cpuBefore = process.cpuUsage();
      const devnetCpuBefore = await devnet.cpuSeconds();
      const backends = new BackendCpuMeter(pool, database);
      await backends.start();
      const transactionsBefore = await committedTransactions(pool, database);
      const drain = await startSubmitter({
        ...settings,
        ...(options.endorseConcurrency ? { endorseConcurrency: options.endorseConcurrency } : {}),
      });
      let maxInFlight = 0;
      const sampler = setInterval(() => {
        maxInFlight = Math.max(maxInFlight, drain.inFlight());
      }, 50);
      try {
        await waitUntilSettled(pool, latencySamples + commands, 600_000);
      } finally {
        clearInterval(sampler);
        await drain.stop();
      }
      const drainSeconds = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpuBefore);
      const devnetCpuAfter = await devnet.cpuSeconds();
      const postgresCpu = await backends.stop();
      const transactions = (await committedTransactions(pool, database)) - transactionsBefore;
      const perCommandMs = (seconds: number) => Math.round(((seconds * 1000) / commands) * 100) / 100;
      const rate = await pool.query<{ t10: Date; t90: Date; failed: number }>(
        `WITH backlog AS (
           SELECT committed_at FROM outbox_command WHERE submitted_by = 'bench' AND id <> ALL($1::uuid[])
         )
         SELECT percentile_disc(0.1) WITHIN GROUP (ORDER BY committed_at) AS t10,
                percentile_disc(0.9) WITHIN GROUP (ORDER BY committed_at) AS t90,
                (SELECT count(*)::int FROM outbox_command WHERE status = 'FAILED') AS failed
           FROM backlog WHERE committed_at IS NOT NULL`,
        [latencyIds],
      );
      const { t10, t90, failed } = rate.rows[0]!;
      const span = (t90.getTime() - t10.getTime()) / 1000;
      return {
        commitLatencyMs,
        window,
        commands,
        commandsPerSecond: Math.round((commands * 0.8) / span),
        drainSeconds: Math.round(drainSeconds * 10) / 10,
        failed,
        maxInFlight,
        submitterCpuMsPerCommand:
          options.devnet === 'in-process'
            ? Number.NaN
            : Math.round(((cpu.user + cpu.system) / 1000 / commands) * 100) / 100,
        ...(devnetCpuBefore !== undefined && devnetCpuAfter !== undefined
          ? { devnetCpuMsPerCommand: perCommandMs(devnetCpuAfter - devnetCpuBefore) }
          : {}),
        ...(postgresCpu !== undefined ? { postgresCpuMsPerCommand: perCommandMs(postgresCpu) } : {}),
        postgresTransactionsPerCommand: Math.round((transactions / commands) * 100) / 100,
        insertToClaimMs: percentiles(insertToClaim),
        insertToSubmitMs: percentiles(insertToSubmit),
        commitToRowUpdateMs: percentiles(commitToRow),
      };
    } finally {
      await submitter.stop();
    }
  } finally {
    await ledger.close();
    await devnet.close();
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * The two configurations as `npm run bench` results: devnet at its fastest, and every transaction
 * held 2 s between submit and commit (as on the old deployment) with a window of 4,096.
 */
export async function submitterScenarios(options: BenchOptions): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const commitLatencyMs of [0, 2_000]) {
    const window = 4_096;
    const commands = options.quick ? 2_000 : commitLatencyMs > 0 ? 20_000 : 10_000;
    const run = await benchSubmitter({
      serverUrl: options.serverUrl,
      commitLatencyMs,
      window,
      commands,
      latencySamples: options.quick ? 100 : 500,
    });
    const scenario = `submitter (commit latency ${commitLatencyMs} ms)`;
    const settings = { commitLatencyMs, window, commands, failed: run.failed };
    results.push(
      {
        scenario,
        metric: 'sustained commands/s',
        value: run.commandsPerSecond,
        unit: 'cmd/s',
        goal: commitLatencyMs > 0 ? '≥ 2000 cmd/s (old deployment: 100/s)' : 'as high as devnet allows',
        settings: {
          ...settings,
          submitterCpuMsPerCommand: run.submitterCpuMsPerCommand,
          ...(run.devnetCpuMsPerCommand === undefined ? {} : { devnetCpuMsPerCommand: run.devnetCpuMsPerCommand }),
          ...(run.postgresCpuMsPerCommand === undefined
            ? {}
            : { postgresCpuMsPerCommand: run.postgresCpuMsPerCommand }),
          postgresTransactionsPerCommand: run.postgresTransactionsPerCommand,
          drainSeconds: run.drainSeconds,
        },
      },
      {
        scenario,
        metric: 'insert → claim',
        value: run.insertToClaimMs.p50,
        unit: 'ms',
        ...run.insertToClaimMs,
        goal: 'p50 ≤ 5 ms',
        settings,
      },
      {
        scenario,
        metric: 'insert → submit',
        value: run.insertToSubmitMs.p50,
        unit: 'ms',
        ...run.insertToSubmitMs,
        settings,
      },
      {
        scenario,
        metric: 'commit → row update',
        value: run.commitToRowUpdateMs.p50,
        unit: 'ms',
        ...run.commitToRowUpdateMs,
        goal: '≪ 50 ms',
        settings,
      },
    );
  }
  return results;
}

/** The devnet a bench runs against: its settings, its CPU seconds so far (when measurable), how to stop it. */
export interface BenchDevnet {
  env(): Record<string, string>;
  cpuSeconds(): Promise<number | undefined>;
  close(): Promise<void>;
}

/** Transactions committed so far in `database` (pg_stat_database; the statistics lag by up to a second). */
async function committedTransactions(pool: pg.Pool, database: string): Promise<number> {
  // Backends report their counts at most once a second: let the last ones arrive.
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  const result = await pool.query<{ n: string }>(
    'SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = $1',
    [database],
  );
  return Number(result.rows[0]?.n ?? 0);
}

/** Starts devnet in a child process (see submitter-devnet-process.ts); `close()` ends it. */
export async function devnetProcess(options: DevnetOptions): Promise<BenchDevnet> {
  const script = new URL('./submitter-devnet-process.js', import.meta.url);
  const { child, ready: env } = await startNodeProcess(
    'devnet process',
    [...devnetNodeArgs(), script.pathname, JSON.stringify(options)],
    { stdin: 'pipe' },
    (output): Record<string, string> | undefined => {
      const line = output.split('\n').find((candidate) => candidate.startsWith('{') && candidate.endsWith('}'));
      return line === undefined ? undefined : JSON.parse(line);
    },
  );
  return {
    env: () => env,
    cpuSeconds: () => processCpuSeconds(child.pid),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin?.end();
      }),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [commitLatencyMs, window, commands, endorseConcurrency] = process.argv.slice(2).map(Number);
  benchSubmitter({
    serverUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    ...(commitLatencyMs !== undefined ? { commitLatencyMs } : {}),
    ...(window ? { window } : {}),
    ...(commands ? { commands } : {}),
    ...(endorseConcurrency ? { endorseConcurrency } : {}),
  }).then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.stack : error}\n`);
      process.exit(1);
    },
  );
}
