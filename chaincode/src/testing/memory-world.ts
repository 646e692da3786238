/**
 * An in-memory world state with Fabric's transaction semantics, for running contracts in-process:
 * each invocation reads committed state only (no read-your-writes, as on a peer), and its writes and its
 * event are committed only if it succeeds. It implements the part of the ChaincodeStub surface the gxtv3
 * contracts and fabric-shim's ClientIdentity and contract dispatcher use.
 */
import type { Context } from 'fabric-contract-api';
import { ClientIdentity } from 'fabric-shim';
import type { ChaincodeStub } from 'fabric-shim-api';
import type { TestIdentity } from './identities';

export interface CommittedEvent {
  txId: string;
  name: string;
  payload: string;
}

/** Stub for one transaction: state reads from the committed snapshot, buffered writes, last event wins. */
export class MemoryStub {
  readonly writes = new Map<string, Uint8Array | null>();
  event: { name: string; payload: Uint8Array } | undefined;
  /** How many times setEvent was called: Fabric keeps only the last, so the contracts must call it once. */
  eventCalls = 0;

  constructor(
    private readonly committed: ReadonlyMap<string, Uint8Array>,
    private readonly identity: TestIdentity,
    readonly txId: string,
    private readonly seconds: number,
    private readonly args: readonly string[] = [],
    private readonly peerMspId = 'Org1MSP',
    /** The proposal's transient map: endorsers see it, blocks never keep it. */
    private readonly transient: ReadonlyMap<string, Uint8Array> = new Map(),
  ) {}

  getTransient(): Map<string, Uint8Array> {
    return new Map(this.transient);
  }
  /** Committed keys in [startKey, endKey), in key order, as fabric-shim's iterator (`next`, `close`). */
  async getStateByRange(
    startKey: string,
    endKey: string,
  ): Promise<{
    next(): Promise<{ done: boolean; value: { key: string; value: Uint8Array } }>;
    close(): Promise<void>;
  }> {
    const entries = [...this.committed.entries()]
      .filter(([key]) => key >= startKey && key < endKey)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    let index = 0;
    return {
      async next() {
        const entry = entries[index++];
        return entry === undefined
          ? { done: true, value: { key: '', value: new Uint8Array(0) } }
          : { done: false, value: { key: entry[0], value: entry[1] } };
      },
      async close() {
        index = entries.length;
      },
    };
  }

  async getState(key: string): Promise<Uint8Array> {
    return this.committed.get(key) ?? new Uint8Array(0);
  }
  async putState(key: string, value: Uint8Array): Promise<void> {
    if (typeof key !== 'string' || key.length === 0) throw new Error('key must be a non-empty string');
    this.writes.set(key, Uint8Array.from(value));
  }
  async deleteState(key: string): Promise<void> {
    this.writes.set(key, null);
  }
  setEvent(name: string, payload: Uint8Array): void {
    this.eventCalls += 1;
    this.event = { name, payload: Uint8Array.from(payload) };
  }
  getTxTimestamp(): { seconds: { toNumber(): number }; nanos: number } {
    // Shaped like fabric-shim's: seconds is a Long.
    return { seconds: { toNumber: () => this.seconds }, nanos: 123_000_000 };
  }
  getTxID(): string {
    return this.txId;
  }
  getChannelID(): string {
    return 'gxchannel';
  }
  /** The endorsing peer's organization (fabric-shim reads CORE_PEER_LOCALMSPID). */
  getMspID(): string {
    return this.peerMspId;
  }
  getCreator(): { mspid: string; idBytes: Uint8Array } {
    return { mspid: this.identity.mspId, idBytes: Buffer.from(this.identity.certPem, 'utf8') };
  }
  getBufferArgs(): Buffer[] {
    return this.args.map((arg) => Buffer.from(arg, 'utf8'));
  }
  getArgs(): string[] {
    return [...this.args];
  }
  getStringArgs(): string[] {
    return [...this.args];
  }
  getFunctionAndParameters(): { fcn: string; params: string[] } {
    const [fcn = '', ...params] = this.args;
    return { fcn, params };
  }
}

/** A ledger of committed key/values and events; `invoke` runs one transaction against it. */
export class MemoryWorld {
  readonly state = new Map<string, Uint8Array>();
  readonly events: CommittedEvent[] = [];
  private txCount = 0;
  /** Transaction clock: 2026-01-01T00:00:00Z, one second per transaction. */
  private seconds = Date.UTC(2026, 0, 1) / 1000;

  /** @param peerMspId the organization of the peer the contracts run on (the bootstrap organization). */
  constructor(readonly peerMspId = 'Org1MSP') {}

  /** A fresh stub for the next transaction (call {@link commit} with it if it succeeded). */
  newStub(
    identity: TestIdentity,
    args: readonly string[] = [],
    transient: ReadonlyMap<string, Uint8Array> = new Map(),
  ): MemoryStub {
    this.txCount += 1;
    this.seconds += 1;
    return new MemoryStub(this.state, identity, `tx${this.txCount}`, this.seconds, args, this.peerMspId, transient);
  }

  /** Moves the transaction clock forward (an expiry that the next transaction must see). */
  advanceClock(seconds: number): void {
    this.seconds += seconds;
  }

  /** Applies a successful transaction's writes and event. */
  commit(stub: MemoryStub): void {
    if (stub.eventCalls > 1) throw new Error(`${stub.txId} called setEvent ${stub.eventCalls} times; Fabric keeps one`);
    for (const [key, value] of stub.writes) {
      if (value === null) this.state.delete(key);
      else this.state.set(key, value);
    }
    if (stub.event !== undefined) {
      this.events.push({
        txId: stub.txId,
        name: stub.event.name,
        payload: Buffer.from(stub.event.payload).toString('utf8'),
      });
    }
  }

  /**
   * Runs `body` as one transaction signed by `identity`, with a context built like fabric-contract-api's
   * (real ClientIdentity) and the given transient map. Commits on success; on failure nothing is kept and the error is rethrown.
   */
  async invoke<T>(
    identity: TestIdentity,
    body: (ctx: Context) => Promise<T>,
    transient: ReadonlyMap<string, Uint8Array> = new Map(),
  ): Promise<T> {
    const stub = this.newStub(identity, [], transient);
    const ctx = contextFor(stub);
    const result = await body(ctx);
    this.commit(stub);
    return result;
  }

  /** A committed value as text (for assertions). */
  read(key: string): string | undefined {
    const value = this.state.get(key);
    return value === undefined ? undefined : Buffer.from(value).toString('utf8');
  }
}

/** A transaction context over `stub`, as the contract dispatcher builds it. */
export function contextFor(stub: MemoryStub): Context {
  const fabricStub = stub as unknown as ChaincodeStub;
  return { stub: fabricStub, clientIdentity: new ClientIdentity(fabricStub) } as unknown as Context;
}
