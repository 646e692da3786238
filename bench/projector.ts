/**
 * Projector throughput and latency on real PostgreSQL.
 *
 * - catch-up: a ledger history of `events` chaincode events (users created, then transfers among them, in
 *   blocks of 500 as a busy Fabric channel cuts them) is prepared in memory; the projector starts at block 0
 *   and the clock stops when the last block's checkpoint commits. Events/s applied = events / time. The
 *   stream is in memory so the figure is the projector's and PostgreSQL's, not the ledger's.
 * - event-to-row latency: the projector is caught up and live; blocks of 10 transfers are delivered every
 *   10 ms (1,000 events/s, moderate load). Latency = from the moment a block is handed to the projector's
 *   stream to the commit of the transaction that holds its rows.
 *
 * - rebuild: `gx projector rebuild`'s replay of that history, and how long its switch-over transaction takes.
 * - catch-up from devnet: the same through the production path (devnet over TLS gRPC, the ledger client).
 *
 * Run alone: `node dist/bench/projector.js [events] [devnetTransfers]` (DATABASE_URL or the local PostgreSQL 15 server).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { migrate } from '../src/db/migrator.js';
import { startDevnet } from '../src/devnet/index.js';
import { createLedgerClient } from '../src/ledger/index.js';
import { createLogger } from '../src/observability/logger.js';
import type { BatchOutcome } from '../src/projector/apply-batch.js';
import { transferCompleted, type UnplacedEvent, userCreated } from '../src/projector/event-fixtures.js';
import { LedgerScenario, type ScenarioUser } from '../src/projector/ledger-scenario.js';
import { createProjector } from '../src/projector/projector.js';
import { rebuildProjection } from '../src/projector/rebuild.js';
import type { ChaincodeEventSource, EventStreamOptions, SourceEvent } from '../src/projector/source.js';

/** One measurement, in the shape `npm run bench` prints (bench/harness.ts `BenchResult`). */
export interface ProjectorBenchResult {
  scenario: string;
  metric: string;
  value: number;
  unit: string;
  p50?: number;
  p95?: number;
  p99?: number;
  goal: string;
  settings: Record<string, string | number | boolean>;
}

export interface ProjectorBenchOptions {
  /** PostgreSQL server on which a scratch database is created (and dropped). */
  serverUrl: string;
  /** Events in the catch-up history; default 200,000 (20,000 with `quick`). */
  events?: number;
  quick?: boolean;
  /** Blocks delivered in the latency run; default 1,000 (200 with `quick`). */
  latencyBlocks?: number;
}

/** An in-memory ledger stream: holds committed blocks, delivers them from any start block, then waits for more. */
class MemoryLedger implements ChaincodeEventSource {
  readonly blocks: SourceEvent[][] = [];
  readonly deliveredAt = new Map<bigint, number>();
  #wake: (() => void) | undefined;

  append(events: UnplacedEvent[]): bigint {
    const blockNumber = BigInt(this.blocks.length);
    this.blocks.push(
      events.map((event, i) => ({ ...event, blockNumber, transactionId: `${blockNumber}-${i}-${randomUUID()}` })),
    );
    this.#wake?.();
    return blockNumber;
  }

  async *chaincodeEvents(options: EventStreamOptions): AsyncIterable<SourceEvent> {
    let next = Number(options.startBlock ?? 0n);
    while (!options.signal?.aborted) {
      while (next < this.blocks.length) {
        const block = this.blocks[next]!;
        this.deliveredAt.set(BigInt(next), performance.now());
        next += 1;
        yield* block;
        // A network stream hands over what it has buffered, then waits for the socket: so does this.
        if (next % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          options.signal?.removeEventListener('abort', done);
          resolve();
        };
        this.#wake = done;
        options.signal?.addEventListener('abort', done, { once: true });
      });
    }
  }

  async ledgerHeight(): Promise<bigint> {
    return BigInt(this.blocks.length);
  }
}

function userId(i: number): string {
  return `MY 000 AAA${String(i % 1000).padStart(3, '0')} 0BNCH ${String(i).padStart(4, '0')}`;
}

function transfer(i: number, users: number): UnplacedEvent {
  const from = userId(i % users);
  const to = userId((i * 7 + 1) % users);
  return transferCompleted({
    from,
    to: from === to ? userId((i + 1) % users) : to,
    amount: '10',
    fee: '1',
    feeCollector: 'GX_FEE_COLLECTOR',
    fromBalance: String(1_000_000 - i),
    toBalance: String(1_000_000 + i),
    feeCollectorBalance: String(i),
    memo: `bench ${i}`,
  });
}

function percentile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const value = sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
  return Math.round(value * 100) / 100;
}

async function withScratchDatabase<T>(serverUrl: string, work: (pool: pg.Pool, url: string) => Promise<T>): Promise<T> {
  const name = `gx_bench_projector_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 4 });
  // DROP DATABASE … WITH (FORCE) ends idle connections; that is expected, not a crash.
  pool.on('error', () => undefined);
  try {
    await migrate(pool);
    return await work(pool, url.toString());
  } finally {
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

/** Runs `projector` on `ledger` until `done` says so; returns what it observed. */
async function project(
  pool: pg.Pool,
  ledger: MemoryLedger,
  onBatch: (outcome: BatchOutcome, stop: () => void) => void,
): Promise<void> {
  const stop = new AbortController();
  const projector = createProjector({
    pool,
    source: ledger,
    logger: createLogger({ level: 'silent', role: 'bench' }),
    onBatch: (outcome) => onBatch(outcome, () => stop.abort()),
  });
  await projector.run(stop.signal);
}

/** Measures catch-up throughput and live event-to-row latency of the projector. */
export async function benchProjector(options: ProjectorBenchOptions): Promise<ProjectorBenchResult[]> {
  const total = options.events ?? (options.quick ? 20_000 : 200_000);
  const users = 1000;
  const blockSize = 500;
  const results: ProjectorBenchResult[] = [];

  await withScratchDatabase(options.serverUrl, async (pool, url) => {
    const ledger = new MemoryLedger();
    let pending: UnplacedEvent[] = [];
    for (let i = 0; i < users; i += 1) pending.push(userCreated({ profileId: 'external', fabricUserId: userId(i) }));
    for (let i = 0; pending.length > 0 || i < total - users; i += 1) {
      if (i < total - users) pending.push(transfer(i, users));
      if (pending.length >= blockSize || i >= total - users - 1) {
        ledger.append(pending);
        pending = [];
      }
    }
    const lastBlock = BigInt(ledger.blocks.length - 1);
    let transactions = 0;
    const started = performance.now();
    await project(pool, ledger, (outcome, stop) => {
      transactions += 1;
      if (outcome.checkpoint && outcome.checkpoint.blockNumber >= lastBlock) stop();
    });
    const seconds = (performance.now() - started) / 1000;
    results.push({
      scenario: 'projector catch-up',
      metric: 'events applied',
      value: Math.round(total / seconds),
      unit: 'events/s',
      goal: '≥ 10000 events/s',
      settings: { events: total, blockSize, users, transactions, seconds: Math.round(seconds * 100) / 100 },
    });

    // Live: the projector is caught up; blocks arrive at a moderate rate.
    const blocks = options.latencyBlocks ?? (options.quick ? 200 : 1000);
    const perBlock = 10;
    const latencies: number[] = [];
    const firstLive = BigInt(ledger.blocks.length);
    let seq = total;
    const live = project(pool, ledger, (outcome, stop) => {
      const now = performance.now();
      const through = outcome.checkpoint?.blockNumber ?? -1n;
      for (const [block, at] of ledger.deliveredAt) {
        if (block >= firstLive && block <= through) {
          latencies.push(now - at);
          ledger.deliveredAt.delete(block);
        }
      }
      if (through >= firstLive + BigInt(blocks) - 1n) stop();
    });
    for (let b = 0; b < blocks; b += 1) {
      ledger.append(Array.from({ length: perBlock }, () => transfer(seq++, users)));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await live;
    results.push({
      scenario: 'projector live',
      metric: 'event-to-row latency',
      value: percentile(latencies, 0.5),
      unit: 'ms',
      p50: percentile(latencies, 0.5),
      p95: percentile(latencies, 0.95),
      p99: percentile(latencies, 0.99),
      goal: 'p99 < 50 ms',
      settings: { blocks, eventsPerBlock: perBlock, intervalMs: 10, offeredEventsPerSecond: perBlock * 100 },
    });

    // Rebuild: replay the whole history into gx_rebuild, then merge it in (one transaction; the live
    // projector waits for it, readers do not).
    const rebuildStarted = performance.now();
    const rebuilt = await rebuildProjection(
      {
        pool,
        clientConfig: { connectionString: url },
        source: ledger,
        logger: createLogger({ level: 'silent', role: 'bench' }),
        idleMs: 200,
      },
      new AbortController().signal,
    );
    const rebuildSeconds = (performance.now() - rebuildStarted) / 1000;
    results.push({
      scenario: 'projector rebuild',
      metric: 'switch-over transaction (readers not blocked)',
      value: Math.round(rebuilt.switchMs),
      unit: 'ms',
      goal: 'no half-built data served',
      settings: {
        events: rebuilt.events,
        historyRows: Number((await pool.query('SELECT count(*) AS n FROM transaction_history')).rows[0]?.n ?? 0),
        replayEventsPerSecond: Math.round(rebuilt.events / rebuildSeconds),
        seconds: Math.round(rebuildSeconds * 100) / 100,
      },
    });
  });
  return results;
}

export interface DevnetProjectorBenchOptions {
  serverUrl: string;
  /** Transfers put on the devnet ledger before the projector starts; default 2,000 (300 with `quick`). */
  transfers?: number;
  quick?: boolean;
  /** Transactions in flight while filling the ledger; default 32. */
  inFlight?: number;
}

/**
 * Catch-up through the real path: a devnet ledger (in-process, TLS gRPC) holding `transfers` committed
 * TransferCompleted events, read by the production ledger client's event stream from block 0.
 */
export async function benchProjectorOnDevnet(options: DevnetProjectorBenchOptions): Promise<ProjectorBenchResult[]> {
  const transfers = options.transfers ?? (options.quick ? 300 : 2000);
  const inFlight = options.inFlight ?? 32;
  const logger = createLogger({ level: 'silent', role: 'bench' });
  const dataDir = await mkdtemp(path.join(tmpdir(), 'gx-bench-projector-'));
  const devnet = await startDevnet({ dataDir, port: 0, tls: true, blockTimeoutMs: 5 });
  const ledger = await createLedgerClient(loadConfig(devnet.env()).fabric, { logger });
  try {
    const scenario = new LedgerScenario(ledger);
    await scenario.bootstrap();
    // Each writer moves tokens between its own two users: concurrent transfers of one account would fail
    // MVCC validation, as on Fabric.
    // (Genesis allocations count recipients in one key: those go one at a time.)
    const pairs: Array<readonly [ScenarioUser, ScenarioUser]> = [];
    for (let w = 0; w < inFlight; w += 1) {
      const pair = [await scenario.createUser(), await scenario.createUser()] as const;
      for (const user of pair) await scenario.genesis(user);
      pairs.push(pair);
    }
    let next = 0;
    const fillStarted = performance.now();
    await Promise.all(
      pairs.map(async ([a, b]) => {
        while (next < transfers) {
          const i = next++;
          // Amount 1 with a 1% fee rounds the fee to 0: the shared fee collector stays out of the write set.
          await (i % 2 === 0 ? scenario.transfer(a, b, '1') : scenario.transfer(b, a, '1'));
        }
      }),
    );
    const fillSeconds = (performance.now() - fillStarted) / 1000;
    const lastBlock = devnet.height() - 1n;
    const events = 1 + inFlight * 4 + transfers;
    return await withScratchDatabase(options.serverUrl, async (pool) => {
      const started = performance.now();
      const stop = new AbortController();
      await createProjector({
        pool,
        source: ledger,
        logger,
        onBatch: (outcome) => {
          if (outcome.checkpoint && outcome.checkpoint.blockNumber >= lastBlock) stop.abort();
        },
      }).run(stop.signal);
      const seconds = (performance.now() - started) / 1000;
      return [
        {
          scenario: 'projector catch-up from devnet',
          metric: 'events applied',
          value: Math.round(events / seconds),
          unit: 'events/s',
          goal: '≥ 10000 events/s',
          settings: {
            events,
            blocks: Number(lastBlock) + 1,
            seconds: Math.round(seconds * 100) / 100,
            ledgerFillTxPerSecond: Math.round(transfers / fillSeconds),
          },
        },
      ];
    });
  } finally {
    await ledger.close();
    await devnet.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const events = process.argv[2] ? Number(process.argv[2]) : undefined;
  const run = async () => [
    ...(await benchProjector({ serverUrl, events })),
    ...(await benchProjectorOnDevnet({ serverUrl, transfers: process.argv[3] ? Number(process.argv[3]) : undefined })),
  ];
  run().then(
    (results) => process.stdout.write(`${JSON.stringify(results, null, 2)}\n`),
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exit(1);
    },
  );
}
