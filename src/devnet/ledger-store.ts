/**
 * devnet's durable ledger: blocks (with each transaction's validation code and chaincode event), the
 * transaction index and the world state, in one LevelDB database (classic-level).
 *
 * Why LevelDB: it is what a Fabric peer keeps its state in; a write batch is one atomic record in its
 * write-ahead log, so a block, its index entries, its state changes and the new height land together or not
 * at all. After `kill -9` (or power loss, with `sync`) the database reopens at the last complete block with no
 * torn state, and there is no second file to reconcile. The whole world state is also loaded into memory at
 * open (see world-state.ts), which suits a development network.
 */
import { ClassicLevel } from 'classic-level';
import { type StateEntry, WorldState } from './world-state.js';

/** A committed transaction as the ledger records it. */
export interface CommittedTransaction {
  txId: string;
  /** `peer.TxValidationCode`. */
  code: number;
  /** The transaction's chaincode event, valid or not (ChaincodeEvents delivers those of valid ones only). */
  event?: { chaincode: string; name: string; payload: Uint8Array };
}

/** A committed block. Block 0 is the channel's genesis block and holds no transactions. */
export interface BlockRecord {
  number: number;
  timestampMs: number;
  transactions: CommittedTransaction[];
}

/** Where a transaction id was first committed and with what outcome. */
export interface TransactionStatus {
  block: number;
  code: number;
}

/** A state change to write with a block. */
export interface StateWrite {
  namespace: string;
  key: string;
  entry: StateEntry | undefined;
}

interface StoredBlock {
  n: number;
  t: number;
  x: Array<{ id: string; c: number; e?: { cc: string; n: string; p: string } }>;
}

const HEIGHT_KEY = 'h';
const blockKey = (n: number) => `b:${n.toString().padStart(12, '0')}`;
const txKey = (id: string) => `t:${id}`;
const stateKey = (namespace: string, key: string) => `s:${namespace}\x00${key}`;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}
function decodeJson<T>(bytes: Uint8Array): T {
  return JSON.parse(decoder.decode(bytes)) as T;
}

function encodeEntry(entry: StateEntry): Uint8Array {
  const bytes = new Uint8Array(8 + entry.value.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, entry.version.block);
  view.setUint32(4, entry.version.tx);
  bytes.set(entry.value, 8);
  return bytes;
}
function decodeEntry(bytes: Uint8Array): StateEntry {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { version: { block: view.getUint32(0), tx: view.getUint32(4) }, value: bytes.slice(8) };
}

function toStored(block: BlockRecord): StoredBlock {
  return {
    n: block.number,
    t: block.timestampMs,
    x: block.transactions.map((tx) => ({
      id: tx.txId,
      c: tx.code,
      ...(tx.event
        ? { e: { cc: tx.event.chaincode, n: tx.event.name, p: Buffer.from(tx.event.payload).toString('base64') } }
        : {}),
    })),
  };
}
function fromStored(stored: StoredBlock): BlockRecord {
  return {
    number: stored.n,
    timestampMs: stored.t,
    transactions: stored.x.map((tx) => ({
      txId: tx.id,
      code: tx.c,
      ...(tx.e ? { event: { chaincode: tx.e.cc, name: tx.e.n, payload: Buffer.from(tx.e.p, 'base64') } } : {}),
    })),
  };
}

/** The opened ledger. */
export class LedgerStore {
  readonly #db: ClassicLevel<string, Uint8Array>;
  readonly #sync: boolean;
  readonly state = new WorldState();
  #height = 0;

  private constructor(db: ClassicLevel<string, Uint8Array>, sync: boolean) {
    this.#db = db;
    this.#sync = sync;
  }

  /** Opens (creating with a genesis block if new) the ledger in `folder` and loads the world state. */
  static async open(folder: string, options: { sync: boolean }): Promise<LedgerStore> {
    const db = new ClassicLevel<string, Uint8Array>(folder, { keyEncoding: 'utf8', valueEncoding: 'view' });
    await db.open();
    const store = new LedgerStore(db, options.sync);
    const height = await db.get(HEIGHT_KEY);
    if (height === undefined) {
      await store.append({ number: 0, timestampMs: Date.now(), transactions: [] }, [], []);
    } else {
      store.#height = Number(decoder.decode(height));
      for await (const [key, value] of db.iterator({ gte: 's:', lt: 's;' })) {
        const separator = key.indexOf('\x00');
        store.state.set(key.slice(2, separator), key.slice(separator + 1), decodeEntry(value));
      }
    }
    return store;
  }

  /** Number of committed blocks, genesis included: the next block's number. */
  get height(): number {
    return this.#height;
  }

  /**
   * Writes a block with its new transaction index entries and state changes in one atomic batch, then
   * applies the state changes to the in-memory world state.
   */
  async append(block: BlockRecord, indexed: Array<[string, TransactionStatus]>, writes: StateWrite[]): Promise<void> {
    if (block.number !== this.#height) throw new Error(`block ${block.number} out of order (height ${this.#height})`);
    const batch = this.#db.batch();
    batch.put(blockKey(block.number), encodeJson(toStored(block)));
    for (const [txId, status] of indexed) batch.put(txKey(txId), encodeJson([status.block, status.code]));
    for (const write of writes) {
      const key = stateKey(write.namespace, write.key);
      if (write.entry) batch.put(key, encodeEntry(write.entry));
      else batch.del(key);
    }
    batch.put(HEIGHT_KEY, encoder.encode(String(block.number + 1)));
    await batch.write({ sync: this.#sync });
    for (const write of writes) this.state.set(write.namespace, write.key, write.entry);
    this.#height = block.number + 1;
  }

  /** Reads a committed block. */
  async block(number: number): Promise<BlockRecord | undefined> {
    const bytes = await this.#db.get(blockKey(number));
    return bytes === undefined ? undefined : fromStored(decodeJson<StoredBlock>(bytes));
  }

  /** Where each of `txIds` was first committed (`undefined` for those never committed). */
  async transactionStatuses(txIds: string[]): Promise<Array<TransactionStatus | undefined>> {
    if (txIds.length === 0) return [];
    const values = await this.#db.getMany(txIds.map(txKey));
    return values.map((bytes) => {
      if (bytes === undefined) return undefined;
      const [block, code] = decodeJson<[number, number]>(bytes);
      return { block, code };
    });
  }

  async close(): Promise<void> {
    await this.#db.close();
  }
}
