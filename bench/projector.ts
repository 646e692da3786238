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
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { migrate } from '../src/db/migrator.js';
import { createLedgerClient } from '../src/ledger/index.js';
import { createLogger } from '../src/observability/logger.js';
import type { BatchOutcome } from '../src/projector/apply-batch.js';
import { createProjector } from '../src/projector/projector.js';
import { rebuildProjection } from '../src/projector/rebuild.js';
import type { ChaincodeEventSource, EventStreamOptions, SourceEvent } from '../src/projector/source.js';
import { transferCompleted, type UnplacedEvent, userCreated } from '../test/support/event-fixtures.js';
import { percentiles } from './harness.js';

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
      value: percentiles(latencies).p50,
      unit: 'ms',
      ...percentiles(latencies),
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

/**
 * Transfers in flight in the live phase on devnet. Devnet, the client (three signatures per transaction)
 * and the projector share this process's event loop here, so a low rate keeps the figure the projector's.
 */
const _LIVE_IN_FLIGHT = 2;

export interface DevnetProjectorBenchOptions {
  serverUrl: string;
  /** Transfers put on the devnet ledger before the projector starts; default 2,000 (300 with `quick`). */
  transfers?: number;
  quick?: boolean;
  /** Transactions in flight while filling the ledger; default 32. */
  inFlight?: number;
}

type WorkerMessage =
  | { type: 'filled'; env: Record<string, string>; lastBlock: string; events: number; fillSeconds: number }
  | { type: 'committed'; block: string; at: number }
  | { type: 'done' }
  | { type: 'error'; message: string };

/**
 * Catch-up and live latency through the real path: devnet (TLS gRPC) and the production ledger client's
 * event stream. Devnet and the load client run in a worker thread; this thread runs only the projector.
 * - catch-up: `transfers` committed TransferCompleted events read from block 0.
 * - live: transfers at a moderate rate (2 in flight); latency from the commit status reaching the client to
 *   the commit of the transfer's rows (negative: the rows were there before the client heard of the commit).
 */
export async function benchProjectorOnDevnet(options: DevnetProjectorBenchOptions): Promise<ProjectorBenchResult[]> {
  const transfers = options.transfers ?? (options.quick ? 300 : 2000);
  const liveTransfers = options.quick ? 100 : 400;
  const liveInFlight = 2;
  const worker = new Worker(new URL('./projector-ledger-worker.js', import.meta.url), {
    workerData: { transfers, inFlight: options.inFlight ?? 32, liveTransfers, liveInFlight },
  });
  const inbox: WorkerMessage[] = [];
  let wake: (() => void) | undefined;
  worker.on('message', (message: WorkerMessage) => {
    inbox.push(message);
    wake?.();
  });
  const receive = async (): Promise<WorkerMessage> => {
    while (inbox.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    const message = inbox.shift()!;
    if (message.type === 'error') throw new Error(`ledger worker: ${message.message}`);
    return message;
  };
  const logger = createLogger({ level: 'silent', role: 'bench' });
  try {
    const filled = await receive();
    if (filled.type !== 'filled') throw new Error(`unexpected ${filled.type}`);
    const lastBlock = BigInt(filled.lastBlock);
    const ledger = await createLedgerClient(loadConfig(filled.env).fabric, { logger });
    try {
      return await withScratchDatabase(options.serverUrl, async (pool) => {
        const started = performance.now();
        let caughtUpSeconds: number | undefined;
        let connectSeconds = 0;
        const committedAt = new Map<bigint, number>();
        let appliedThrough = -1n;
        const stop = new AbortController();
        // The rate is taken from the first event's arrival: connecting (TLS, the first seek) is not catch-up.
        let firstEventAt: number | undefined;
        const source: ChaincodeEventSource = {
          async *chaincodeEvents(streamOptions) {
            for await (const event of ledger.chaincodeEvents(streamOptions)) {
              firstEventAt ??= performance.now();
              yield event;
            }
          },
        };
        const running = createProjector({
          pool,
          source,
          logger,
          onBatch: (outcome) => {
            const now = performance.timeOrigin + performance.now();
            const through = outcome.checkpoint?.blockNumber ?? -1n;
            for (let block = appliedThrough + 1n; block <= through; block += 1n) committedAt.set(block, now);
            if (through > appliedThrough) appliedThrough = through;
            if (caughtUpSeconds === undefined && through >= lastBlock) {
              caughtUpSeconds = (performance.now() - (firstEventAt ?? started)) / 1000;
              connectSeconds = ((firstEventAt ?? started) - started) / 1000;
            }
          },
        }).run(stop.signal);
        while (caughtUpSeconds === undefined) await new Promise((resolve) => setTimeout(resolve, 5));

        worker.postMessage('live');
        const commits: Array<{ block: bigint; at: number }> = [];
        for (let message = await receive(); message.type !== 'done'; message = await receive()) {
          if (message.type === 'committed') commits.push({ block: BigInt(message.block), at: message.at });
        }
        const lastLive = commits.reduce((max, c) => (c.block > max ? c.block : max), 0n);
        while (appliedThrough < lastLive) await new Promise((resolve) => setTimeout(resolve, 5));
        stop.abort();
        await running;
        const latencies = commits.map((c) => (committedAt.get(c.block) ?? Number.NaN) - c.at);
        const results: ProjectorBenchResult[] = [
          {
            scenario: 'projector catch-up from devnet',
            metric: 'events applied',
            value: Math.round(filled.events / caughtUpSeconds),
            unit: 'events/s',
            goal: '≥ 10000 events/s',
            settings: {
              events: filled.events,
              blocks: Number(lastBlock) + 1,
              seconds: Math.round(caughtUpSeconds * 100) / 100,
              connectSeconds: Math.round(connectSeconds * 100) / 100,
              ledgerFillTxPerSecond: Math.round(transfers / filled.fillSeconds),
            },
          },
          {
            scenario: 'projector live on devnet',
            metric: 'commit-status-to-row latency',
            value: percentiles(latencies).p50,
            unit: 'ms',
            ...percentiles(latencies),
            goal: 'p99 < 50 ms',
            settings: { transfers: liveTransfers, inFlight: liveInFlight },
          },
        ];
        return results;
      });
    } finally {
      await ledger.close();
    }
  } finally {
    worker.postMessage('close');
    await new Promise((resolve) => worker.once('exit', resolve));
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
