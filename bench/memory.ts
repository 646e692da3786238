/**
 * Memory per role: each `gx` process's resident set (RSS), V8 heap in use and external memory (Buffers and
 * ArrayBuffers outside the heap), read from the role's own /metrics, with every role in its own process.
 *
 * - **steady state under load**: transfers at a steady rate, sampled over the last part of the run;
 * - **after a burst**: as many transfers as fast as the API takes them, then idle until every one is
 *   projected and a little longer: what a role keeps once the work is done.
 *
 * Goals (issue 27): < 256 MiB per role at steady state; after a burst within 20% of the steady figure.
 * Each figure is the median of several samples a second apart.
 */
import pg from 'pg';
import { ApiClient } from '../src/dev/api-client.js';
import type { BenchResult } from './harness.js';
import { type RoleMemory, type RunningSystem, startSystem } from './system.js';
import { measure, pool, type Sender, seedUsers, settle } from './time-to-queryable.js';

export interface MemoryBenchOptions {
  serverUrl: string;
  quick: boolean;
}

const STEADY_GOAL_MIB = 256;
const BURST_TOLERANCE = 0.2;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/** The median of `samples` readings of every role's memory, one a second. */
async function sampleMemory(system: RunningSystem, samples: number): Promise<Record<string, RoleMemory>> {
  const readings: Array<Record<string, RoleMemory>> = [];
  for (let i = 0; i < samples; i++) {
    readings.push(await system.memory());
    if (i < samples - 1) await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  const roles = Object.keys(readings[0] ?? {});
  return Object.fromEntries(
    roles.map((role) => {
      const of = (field: keyof RoleMemory) => median(readings.map((reading) => reading[role]?.[field] ?? Number.NaN));
      return [role, { rss: of('rss'), heapUsed: of('heapUsed'), heapTotal: of('heapTotal'), external: of('external') }];
    }),
  );
}

/** Sends `count` transfers through the API, `concurrency` at a time, waiting only for each 202. */
async function burst(users: Sender[], count: number, concurrency: number): Promise<void> {
  const pairs = Math.floor(users.length / 2);
  await pool(
    Array.from({ length: count }, (_, i) => i),
    concurrency,
    async (i) => {
      const pair = i % pairs;
      const from = users[2 * pair] as Sender;
      const to = users[2 * pair + 1] as Sender;
      await from.client.post('/api/v1/transfers', { toFabricUserId: to.fabricUserId, amount: '1' });
    },
  );
}

/** Waits until every command in the outbox is projected or has failed for good. */
async function drained(databaseUrl: string, timeoutMs: number): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await client.query<{ open: number }>(
        `SELECT count(*)::int AS open FROM outbox_command
          WHERE projected_at IS NULL AND NOT (status = 'FAILED' AND next_attempt_at IS NULL)`,
      );
      if ((rows[0]?.open ?? 0) === 0) return;
      if (Date.now() > deadline) throw new Error(`${rows[0]?.open} commands still open after the burst`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    await client.end();
  }
}

function row(role: string, phase: string, memory: RoleMemory, goal: string, settings: BenchResult['settings']) {
  return {
    scenario: `memory: gx ${role}, ${phase}`,
    metric: `RSS (heap used ${memory.heapUsed}, external ${memory.external} MiB)`,
    value: memory.rss,
    unit: 'MiB',
    goal,
    settings: {
      ...settings,
      rssMiB: memory.rss,
      heapUsedMiB: memory.heapUsed,
      heapTotalMiB: memory.heapTotal,
      externalMiB: memory.external,
    },
  } satisfies BenchResult;
}

export async function benchMemory(options: MemoryBenchOptions): Promise<BenchResult[]> {
  // Quick (the CI smoke run): the same path, small enough to add well under a minute.
  const rate = options.quick ? 20 : 100;
  const seconds = options.quick ? 4 : 30;
  const userCount = options.quick ? 10 : 200;
  const burstSize = options.quick ? 300 : 24_000;
  const settleSeconds = options.quick ? 2 : 10;
  const samples = options.quick ? 2 : 5;
  const system = await startSystem({ serverUrl: options.serverUrl, commitLatencyMs: 0 });
  try {
    const anonymous = new ApiClient(system.baseUrl);
    const login = await anonymous.post<{ accessToken: string }>('/api/v1/auth/login', system.admin);
    const admin = anonymous.as(login.accessToken);
    await settle(admin, (await admin.post<{ commandId: string }>('/api/v1/bootstrap')).commandId, 'bootstrap');
    const users = await seedUsers(anonymous, admin, userCount);

    // Steady state: sampled while the load runs, over its last `samples` seconds.
    const load = measure(users, rate, seconds);
    await new Promise((resolve) => setTimeout(resolve, (seconds - samples) * 1000));
    const steady = await sampleMemory(system, samples);
    const { latencies, failed } = await load;

    await burst(users, burstSize, 64);
    await drained(system.databaseUrl, 900_000);
    await new Promise((resolve) => setTimeout(resolve, settleSeconds * 1000));
    const after = await sampleMemory(system, samples);

    const results: BenchResult[] = [];
    for (const [role, memory] of Object.entries(steady)) {
      results.push(
        row(role, `steady state (${rate} transfers/s)`, memory, `< ${STEADY_GOAL_MIB} MiB`, {
          rate,
          seconds,
          users: userCount,
          projected: latencies.length,
          failed,
        }),
      );
    }
    for (const [role, memory] of Object.entries(after)) {
      const before = steady[role]?.rss ?? Number.NaN;
      results.push(
        row(
          role,
          `idle after a burst of ${burstSize} transfers`,
          memory,
          `≤ ${Math.round(before * (1 + BURST_TOLERANCE))} MiB (steady + 20%)`,
          { burst: burstSize, steadyRssMiB: before, growth: Math.round((memory.rss / before - 1) * 100) / 100 },
        ),
      );
    }
    return results;
  } finally {
    await system.stop();
  }
}
