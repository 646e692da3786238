/**
 * Ordering, validation and commit in one: submitted transactions queue up, blocks are cut by size or timeout
 * (after an optional fixed commit latency), each transaction is validated in block order as a Fabric
 * committer does, and the block is written atomically before anyone hears of it.
 */
import { peer } from '@hyperledger/fabric-protos';
import type { BlockRecord, CommittedTransaction, LedgerStore, StateWrite, TransactionStatus } from './ledger-store.js';
import type { NamespaceReadWriteSet } from './read-write-set.js';
import type { DecodedTransaction } from './transaction-codec.js';
import { compareKeys, inRange, type StateEntry, sameVersion } from './world-state.js';

const Code = peer.TxValidationCode;

/** A transaction accepted by Submit, with what the gateway already checked. */
export interface SubmittedTransaction {
  tx: DecodedTransaction;
  /** The envelope's signature was made by its creator, a member of the channel's MSP. */
  creatorSignatureValid: boolean;
  /** An endorsement signed by devnet's peer covers the proposal response payload. */
  endorsementValid: boolean;
}

export interface OrdererOptions {
  blockSize: number;
  blockTimeoutMs: number;
  commitLatencyMs: number;
}

/** Hooks into validation and commit (faults, metrics, event delivery). */
export interface OrdererHooks {
  /** Whether the next validated transaction must be failed with MVCC_READ_CONFLICT (a fault). */
  takeForcedConflict(): boolean;
  /** Called after a block is durable. */
  committed(block: BlockRecord, elapsedMs: number): void;
  /** Called once if writing a block fails; the orderer then refuses new transactions. */
  failed(error: Error): void;
}

interface Queued {
  submitted: SubmittedTransaction;
  readyAt: number;
}

/** Cuts, validates and commits blocks. */
export class Orderer {
  readonly #store: LedgerStore;
  readonly #options: OrdererOptions;
  readonly #hooks: OrdererHooks;
  readonly #queue: Queued[] = [];
  readonly #waiters = new Map<string, Array<(status: TransactionStatus) => void>>();
  /** Statuses of recently committed transactions, so commit-status calls rarely read the store. */
  readonly #recent = new Map<string, TransactionStatus>();
  #timer: NodeJS.Timeout | undefined;
  #committing: Promise<void> | undefined;
  #closed = false;
  #failure: Error | undefined;

  constructor(store: LedgerStore, options: OrdererOptions, hooks: OrdererHooks) {
    this.#store = store;
    this.#options = { ...options };
    this.#hooks = hooks;
  }

  setCommitLatency(ms: number): void {
    this.#options.commitLatencyMs = Math.max(0, ms);
  }

  /** Queues a transaction for the next blocks. */
  submit(submitted: SubmittedTransaction): void {
    if (this.#closed) throw new Error('devnet is shutting down');
    if (this.#failure) throw this.#failure;
    this.#queue.push({ submitted, readyAt: Date.now() + this.#options.commitLatencyMs });
    this.#schedule();
  }

  /** The validation code and block of the first transaction committed with `txId`; waits until there is one. */
  async statusOf(txId: string, signal?: AbortSignal): Promise<TransactionStatus> {
    const recent = this.#recent.get(txId);
    if (recent) return recent;
    return new Promise<TransactionStatus>((resolve, reject) => {
      const waiters = this.#waiters.get(txId) ?? [];
      const onAbort = () => {
        const list = this.#waiters.get(txId);
        if (list) {
          const index = list.indexOf(settle);
          if (index >= 0) list.splice(index, 1);
          if (list.length === 0) this.#waiters.delete(txId);
        }
        reject(new Error('cancelled'));
      };
      const settle = (status: TransactionStatus) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(status);
      };
      waiters.push(settle);
      this.#waiters.set(txId, waiters);
      signal?.addEventListener('abort', onAbort, { once: true });
      // Registered first, then the store is asked, so a commit in between cannot be missed.
      this.#store.transactionStatuses([txId]).then(([stored]) => {
        if (stored) this.#resolve(txId, stored);
      }, reject);
    });
  }

  /** Commits what is queued, then stops. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (;;) {
      if (this.#committing) await this.#committing;
      else if (this.#queue.length > 0 && !this.#failure) this.#schedule();
      else break;
    }
  }

  #resolve(txId: string, status: TransactionStatus): void {
    const waiters = this.#waiters.get(txId);
    if (!waiters) return;
    this.#waiters.delete(txId);
    for (const waiter of waiters) waiter(status);
  }

  #schedule(): void {
    if (this.#committing || this.#queue.length === 0 || this.#failure) return;
    const now = Date.now();
    let ready = 0;
    while (
      ready < this.#queue.length &&
      ready < this.#options.blockSize &&
      (this.#queue[ready] as Queued).readyAt <= now
    ) {
      ready++;
    }
    const first = this.#queue[0] as Queued;
    const due = first.readyAt + this.#options.blockTimeoutMs;
    if (ready >= this.#options.blockSize || (ready > 0 && due <= now) || this.#closed) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#committing = this.#commitNext(ready).then(() => {
        this.#committing = undefined;
        this.#schedule();
      });
      return;
    }
    if (this.#timer) return;
    // Wake when the oldest transaction's batch times out, or when enough are ready to fill a block.
    const wakeAt = ready > 0 ? due : Math.min(due, first.readyAt);
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#schedule();
      },
      Math.max(0, wakeAt - now),
    );
  }

  async #commitNext(count: number): Promise<void> {
    const batch = this.#queue.splice(0, Math.max(1, Math.min(count, this.#options.blockSize)));
    const started = performance.now();
    try {
      const block = await this.#validateAndCommit(batch.map((q) => q.submitted));
      this.#hooks.committed(block, performance.now() - started);
    } catch (error) {
      // A store failure leaves the ledger at its last complete block; refuse further work rather than guess.
      this.#failure = error instanceof Error ? error : new Error(String(error));
      this.#hooks.failed(this.#failure);
    }
  }

  async #validateAndCommit(batch: SubmittedTransaction[]): Promise<BlockRecord> {
    const blockNumber = this.#store.height;
    const txIds = batch.map((s) => s.tx.txId);
    const stored = await this.#store.transactionStatuses(txIds.filter((id) => !this.#recent.has(id)));
    const known = new Map<string, TransactionStatus>();
    let storedIndex = 0;
    for (const id of txIds) {
      const recent = this.#recent.get(id);
      if (recent) known.set(id, recent);
      else {
        const status = stored[storedIndex++];
        if (status) known.set(id, status);
      }
    }

    const overlay = new Map<string, StateEntry | undefined>();
    const firstSeen = new Map<string, TransactionStatus>();
    const transactions: CommittedTransaction[] = [];
    batch.forEach((submitted, index) => {
      const code = this.#validate(submitted, known.has(submitted.tx.txId) || firstSeen.has(submitted.tx.txId), overlay);
      if (code === Code.VALID) {
        for (const set of submitted.tx.readWriteSets) {
          for (const write of set.writes) {
            overlay.set(
              overlayKey(set.namespace, write.key),
              write.value === undefined
                ? undefined
                : { value: write.value, version: { block: blockNumber, tx: index } },
            );
          }
        }
      }
      const { tx } = submitted;
      if (!known.has(tx.txId) && !firstSeen.has(tx.txId)) firstSeen.set(tx.txId, { block: blockNumber, code });
      transactions.push({
        txId: tx.txId,
        code,
        // Kept for invalid transactions too: a peer's filtered block lists their actions and event name as for
        // valid ones (docs/fabric.md, "How a Fabric 2.5 peer answers"); the event stream delivers valid transactions' events only.
        ...(tx.event ? { event: tx.event } : {}),
      });
    });

    const writes: StateWrite[] = [];
    for (const [key, entry] of overlay) {
      const separator = key.indexOf('\x00');
      writes.push({ namespace: key.slice(0, separator), key: key.slice(separator + 1), entry });
    }
    const block: BlockRecord = { number: blockNumber, timestampMs: Date.now(), transactions };
    await this.#store.append(block, [...firstSeen], writes);

    for (const [txId, status] of firstSeen) {
      this.#recent.set(txId, status);
      this.#resolve(txId, status);
    }
    // Bounded memory: older statuses are read back from the store when asked.
    if (this.#recent.size > 200_000) {
      let excess = this.#recent.size - 100_000;
      for (const key of this.#recent.keys()) {
        if (excess-- <= 0) break;
        this.#recent.delete(key);
      }
    }
    return block;
  }

  #validate(submitted: SubmittedTransaction, duplicate: boolean, overlay: Map<string, StateEntry | undefined>): number {
    if (duplicate) return Code.DUPLICATE_TXID;
    if (!submitted.creatorSignatureValid) return Code.BAD_CREATOR_SIGNATURE;
    if (!submitted.endorsementValid) return Code.ENDORSEMENT_POLICY_FAILURE;
    if (this.#hooks.takeForcedConflict()) return Code.MVCC_READ_CONFLICT;
    for (const set of submitted.tx.readWriteSets) {
      if (!this.#readsCurrent(set, overlay)) return Code.MVCC_READ_CONFLICT;
    }
    for (const set of submitted.tx.readWriteSets) {
      if (!this.#rangesCurrent(set, overlay)) return Code.PHANTOM_READ_CONFLICT;
    }
    return Code.VALID;
  }

  #current(namespace: string, key: string, overlay: Map<string, StateEntry | undefined>): StateEntry | undefined {
    const k = overlayKey(namespace, key);
    return overlay.has(k) ? overlay.get(k) : this.#store.state.get(namespace, key);
  }

  #readsCurrent(set: NamespaceReadWriteSet, overlay: Map<string, StateEntry | undefined>): boolean {
    return set.reads.every((read) =>
      sameVersion(this.#current(set.namespace, read.key, overlay)?.version, read.version),
    );
  }

  /** Re-runs each range query over the state as it now stands and compares keys and versions (phantoms). */
  #rangesCurrent(set: NamespaceReadWriteSet, overlay: Map<string, StateEntry | undefined>): boolean {
    for (const range of set.ranges) {
      const keys = new Map<string, StateEntry>();
      for (const [key, entry] of this.#store.state.range(set.namespace, range.start, range.end)) keys.set(key, entry);
      const prefix = `${set.namespace}\x00`;
      for (const [k, entry] of overlay) {
        if (!k.startsWith(prefix)) continue;
        const key = k.slice(prefix.length);
        if (!inRange(key, range.start, range.end)) continue;
        if (entry) keys.set(key, entry);
        else keys.delete(key);
      }
      let now = [...keys.entries()].sort(([a], [b]) => compareKeys(a, b));
      if (!range.exhausted) {
        // A page that stopped early only vouches for the keys up to its last one.
        const last = range.reads[range.reads.length - 1]?.key;
        now = last === undefined ? [] : now.filter(([key]) => compareKeys(key, last) <= 0);
      }
      if (now.length !== range.reads.length) return false;
      for (let i = 0; i < now.length; i++) {
        const [key, entry] = now[i] as [string, StateEntry];
        const read = range.reads[i];
        if (!read || read.key !== key || !sameVersion(read.version, entry.version)) return false;
      }
    }
    return true;
  }
}

function overlayKey(namespace: string, key: string): string {
  return `${namespace}\x00${key}`;
}
