/**
 * The projection loop: read the checkpoint, stream events from the block it names, apply them in batches
 * (rows and checkpoint in one transaction), and on any failure of the stream or the database start over
 * from the checkpoint after an exponential, jittered backoff. It stops only when its signal aborts.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { createBackoff } from '../backoff.js';
import type { Logger } from '../observability/logger.js';
import { applyBatch, type BatchOutcome, type PreparedBatch, prepareBatch } from './apply-batch.js';
import { ensureCheckpointRow, readCheckpoint, recordLedgerHeight } from './checkpoint.js';
import { eventBatches } from './event-batches.js';
import * as metrics from './metrics.js';
import type { StreamPosition } from './position.js';
import type { ChaincodeEventSource } from './source.js';

/** The projection every replica of `gx projector` maintains. */
export const DEFAULT_PROJECTION = 'main';

export interface ProjectorOptions {
  pool: pg.Pool;
  source: ChaincodeEventSource;
  logger: Logger;
  /** Name of the projection (its row in `projector_state`); default {@link DEFAULT_PROJECTION}. */
  projection?: string;
  /** Most events in one transaction when behind (whole blocks are never split); default 5000. */
  maxBatchEvents?: number;
  /** Backoff before reopening a broken stream: default 100 ms doubling (with jitter) to 10 s. */
  reconnect?: { initialMs?: number; maxMs?: number };
  /** How often to ask the source for the ledger height, when it can tell; default 2 s. */
  heightIntervalMs?: number;
  /** Called after each committed batch (benchmarks and tests observe progress here). */
  onBatch?: (outcome: BatchOutcome) => void;
  /**
   * Called when no event has arrived for `afterMs` (the projection has caught up). Returning `'stop'` ends
   * {@link Projector.run}; a rebuild uses this to switch over.
   */
  idle?: { afterMs: number; onIdle: () => Promise<'continue' | 'stop'> };
}

/** What the projector knows about its progress, for health checks. */
export interface ProjectorStatus {
  checkpoint: StreamPosition | undefined;
  /** Ledger height as last seen (stream or source); undefined before anything was seen. */
  ledgerHeight: bigint | undefined;
  lagBlocks: number | undefined;
  lastAppliedAt: Date | undefined;
  /** Reconnects since the last successful batch. */
  consecutiveFailures: number;
}

export interface Projector {
  /** Projects until `signal` aborts (or `idle.onIdle` says stop). Never throws for stream or database faults. */
  run(signal: AbortSignal): Promise<void>;
  status(): ProjectorStatus;
}

class StopRequested extends Error {}

class ProjectionLoop implements Projector {
  readonly #options: ProjectorOptions;
  readonly #projection: string;
  #checkpoint: StreamPosition | undefined;
  #ledgerHeight: bigint | undefined;
  #lastAppliedAt: Date | undefined;
  #consecutiveFailures = 0;
  /** Highest block the block stream has shown (undefined: none yet, or the source has no block stream). */
  #summarizedThrough: bigint | undefined;
  /** Blocks the block stream showed with events of ours, not yet known to be applied, in order. */
  #eventBlocks: bigint[] = [];

  constructor(options: ProjectorOptions) {
    this.#options = options;
    this.#projection = options.projection ?? DEFAULT_PROJECTION;
  }

  status(): ProjectorStatus {
    return {
      checkpoint: this.#checkpoint,
      ledgerHeight: this.#ledgerHeight,
      lagBlocks: this.#lagBlocks(),
      lastAppliedAt: this.#lastAppliedAt,
      consecutiveFailures: this.#consecutiveFailures,
    };
  }

  async run(signal: AbortSignal): Promise<void> {
    const { logger } = this.#options;
    const backoff = createBackoff({
      initialMs: this.#options.reconnect?.initialMs ?? 100,
      maxMs: this.#options.reconnect?.maxMs ?? 10_000,
    });
    const stopHeightPolling = this.#pollLedgerHeight(signal);
    // Stopped with the loop, which may end before `signal` does (a rebuild's idle switch-over).
    const followStop = new AbortController();
    const following = this.#followBlocks(AbortSignal.any([signal, followStop.signal]));
    try {
      while (!signal.aborted) {
        try {
          await this.#consume(signal, () => {
            backoff.reset();
            this.#consecutiveFailures = 0;
          });
          if (!signal.aborted) throw new Error('the event stream ended');
        } catch (error) {
          if (error instanceof StopRequested) return;
          if (signal.aborted) return;
          this.#consecutiveFailures += 1;
          metrics.streamReconnects.inc();
          const retryInMs = backoff.next();
          logger.warn(
            { err: error, retryInMs: Math.round(retryInMs), failures: this.#consecutiveFailures },
            'projection interrupted; resuming from the checkpoint',
          );
          await sleep(retryInMs, undefined, { signal }).catch(() => undefined);
        }
      }
    } finally {
      stopHeightPolling();
      followStop.abort();
      await following;
    }
  }

  /**
   * Follows the filtered-block stream (when the source has one) for as long as `signal` allows: every block
   * counts in the height, and a block without events of ours counts as read once every earlier block with
   * events is applied. Without it, lag on a channel shared with other chaincodes counted their blocks as
   * unread (or, with the height taken from our own events only, never saw them at all).
   */
  async #followBlocks(signal: AbortSignal): Promise<void> {
    const { source, logger } = this.#options;
    if (!source.blockSummaries) return;
    const backoff = createBackoff({
      initialMs: this.#options.reconnect?.initialMs ?? 100,
      maxMs: this.#options.reconnect?.maxMs ?? 10_000,
    });
    while (!signal.aborted) {
      try {
        const startBlock =
          this.#summarizedThrough !== undefined
            ? this.#summarizedThrough + 1n
            : (this.#checkpoint?.blockNumber ??
              (await readCheckpoint(this.#options.pool, this.#projection))?.blockNumber ??
              0n);
        for await (const block of source.blockSummaries({ startBlock, signal })) {
          backoff.reset();
          if (block.events > 0) this.#eventBlocks.push(block.blockNumber);
          this.#summarizedThrough = block.blockNumber;
          this.#seeHeight(block.blockNumber + 1n);
          this.#updateLagGauge();
        }
        if (!signal.aborted) throw new Error('the block stream ended');
      } catch (error) {
        if (signal.aborted) return;
        const retryInMs = backoff.next();
        logger.warn({ err: error, retryInMs: Math.round(retryInMs) }, 'block stream interrupted; resuming');
        await sleep(retryInMs, undefined, { signal }).catch(() => undefined);
      }
    }
  }

  /**
   * The highest block through which every event of ours is applied and every block read: the checkpoint, or
   * further when the block stream has shown later blocks without events of ours.
   */
  #processedThrough(): bigint {
    const applied = this.#checkpoint?.blockNumber ?? -1n;
    // Whole blocks are applied in one batch, so the checkpoint's block is done.
    while (this.#eventBlocks.length > 0 && this.#eventBlocks[0]! <= applied) this.#eventBlocks.shift();
    if (this.#summarizedThrough === undefined) return applied;
    const readThrough = this.#eventBlocks.length > 0 ? this.#eventBlocks[0]! - 1n : this.#summarizedThrough;
    return readThrough > applied ? readThrough : applied;
  }

  /** One stream session: from the stored checkpoint until the stream fails, ends or `signal` aborts. */
  async #consume(signal: AbortSignal, onProgress: () => void): Promise<void> {
    const { pool, source, logger } = this.#options;
    await ensureCheckpointRow(pool, this.#projection);
    this.#checkpoint = await readCheckpoint(pool, this.#projection);
    // Resume at the checkpoint's block, not after its transaction: reading the whole block again gives
    // every event its true index in the block, and the events up to the checkpoint are skipped when applied.
    const startBlock = this.#checkpoint?.blockNumber ?? 0n;
    logger.info({ projection: this.#projection, startBlock: startBlock.toString() }, 'reading chaincode events');
    const stream = new AbortController();
    const onAbort = () => stream.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const batches = eventBatches(source.chaincodeEvents({ startBlock, signal: stream.signal }), {
        maxEvents: this.#options.maxBatchEvents ?? 5000,
        idleMs: this.#options.idle?.afterMs,
      })[Symbol.asyncIterator]();
      const pull = async (): Promise<PreparedBatch | 'idle' | undefined> => {
        const next = await batches.next();
        if (next.done) return undefined;
        return next.value.length === 0 ? 'idle' : prepareBatch(next.value);
      };
      // One batch ahead: the next one is read, validated and projected while this one is written.
      let upcoming = pull();
      try {
        while (true) {
          const prepared = await upcoming;
          if (prepared === undefined || signal.aborted) return;
          upcoming = pull();
          upcoming.catch(() => undefined);
          if (prepared === 'idle') {
            if ((await this.#options.idle?.onIdle()) === 'stop') throw new StopRequested();
            continue;
          }
          const last = prepared.events.at(-1)!;
          this.#seeHeight(last.blockNumber + 1n);
          const timer = metrics.processingDuration.startTimer();
          const outcome = await applyBatch(pool, prepared, {
            projection: this.#projection,
            ledgerHeight: this.#ledgerHeight,
            logger,
          });
          const seconds = timer();
          this.#record(outcome);
          logger.debug(
            {
              applied: outcome.applied,
              rejected: outcome.rejected,
              duplicates: outcome.duplicates,
              throughBlock: outcome.checkpoint?.blockNumber.toString(),
              ms: Math.round(seconds * 1000),
            },
            'batch applied',
          );
          // Only real progress resets the backoff: re-reading the checkpoint's block always "succeeds".
          if (outcome.applied + outcome.rejected > 0) onProgress();
          this.#options.onBatch?.(outcome);
        }
      } finally {
        // Not awaited: the reader may be parked on the stream until it is aborted below.
        batches.return?.(undefined).catch(() => undefined);
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      stream.abort();
    }
  }

  #record(outcome: BatchOutcome): void {
    metrics.eventsProcessed.inc({ status: 'applied' }, outcome.applied);
    metrics.eventsProcessed.inc({ status: 'rejected' }, outcome.rejected);
    metrics.eventsProcessed.inc({ status: 'duplicate' }, outcome.duplicates);
    metrics.eventsRefused.inc(outcome.refused);
    this.#checkpoint = outcome.checkpoint;
    if (outcome.applied + outcome.rejected > 0) this.#lastAppliedAt = new Date();
    this.#updateLagGauge();
  }

  #seeHeight(height: bigint): void {
    if (this.#ledgerHeight === undefined || height > this.#ledgerHeight) {
      this.#ledgerHeight = height;
      metrics.blockchainHeight.set(Number(height));
      this.#updateLagGauge();
    }
  }

  #lagBlocks(): number | undefined {
    if (this.#ledgerHeight === undefined) return undefined;
    const lag = this.#ledgerHeight - 1n - this.#processedThrough();
    return lag > 0n ? Number(lag) : 0;
  }

  #updateLagGauge(): void {
    const lag = this.#lagBlocks();
    if (lag !== undefined) metrics.lagBlocks.set(lag);
  }

  /** Keeps the ledger height (and `projector_state.ledger_height`) current while no events arrive. */
  #pollLedgerHeight(signal: AbortSignal): () => void {
    const { source, pool, logger } = this.#options;
    if (!source.ledgerHeight && !source.blockSummaries) return () => undefined;
    const timer = setInterval(() => {
      if (signal.aborted) return;
      (async () => {
        // qscc's height, when the peer answers it; the block stream's otherwise (both count every block).
        const height = await source.ledgerHeight?.().catch((error: unknown) => {
          logger.debug({ err: error }, 'ledger height not available from the source');
          return undefined;
        });
        if (height !== undefined) this.#seeHeight(height);
        if (this.#ledgerHeight === undefined) return;
        const scanned = this.#summarizedThrough === undefined ? undefined : this.#processedThrough();
        await recordLedgerHeight(pool, this.#projection, this.#ledgerHeight, scanned);
      })().catch((error: unknown) => logger.debug({ err: error }, 'ledger height not recorded'));
    }, this.#options.heightIntervalMs ?? 2000);
    timer.unref();
    return () => clearInterval(timer);
  }
}

/** Creates a projector; nothing runs until {@link Projector.run}. */
export function createProjector(options: ProjectorOptions): Projector {
  return new ProjectionLoop(options);
}
