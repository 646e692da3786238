/**
 * The `ChaincodeStub` a contract sees inside devnet: reads come from the committed world state (as on a
 * peer, a transaction does not read its own writes), and every read (with its version), range query and
 * write is recorded for the endorsement's read-write set.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { KeyRead, KeyWrite, NamespaceReadWriteSet, RangeRead } from './read-write-set.js';
import type { WorldState } from './world-state.js';

const require = createRequire(import.meta.url);
const Long = require('long') as { fromNumber(value: number): unknown };

const COMPOSITE_KEY_NAMESPACE = '\x00';
const MIN_UNICODE_RUNE = '\u0000';
const MAX_UNICODE_RUNE = '\u{10ffff}';

/** What the proposal tells the stub. */
export interface StubContext {
  channel: string;
  namespace: string;
  txId: string;
  args: Uint8Array[];
  creator: { mspid: string; idBytes: Uint8Array };
  /** The endorsing peer's organization: what `getMspID()` answers (a peer's CORE_PEER_LOCALMSPID). */
  peerMspId: string;
  transient: Map<string, Uint8Array>;
  timestamp: { seconds: number; nanos: number };
  nonce: Uint8Array;
  signedProposal: unknown;
}

/** A key and value as range iterators yield them (fabric-shim's `Iterators.KV`). */
export interface KeyValue {
  namespace: string;
  key: string;
  value: Uint8Array;
}

/** fabric-shim's StateQueryIterator shape: `next()`, `close()`, and async iteration. */
export interface StateIterator extends AsyncIterable<KeyValue> {
  next(): Promise<IteratorResult<KeyValue>>;
  close(): Promise<void>;
}

type QueryResult<T> = Promise<T> & AsyncIterable<KeyValue>;

function iteratorOver(items: KeyValue[]): StateIterator {
  let index = 0;
  const iterator: StateIterator = {
    async next() {
      if (index < items.length) return { value: items[index++] as KeyValue, done: false };
      return { value: undefined, done: true };
    },
    async close() {
      index = items.length;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

/** A promise of an iterator that can also be iterated directly with `for await`, as fabric-shim returns. */
function queryResult<T extends StateIterator | { iterator: StateIterator }>(value: T): QueryResult<T> {
  const promise = Promise.resolve(value) as unknown as QueryResult<T>;
  const iterator: StateIterator = 'iterator' in value ? value.iterator : (value as StateIterator);
  promise[Symbol.asyncIterator] = () => iterator[Symbol.asyncIterator]();
  return promise;
}

function unsupported(what: string): never {
  throw new Error(`${what} is not supported by devnet`);
}

function validateSimpleKey(key: string): void {
  if (key.startsWith(COMPOSITE_KEY_NAMESPACE)) {
    throw new Error(`first character of the key [${key}] contains a null character which is not allowed`);
  }
}

/** One transaction's stub; read its results with {@link SimulationStub.readWriteSet} and {@link SimulationStub.event}. */
export class SimulationStub {
  readonly #context: StubContext;
  readonly #state: WorldState;
  readonly #reads = new Map<string, KeyRead>();
  readonly #ranges: RangeRead[] = [];
  readonly #writes = new Map<string, KeyWrite>();
  #event: { name: string; payload: Uint8Array } | undefined;

  constructor(context: StubContext, state: WorldState) {
    this.#context = context;
    this.#state = state;
  }

  /** The reads and writes recorded so far, keys in the order first touched. */
  readWriteSet(): NamespaceReadWriteSet {
    return {
      namespace: this.#context.namespace,
      reads: [...this.#reads.values()],
      ranges: this.#ranges,
      writes: [...this.#writes.values()],
    };
  }

  /** The transaction's chaincode event: the last `setEvent` call, as on a peer. */
  event(): { name: string; payload: Uint8Array } | undefined {
    return this.#event;
  }

  getArgs(): string[] {
    return this.#context.args.map((arg) => Buffer.from(arg).toString('utf8'));
  }
  getStringArgs(): string[] {
    return this.getArgs();
  }
  getBufferArgs(): Buffer[] {
    return this.#context.args.map((arg) => Buffer.from(arg));
  }
  getFunctionAndParameters(): { fcn: string; params: string[] } {
    const [fcn = '', ...params] = this.getArgs();
    return { fcn, params };
  }
  getTxID(): string {
    return this.#context.txId;
  }
  getChannelID(): string {
    return this.#context.channel;
  }
  getCreator(): { mspid: string; idBytes: Uint8Array } {
    return this.#context.creator;
  }
  /** The peer's organization, not the creator's: gxtv3 anchors its bootstrap to it. */
  getMspID(): string {
    return this.#context.peerMspId;
  }
  getTransient(): Map<string, Uint8Array> {
    return this.#context.transient;
  }
  getSignedProposal(): unknown {
    return this.#context.signedProposal;
  }
  getTxTimestamp(): { seconds: unknown; nanos: number } {
    return { seconds: Long.fromNumber(this.#context.timestamp.seconds), nanos: this.#context.timestamp.nanos };
  }
  getDateTimestamp(): Date {
    const { seconds, nanos } = this.#context.timestamp;
    return new Date(seconds * 1000 + Math.round(nanos / 1_000_000));
  }
  /** hex(SHA-256(nonce ‖ creator ‖ epoch)), as fabric-shim computes it. */
  getBinding(): string {
    const creator = Buffer.from(this.#context.creator.idBytes);
    return createHash('sha256').update(this.#context.nonce).update(creator).update(Buffer.alloc(8)).digest('hex');
  }

  async getState(key: string): Promise<Uint8Array> {
    const entry = this.#state.get(this.#context.namespace, key);
    if (!this.#reads.has(key)) this.#reads.set(key, { key, version: entry?.version });
    return entry ? Buffer.from(entry.value) : Buffer.alloc(0);
  }

  async putState(key: string, value: Uint8Array | string): Promise<void> {
    validateSimpleKey(key);
    if (!key) throw new Error('key must not be empty');
    const bytes = typeof value === 'string' ? Buffer.from(value) : Buffer.from(value);
    this.#writes.set(key, { key, value: bytes });
  }

  async deleteState(key: string): Promise<void> {
    validateSimpleKey(key);
    this.#writes.set(key, { key, value: undefined });
  }

  getStateByRange(startKey: string, endKey: string): QueryResult<StateIterator> {
    validateSimpleKey(startKey);
    validateSimpleKey(endKey);
    // Fabric substitutes the empty start key so that the range skips composite keys.
    return queryResult(this.#range(startKey === '' ? '\x01' : startKey, endKey, undefined).iterator);
  }

  getStateByRangeWithPagination(
    startKey: string,
    endKey: string,
    pageSize: number,
    bookmark = '',
  ): QueryResult<{ iterator: StateIterator; metadata: { fetchedRecordsCount: number; bookmark: string } }> {
    validateSimpleKey(startKey);
    validateSimpleKey(endKey);
    const start = bookmark !== '' ? bookmark : startKey === '' ? '\x01' : startKey;
    return queryResult(this.#range(start, endKey, pageSize));
  }

  getStateByPartialCompositeKey(objectType: string, attributes: string[]): QueryResult<StateIterator> {
    const start = this.createCompositeKey(objectType, attributes);
    return queryResult(this.#range(start, start + MAX_UNICODE_RUNE, undefined).iterator);
  }

  getStateByPartialCompositeKeyWithPagination(
    objectType: string,
    attributes: string[],
    pageSize: number,
    bookmark = '',
  ): QueryResult<{ iterator: StateIterator; metadata: { fetchedRecordsCount: number; bookmark: string } }> {
    const start = this.createCompositeKey(objectType, attributes);
    return queryResult(this.#range(bookmark !== '' ? bookmark : start, start + MAX_UNICODE_RUNE, pageSize));
  }

  #range(
    start: string,
    end: string,
    pageSize: number | undefined,
  ): { iterator: StateIterator; metadata: { fetchedRecordsCount: number; bookmark: string } } {
    const all = this.#state.range(this.#context.namespace, start, end);
    const page = pageSize === undefined ? all : all.slice(0, pageSize);
    const next = pageSize === undefined ? undefined : all[pageSize];
    this.#ranges.push({
      start,
      end,
      exhausted: next === undefined,
      reads: page.map(([key, entry]) => ({ key, version: entry.version })),
    });
    const items = page.map(([key, entry]) => ({
      namespace: this.#context.namespace,
      key,
      value: Buffer.from(entry.value),
    }));
    return {
      iterator: iteratorOver(items),
      metadata: { fetchedRecordsCount: items.length, bookmark: next ? next[0] : '' },
    };
  }

  createCompositeKey(objectType: string, attributes: string[]): string {
    validateCompositeKeyAttribute(objectType);
    let key = COMPOSITE_KEY_NAMESPACE + objectType + MIN_UNICODE_RUNE;
    for (const attribute of attributes) {
      validateCompositeKeyAttribute(attribute);
      key += attribute + MIN_UNICODE_RUNE;
    }
    return key;
  }

  splitCompositeKey(compositeKey: string): { objectType: string | null; attributes: string[] } {
    const result: { objectType: string | null; attributes: string[] } = { objectType: null, attributes: [] };
    if (compositeKey.length > 1 && compositeKey.charAt(0) === COMPOSITE_KEY_NAMESPACE) {
      const parts = compositeKey.substring(1).split(MIN_UNICODE_RUNE);
      result.objectType = parts[0] ?? null;
      parts.pop();
      if (parts.length > 1) result.attributes = parts.slice(1);
    }
    return result;
  }

  setEvent(name: string, payload: Uint8Array | string): void {
    if (typeof name !== 'string' || name === '') throw new Error('Event name must be a non-empty string');
    this.#event = { name, payload: Buffer.from(payload) };
  }

  getQueryResult(): never {
    return unsupported('getQueryResult (rich queries need CouchDB)');
  }
  getQueryResultWithPagination(): never {
    return unsupported('getQueryResultWithPagination (rich queries need CouchDB)');
  }
  getHistoryForKey(): never {
    return unsupported('getHistoryForKey');
  }
  invokeChaincode(): never {
    return unsupported('invokeChaincode');
  }
  getPrivateData(): never {
    return unsupported('private data');
  }
  getPrivateDataHash(): never {
    return unsupported('private data');
  }
  putPrivateData(): never {
    return unsupported('private data');
  }
  deletePrivateData(): never {
    return unsupported('private data');
  }
  purgePrivateData(): never {
    return unsupported('private data');
  }
  getPrivateDataByRange(): never {
    return unsupported('private data');
  }
  getPrivateDataByPartialCompositeKey(): never {
    return unsupported('private data');
  }
  getPrivateDataQueryResult(): never {
    return unsupported('private data');
  }
  async setStateValidationParameter(): Promise<void> {
    unsupported('key-level endorsement policies');
  }
  async getStateValidationParameter(): Promise<Uint8Array> {
    return Buffer.alloc(0);
  }
}

function validateCompositeKeyAttribute(attribute: string): void {
  if (typeof attribute !== 'string' || attribute.length === 0) {
    throw new Error('object type or attribute not a non-zero length string');
  }
}
