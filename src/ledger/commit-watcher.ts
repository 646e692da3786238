/**
 * Learns the outcome of submitted transactions from ONE filtered-block stream (the peer's DeliverFiltered)
 * instead of one CommitStatus call per transaction: each of those is a signed request, a signature check on
 * the peer and a long-lived call, thousands at once under load. A FilteredBlock lists every transaction of a
 * block with its validation code, so one stream answers for all of them.
 *
 * Nothing may be missed, so a transaction is only watched when the stream is guaranteed to show it:
 * - the stream is positioned (it has delivered a block, so the next one it sends is the next to commit) and
 *   healthy (open, or broken for less than `degradedAfterMs`); otherwise {@link CommitWatcher.watch} returns
 *   undefined and the caller asks CommitStatus, as before;
 * - the watch is registered before the transaction is submitted, so its block cannot pass unseen;
 * - a broken stream is reopened from the block after the last one processed, so no block is skipped.
 * A watch resolves with `undefined` (the caller then asks CommitStatus by transaction id) when the stream
 * shows the transaction as DUPLICATE_TXID (resubmitted bytes: the first outcome is the truth, and only
 * CommitStatus knows it), when the stream stays broken past `degradedAfterMs`, when the transaction has not
 * shown up within `fallbackAfterMs`, or when the watcher closes.
 */
import type { CloseableAsyncIterable } from '@hyperledger/fabric-gateway';
import { peer } from '@hyperledger/fabric-protos';
import { createBackoff } from '../backoff.js';
import type { Logger } from '../observability/logger.js';
import { fabricCommitOutcomes } from './metrics.js';

type FilteredBlock = InstanceType<typeof peer.FilteredBlock>;

const { DUPLICATE_TXID } = peer.TxValidationCode;

/** A reopened stream that has not failed for this long counts as healthy. */
const HEALTHY_AFTER_MS = 1_000;

/** Where and how a transaction committed, as the block stream showed it. */
export interface SeenCommit {
  blockNumber: bigint;
  /** Fabric transaction validation code (0 VALID). */
  code: number;
}

export interface CommitWatcherOptions {
  /** Opens a filtered-block stream from `startBlock` (inclusive), or from the next block to commit. */
  open(startBlock: bigint | undefined): Promise<CloseableAsyncIterable<FilteredBlock>>;
  /** Told of every stream failure (the ledger client's channel healing and reachability). */
  onFailure(error: unknown): void;
  logger: Logger;
  /** Label of the ledger client in metrics. */
  client: string;
  /** A watched transaction not seen this long is handed to CommitStatus. */
  fallbackAfterMs: number;
  /** A stream broken this long hands every watch to CommitStatus and takes no new ones until it is back. */
  degradedAfterMs?: number;
  /** Backoff between reopening attempts (default 100 ms doubling to 5 s). */
  reconnect?: { initialMs?: number; maxMs?: number };
}

interface Waiter {
  resolve(seen: SeenCommit | undefined): void;
  since: number;
}

/** One filtered-block stream and the transactions waiting for their block. */
export class CommitWatcher {
  readonly #o: Required<Omit<CommitWatcherOptions, 'reconnect'>> & { initialMs: number; maxMs: number };
  /** Waiting transactions in watch order (so the oldest are found first), several per id if resubmitted. */
  readonly #waiters = new Map<string, Waiter[]>();
  /** The last block processed; the stream resumes after it. Undefined until the first block arrives. */
  #lastBlock: bigint | undefined;
  /** When the current break began (undefined while the stream is open). */
  #brokenSince: number | undefined;
  #stream: CloseableAsyncIterable<FilteredBlock> | undefined;
  #running = false;
  #closed = false;
  #sweepTimer: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;

  constructor(options: CommitWatcherOptions) {
    this.#o = {
      degradedAfterMs: 5_000,
      ...options,
      initialMs: options.reconnect?.initialMs ?? 100,
      maxMs: options.reconnect?.maxMs ?? 5_000,
    };
  }

  /**
   * Watches `txId`, to be called BEFORE submitting it. Undefined when the stream cannot vouch for seeing it
   * (not yet positioned, or degraded): ask CommitStatus instead. The first call starts the stream.
   */
  watch(txId: string): { seen: Promise<SeenCommit | undefined>; cancel(): void } | undefined {
    if (this.#closed) return undefined;
    this.#start();
    if (this.#lastBlock === undefined || this.#degraded()) return undefined;
    let waiter!: Waiter;
    const seen = new Promise<SeenCommit | undefined>((resolve) => {
      waiter = { resolve, since: Date.now() };
    });
    const list = this.#waiters.get(txId);
    if (list) list.push(waiter);
    else this.#waiters.set(txId, [waiter]);
    return {
      seen,
      cancel: () => {
        const waiting = this.#waiters.get(txId);
        const index = waiting?.indexOf(waiter) ?? -1;
        if (!waiting || index < 0) return;
        waiting.splice(index, 1);
        if (waiting.length === 0) this.#waiters.delete(txId);
        waiter.resolve(undefined);
      },
    };
  }

  /** Transactions waiting for their block (for tests and metrics). */
  get waiting(): number {
    return this.#waiters.size;
  }

  /** Stops the stream; every watch resolves undefined. */
  close(): void {
    this.#closed = true;
    clearInterval(this.#sweepTimer);
    clearTimeout(this.#retryTimer);
    this.#stream?.close();
    this.#releaseAll('closed');
  }

  #degraded(): boolean {
    return this.#brokenSince !== undefined && Date.now() - this.#brokenSince >= this.#o.degradedAfterMs;
  }

  #start(): void {
    if (this.#running || this.#closed) return;
    this.#running = true;
    this.#sweepTimer = setInterval(() => this.#sweep(), 1_000);
    this.#sweepTimer.unref();
    void this.#run();
  }

  /** Reads the stream, reopening it after the last processed block whenever it breaks. */
  async #run(): Promise<void> {
    const failures = createBackoff({ initialMs: this.#o.initialMs, maxMs: this.#o.maxMs });
    while (!this.#closed) {
      try {
        const startBlock = this.#lastBlock === undefined ? undefined : this.#lastBlock + 1n;
        const stream = await this.#o.open(startBlock);
        this.#stream = stream;
        if (this.#closed) {
          stream.close();
          return;
        }
        // Open and not refused for a while: healthy again, even if no block commits meanwhile. (A refusal
        // arrives as the stream's first message, so open() alone proves nothing.)
        setTimeout(() => {
          if (this.#stream === stream) this.#brokenSince = undefined;
        }, HEALTHY_AFTER_MS).unref();
        for await (const block of this.#stream) {
          if (this.#brokenSince !== undefined) {
            this.#brokenSince = undefined;
            this.#o.logger.info({ block: block.getNumber() }, 'filtered block stream resumed');
          }
          failures.reset();
          this.#onBlock(block);
        }
        // The stream ended without an error (the peer closed it): reopen like after a break.
        throw new Error('filtered block stream ended');
      } catch (error) {
        this.#stream?.close();
        this.#stream = undefined;
        if (this.#closed) return;
        this.#brokenSince ??= Date.now();
        this.#o.onFailure(error);
        const delay = failures.next();
        this.#o.logger.warn(
          { err: error, resumeAt: this.#lastBlock === undefined ? 'next commit' : String(this.#lastBlock + 1n) },
          'filtered block stream broke; reopening',
        );
        await new Promise<void>((resolve) => {
          this.#retryTimer = setTimeout(resolve, delay);
        });
        if (this.#degraded()) this.#releaseAll('degraded');
      }
    }
  }

  #onBlock(block: FilteredBlock): void {
    const blockNumber = BigInt(block.getNumber());
    if (this.#lastBlock !== undefined && blockNumber <= this.#lastBlock) return;
    if (this.#waiters.size > 0) {
      for (const tx of block.getFilteredTransactionsList()) {
        const waiting = this.#waiters.get(tx.getTxid());
        if (!waiting) continue;
        this.#waiters.delete(tx.getTxid());
        const code = tx.getTxValidationCode();
        // A resubmission of committed bytes: the first outcome stands, and CommitStatus knows it.
        const seen = code === DUPLICATE_TXID ? undefined : { blockNumber, code };
        fabricCommitOutcomes.inc(
          { client: this.#o.client, via: seen ? 'block_stream' : 'commit_status' },
          waiting.length,
        );
        for (const waiter of waiting) waiter.resolve(seen);
      }
    }
    this.#lastBlock = blockNumber;
  }

  /** Hands watches older than the fallback delay to CommitStatus. */
  #sweep(): void {
    const expired = Date.now() - this.#o.fallbackAfterMs;
    for (const [txId, waiting] of this.#waiters) {
      // Watch order: the first one still young ends the sweep.
      if ((waiting[0]?.since ?? 0) > expired) break;
      this.#waiters.delete(txId);
      fabricCommitOutcomes.inc({ client: this.#o.client, via: 'commit_status' }, waiting.length);
      for (const waiter of waiting) waiter.resolve(undefined);
    }
  }

  #releaseAll(reason: string): void {
    if (this.#waiters.size === 0) return;
    this.#o.logger.warn({ waiting: this.#waiters.size, reason }, 'asking commit status for transactions being watched');
    for (const waiting of this.#waiters.values()) {
      fabricCommitOutcomes.inc({ client: this.#o.client, via: 'commit_status' }, waiting.length);
      for (const waiter of waiting) waiter.resolve(undefined);
    }
    this.#waiters.clear();
  }
}
