/**
 * The one way the backend talks to the ledger: a Fabric Gateway client (`@hyperledger/fabric-gateway` over
 * `@grpc/grpc-js`) that heals itself.
 *
 * - A connection failure (UNAVAILABLE, a broken stream) makes the next call build a brand-new gRPC channel,
 *   which resolves the peer's address again: the old deployment stayed stuck on a dead peer's address.
 *   Consecutive rebuilds back off exponentially with jitter.
 * - A circuit breaker (cockatiel) fails calls fast while the peer keeps failing, then lets one probe through.
 *   Only peer failures count; a chaincode rejection is an answer, not a failure.
 * - Every phase has its own deadline, set once here.
 */
import * as grpc from '@grpc/grpc-js';
import {
  type CloseableAsyncIterable,
  type Commit,
  type Contract,
  connect,
  type Gateway,
  hash,
  type Network,
  type ProposalOptions,
  type Status,
  type SubmittedTransaction as SubmittedGatewayTransaction,
} from '@hyperledger/fabric-gateway';
import { common } from '@hyperledger/fabric-protos';
import { type CircuitBreakerPolicy, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen } from 'cockatiel';
import { type Backoff, createBackoff } from '../backoff.js';
import { type FabricRole, type FabricSettings, fabricIdentityVariables } from '../config.js';
import type { Logger } from '../observability/logger.js';
import { CommitWatcher } from './commit-watcher.js';
import {
  type FabricCredentials,
  type LedgerAccess,
  loadFabricCredentials,
  readIdentity,
  type SigningCredentials,
} from './credentials.js';
import {
  classifyError,
  GatewayError,
  isConnectionFailure,
  isPeerFailure,
  LedgerClosedError,
  LedgerConfigurationError,
  newCommitError,
} from './errors.js';
import {
  fabricCircuitBreakerState,
  fabricCommitOutcomes,
  fabricLedgerEndorsable,
  fabricLedgerReachable,
  fabricReconnectsTotal,
} from './metrics.js';
import { newNativeSigner } from './signer.js';
import type {
  CommitOutcome,
  EndorsedTransaction,
  LedgerCallRequest,
  LedgerClient,
  LedgerEvent,
  LedgerEventsOptions,
  LedgerHealth,
  SigningRole,
  SubmittedTransaction,
} from './types.js';

/** Per-phase deadlines in milliseconds (fabric-samples' values by default). */
export interface PhaseDeadlines {
  evaluateMs: number;
  endorseMs: number;
  submitMs: number;
  /** Waiting for a transaction's block: must exceed the block time comfortably. */
  commitStatusMs: number;
  healthMs: number;
}

export const DEFAULT_DEADLINES: PhaseDeadlines = {
  evaluateMs: 5_000,
  endorseMs: 15_000,
  submitMs: 5_000,
  commitStatusMs: 60_000,
  healthMs: 2_000,
};

export interface LedgerClientOptions {
  logger: Logger;
  /** Label of this client in metrics and logs (several clients may share a process in `gx dev`). */
  name?: string;
  deadlines?: Partial<PhaseDeadlines>;
  /** Consecutive peer failures that open the breaker (default 5), and how long it stays open (default 5 s). */
  breaker?: { consecutiveFailures?: number; halfOpenAfterMs?: number };
  /**
   * Probe the peer with health() this often, so `fabric_ledger_reachable` stays current in a process that
   * makes no other calls for a while (e.g. an idle submitter). Off by default.
   */
  probeIntervalMs?: number;
  /** Backoff between consecutive channel rebuilds (default 100 ms doubling to 10 s). */
  reconnect?: { initialMs?: number; maxMs?: number };
  /**
   * How submitted transactions' outcomes are learned: `block-stream` (default) from one filtered-block stream
   * (DeliverFiltered) shared by every transaction, falling back to CommitStatus per transaction where the
   * stream cannot vouch (see commit-watcher.ts); `commit-status`: one CommitStatus call per transaction.
   */
  commitOutcomes?: 'block-stream' | 'commit-status';
  /**
   * `read` for a process that never signs (API, projector, verify): only the reader identity is loaded, and
   * every signing call fails. `sign` (default): every identity configured is loaded.
   */
  access?: LedgerAccess;
}

const BREAKER_GAUGE: Record<CircuitState, number> = {
  [CircuitState.Closed]: 0,
  [CircuitState.HalfOpen]: 1,
  [CircuitState.Open]: 2,
  [CircuitState.Isolated]: 2,
};

/** One gRPC channel and the gateways (one per identity) bound to it. */
class GatewayChannel {
  readonly grpcClient: grpc.Client;
  readonly #gateways = new Map<FabricRole, Gateway>();
  readonly #contracts = new Map<string, Contract>();

  constructor(
    readonly generation: number,
    private readonly credentials: FabricCredentials,
    private readonly channelName: string,
    private readonly chaincodeName: string,
    private readonly deadlines: PhaseDeadlines,
  ) {
    const tls = credentials.tls;
    const channelCredentials = tls ? grpc.credentials.createSsl(tls.caPem) : grpc.credentials.createInsecure();
    this.grpcClient = new grpc.Client(credentials.peerEndpoint, channelCredentials, {
      ...(tls?.hostOverride ? { 'grpc.ssl_target_name_override': tls.hostOverride } : {}),
      'grpc.max_receive_message_length': 100 * 1024 * 1024,
      'grpc.max_send_message_length': 100 * 1024 * 1024,
      // Detects a silently dead peer on long-lived event streams; 2 min respects peers' ping enforcement.
      'grpc.keepalive_time_ms': 120_000,
      'grpc.keepalive_timeout_ms': 20_000,
    });
  }

  gateway(signer: FabricRole): Gateway {
    let gateway = this.#gateways.get(signer);
    if (!gateway) {
      const identity = this.credentials.identities[signer];
      if (!identity) {
        const variables = fabricIdentityVariables(signer);
        throw new LedgerConfigurationError(
          `this call must be signed by the ${signer} identity, which this process does not hold: ` +
            `set ${variables.cert} and ${variables.key} (on a role that signs)`,
        );
      }
      gateway = this.#connect(identity);
      this.#gateways.set(signer, gateway);
    }
    return gateway;
  }

  network(signer: FabricRole): Network {
    return this.gateway(signer).getNetwork(this.channelName);
  }

  contract(signer: FabricRole, contractName: string): Contract {
    const key = `${signer}\u0000${contractName}`;
    let contract = this.#contracts.get(key);
    if (!contract) {
      contract = this.network(signer).getContract(this.chaincodeName, contractName);
      this.#contracts.set(key, contract);
    }
    return contract;
  }

  #connect(identity: SigningCredentials): Gateway {
    const deadline = (ms: number) => () => ({ deadline: Date.now() + ms });
    return connect({
      client: this.grpcClient,
      identity: { mspId: identity.mspId, credentials: Buffer.from(identity.certPem) },
      // The native signer hashes for itself (see signer.ts), so the gateway passes it the message as is.
      signer: newNativeSigner(identity.privateKey),
      hash: hash.none,
      evaluateOptions: deadline(this.deadlines.evaluateMs),
      endorseOptions: deadline(this.deadlines.endorseMs),
      submitOptions: deadline(this.deadlines.submitMs),
      commitStatusOptions: deadline(this.deadlines.commitStatusMs),
    });
  }

  close(): void {
    for (const gateway of this.#gateways.values()) gateway.close();
    this.grpcClient.close();
  }
}

/** grpc-js's answer for a call on a channel closed before the call went out: nothing reached the peer. */
function isUnstartedCall(error: unknown): boolean {
  return (
    error instanceof GatewayError &&
    error.code === grpc.status.UNAVAILABLE &&
    /Channel closed before call started/.test(error.message)
  );
}

class FabricLedgerClient implements LedgerClient {
  readonly #logger: Logger;
  readonly #name: string;
  readonly #deadlines: PhaseDeadlines;
  readonly #breaker: CircuitBreakerPolicy;
  readonly #rebuildBackoff: Backoff;
  /** The identity of queries, health checks and streams: the reader when held (credentials.ts). */
  readonly #reader: FabricRole;
  #channel: GatewayChannel;
  #stale = false;
  #rebuildNotBefore = 0;
  /** A channel was rebuilt since the last success. */
  #rebuilt = false;
  #closed = false;
  #probeTimer: NodeJS.Timeout | undefined;
  readonly #watcher: CommitWatcher | undefined;
  /** The channel the commit watcher's stream was last opened on. */
  #streamChannel: GatewayChannel | undefined;

  constructor(
    private readonly credentials: FabricCredentials,
    private readonly settings: FabricSettings,
    options: LedgerClientOptions,
  ) {
    this.#name = options.name ?? 'default';
    this.#reader = readIdentity(credentials) ?? 'reader';
    this.#logger = options.logger.child({ component: 'ledger', client: this.#name });
    this.#deadlines = { ...DEFAULT_DEADLINES, ...options.deadlines };
    this.#rebuildBackoff = createBackoff({
      initialMs: options.reconnect?.initialMs ?? 100,
      maxMs: options.reconnect?.maxMs ?? 10_000,
    });
    this.#breaker = circuitBreaker(handleWhen(isPeerFailure), {
      halfOpenAfter: options.breaker?.halfOpenAfterMs ?? 5_000,
      breaker: new ConsecutiveBreaker(options.breaker?.consecutiveFailures ?? 5),
    });
    fabricCircuitBreakerState.set({ client: this.#name }, 0);
    this.#breaker.onStateChange((state) => {
      fabricCircuitBreakerState.set({ client: this.#name }, BREAKER_GAUGE[state]);
      this.#logger.warn({ state: CircuitState[state] }, 'ledger circuit breaker state changed');
    });
    this.#channel = this.#open(0);
    if ((options.commitOutcomes ?? 'block-stream') === 'block-stream') {
      this.#watcher = new CommitWatcher({
        open: (startBlock) => this.#openFilteredBlocks(startBlock),
        onFailure: (error) => {
          // Counted against the channel the stream ran on: a stream ended by a rebuild is not a new failure.
          if (!this.#closed) this.#onFailure(this.#streamChannel ?? this.#channel, error);
        },
        logger: this.#logger,
        client: this.#name,
        fallbackAfterMs: this.#deadlines.commitStatusMs,
      });
    }
    if (options.probeIntervalMs) {
      this.#probeTimer = setInterval(() => void this.health(), options.probeIntervalMs);
      this.#probeTimer.unref();
    }
  }

  #reachable(value: boolean): void {
    fabricLedgerReachable.set({ client: this.#name }, value ? 1 : 0);
  }

  #open(generation: number): GatewayChannel {
    return new GatewayChannel(
      generation,
      this.credentials,
      this.settings.channel,
      this.settings.chaincode,
      this.#deadlines,
    );
  }

  /** The channel to use now; rebuilds a failed one once its backoff has passed. */
  #current(): GatewayChannel {
    if (this.#closed) throw new LedgerClosedError();
    if (this.#stale && Date.now() >= this.#rebuildNotBefore) {
      const old = this.#channel;
      this.#channel = this.#open(old.generation + 1);
      this.#stale = false;
      fabricReconnectsTotal.inc({ client: this.#name });
      this.#logger.info({ generation: this.#channel.generation }, 'opened a new gRPC channel to the peer');
      old.close();
    }
    return this.#channel;
  }

  #onFailure(channel: GatewayChannel, error: unknown): void {
    if (isPeerFailure(error)) this.#reachable(false);
    // Many calls fail together when a peer dies: only the first failure on the current channel counts.
    if (channel !== this.#channel || this.#stale || !isConnectionFailure(error)) return;
    // The first rebuild is immediate; consecutive ones (the new channel failed too) back off.
    const backoff = this.#rebuilt ? this.#rebuildBackoff.next() : 0;
    this.#rebuilt = true;
    this.#stale = true;
    this.#rebuildNotBefore = Date.now() + backoff;
    this.#logger.warn(
      { err: error, backoffMs: Math.round(backoff) },
      'connection to the peer failed; a new gRPC channel will be opened',
    );
  }

  #onSuccess(channel: GatewayChannel): void {
    this.#reachable(true);
    if (channel === this.#channel) {
      this.#rebuilt = false;
      this.#rebuildBackoff.reset();
    }
  }

  /** Runs one gRPC exchange through the breaker, keeping the channel's health up to date. */
  async #call<T>(work: (channel: GatewayChannel) => Promise<T>): Promise<T> {
    const channel = this.#current();
    try {
      const result = await this.#breaker.execute(() => work(channel));
      this.#onSuccess(channel);
      return result;
    } catch (error) {
      // The channel was rebuilt (another call or stream saw it break) between taking it and starting the call:
      // nothing was sent, so the call is made once more on the new channel rather than failed.
      if (channel !== this.#channel && isUnstartedCall(error)) return this.#call(work);
      this.#onFailure(channel, error);
      throw error;
    }
  }

  evaluate(contract: string, fn: string, args: string[], options: { signer?: FabricRole } = {}): Promise<Uint8Array> {
    return this.#call((channel) =>
      channel
        .contract(options.signer ?? this.#reader, contract)
        .evaluate(fn, { arguments: args } satisfies ProposalOptions),
    );
  }

  endorse(request: LedgerCallRequest): Promise<EndorsedTransaction> {
    return this.#call(async (channel) => {
      const proposal = channel.contract(request.signer, request.contract).newProposal(request.fn, {
        arguments: request.args,
        ...(request.transient === undefined ? {} : { transientData: request.transient }),
      } satisfies ProposalOptions);
      const transaction = await proposal.endorse();
      return {
        transactionId: transaction.getTransactionId(),
        signedTransaction: transaction.getBytes(),
        result: transaction.getResult(),
      };
    });
  }

  async submitSigned(
    signer: SigningRole,
    signedTransaction: Uint8Array,
    options: { resubmission?: boolean } = {},
  ): Promise<SubmittedTransaction> {
    let watch: ReturnType<CommitWatcher['watch']>;
    let submitted: SubmittedGatewayTransaction;
    try {
      submitted = await this.#call((channel) => {
        const transaction = channel.gateway(signer).newTransaction(signedTransaction);
        // Watched before it is sent, so its block cannot pass unseen. Bytes that may already be on the ledger
        // would show in the stream as DUPLICATE_TXID: their first outcome is asked of CommitStatus.
        if (!options.resubmission) watch = this.#watcher?.watch(transaction.getTransactionId());
        return transaction.submit();
      });
    } catch (error) {
      watch?.cancel();
      throw error;
    }
    return {
      transactionId: submitted.getTransactionId(),
      status: async () => {
        const seen = await watch?.seen;
        if (seen) {
          return {
            transactionId: submitted.getTransactionId(),
            blockNumber: seen.blockNumber,
            code: seen.code,
            successful: seen.code === 0,
            result: submitted.getResult(),
          };
        }
        if (!watch) fabricCommitOutcomes.inc({ client: this.#name, via: 'commit_status' });
        const status = await this.#commitStatus(signer, submitted);
        return {
          transactionId: status.transactionId,
          blockNumber: status.blockNumber,
          code: status.code,
          successful: status.successful,
          result: submitted.getResult(),
        };
      },
    };
  }

  /** A filtered-block stream on the current channel, signed by the reading identity. */
  async #openFilteredBlocks(startBlock: bigint | undefined) {
    const channel = this.#current();
    this.#streamChannel = channel;
    const blocks = await channel
      .network(this.#reader)
      .getFilteredBlockEvents(startBlock === undefined ? {} : { startBlock });
    this.#onSuccess(channel);
    return blocks;
  }

  /**
   * Waits for a submitted transaction's status. When the connection breaks meanwhile (or is replaced because
   * another call found it broken), the same signed status request is sent again on the current channel a few
   * times before giving up: thousands of transactions may be waiting, and each would otherwise come back as
   * a failed attempt.
   */
  async #commitStatus(signer: SigningRole, submitted: Commit): Promise<Status> {
    let commit: Commit = submitted;
    const retries = createBackoff({ initialMs: 100, maxMs: 800 });
    for (;;) {
      try {
        return await this.#call(() => commit.getStatus());
      } catch (error) {
        const transport =
          error instanceof GatewayError && (error.code === grpc.status.CANCELLED || isConnectionFailure(error));
        if (!transport || retries.failures >= 3 || this.#closed) throw error;
        await new Promise((resolve) => setTimeout(resolve, retries.next()));
        // The request signed on the first try, sent again as is.
        commit = this.#current().gateway(signer).newCommit(commit.getBytes());
      }
    }
  }

  async commit(
    signer: SigningRole,
    signedTransaction: Uint8Array,
    options: { resubmission?: boolean } = {},
  ): Promise<CommitOutcome> {
    return (await this.submitSigned(signer, signedTransaction, options)).status();
  }

  async submit(request: LedgerCallRequest): Promise<CommitOutcome> {
    const endorsed = await this.endorse(request);
    const outcome = await this.commit(request.signer, endorsed.signedTransaction);
    if (!outcome.successful) {
      throw newCommitError(outcome);
    }
    return outcome;
  }

  async *chaincodeEvents(options: LedgerEventsOptions = {}): AsyncIterable<LedgerEvent> {
    if (options.afterTransactionId !== undefined && options.startBlock === undefined) {
      throw new TypeError('chaincodeEvents: afterTransactionId needs the startBlock it belongs to');
    }
    const startBlock = options.startBlock;
    const afterTransactionId = options.afterTransactionId;
    yield* this.#follow(
      (network) =>
        network.getChaincodeEvents(
          this.settings.chaincode,
          startBlock !== undefined && afterTransactionId !== undefined
            ? { checkpoint: { getBlockNumber: () => startBlock, getTransactionId: () => afterTransactionId } }
            : { startBlock },
        ),
      options.signal,
      (event): LedgerEvent => ({
        blockNumber: event.blockNumber,
        transactionId: event.transactionId,
        eventName: event.eventName,
        payload: event.payload,
      }),
    );
  }

  async ledgerHeight(): Promise<bigint> {
    const info = await this.#call((channel) =>
      channel.network(this.#reader).getContract('qscc').evaluateTransaction('GetChainInfo', this.settings.channel),
    );
    return BigInt(common.BlockchainInfo.deserializeBinary(info).getHeight());
  }

  async *blockSummaries(options: {
    startBlock: bigint;
    signal?: AbortSignal;
  }): AsyncIterable<{ blockNumber: bigint; events: number }> {
    yield* this.#follow(
      (network) => network.getFilteredBlockEvents({ startBlock: options.startBlock }),
      options.signal,
      (block) => {
        let events = 0;
        for (const tx of block.getFilteredTransactionsList()) {
          // An invalid transaction's event is listed too (as a peer lists it) but was never delivered.
          if (tx.getTxValidationCode() !== 0) continue;
          for (const action of tx.getTransactionActions()?.getChaincodeActionsList() ?? []) {
            if (action.getChaincodeEvent()?.getChaincodeId() === this.settings.chaincode) events += 1;
          }
        }
        return { blockNumber: BigInt(block.getNumber()), events };
      },
    );
  }

  /**
   * One stream of the channel, read as the reader identity, until it ends, breaks or `signal` aborts: opening
   * and breaking count as channel failures (a broken channel is rebuilt), an abort or close() ends it quietly.
   */
  async *#follow<Item, Out>(
    open: (network: Network) => Promise<CloseableAsyncIterable<Item>>,
    signal: AbortSignal | undefined,
    map: (item: Item) => Out,
  ): AsyncIterable<Out> {
    const channel = this.#current();
    let stream: CloseableAsyncIterable<Item>;
    try {
      stream = await open(channel.network(this.#reader));
    } catch (error) {
      this.#onFailure(channel, error);
      throw error;
    }
    this.#onSuccess(channel);
    const onAbort = () => stream.close();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (signal?.aborted) return;
      for await (const item of stream) yield map(item);
    } catch (error) {
      // Closing the stream ourselves (abort, close()) cancels it: that is the normal end, not a failure.
      if (signal?.aborted || this.#closed) return;
      this.#onFailure(channel, error);
      throw error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      stream.close();
    }
  }

  async health(): Promise<LedgerHealth> {
    const started = performance.now();
    let channel: GatewayChannel | undefined;
    try {
      channel = this.#current();
      // Not through the breaker: health must probe the peer even while the breaker holds calls back. Endorsed,
      // not evaluated: an evaluate runs on one peer and succeeds while another organization the policy needs
      // is down (docs/fabric.md, two organizations); the endorsement is never submitted.
      await channel
        .contract(this.#reader, 'AdminContract')
        .newProposal('Ping')
        .endorse({ deadline: Date.now() + this.#deadlines.healthMs });
      this.#onSuccess(channel);
      fabricLedgerEndorsable.set({ client: this.#name }, 1);
      return { reachable: true, endorsable: true, latencyMs: Math.round(performance.now() - started) };
    } catch (error) {
      if (channel) this.#onFailure(channel, error);
      // The gateway answered that the policy cannot be satisfied now: the peer is there, the network is not.
      const answered = error instanceof GatewayError && !isPeerFailure(error);
      this.#reachable(answered);
      fabricLedgerEndorsable.set({ client: this.#name }, 0);
      return {
        reachable: answered,
        endorsable: false,
        latencyMs: Math.round(performance.now() - started),
        error: classifyError(error).message,
      };
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#probeTimer);
    this.#watcher?.close();
    this.#channel.close();
  }
}

/**
 * Loads and checks the credentials (throwing a CredentialError that names the bad variable), then returns a
 * client. No network call is made here: gRPC connects on first use, so a peer that is down at start-up does
 * not stop a role from starting (health() reports it).
 *
 * @example
 * const ledger = await createLedgerClient(config.fabric, { logger });
 * try {
 *   const supply = await ledger.evaluate('TokenomicsContract', 'GetSupply', []);
 * } finally {
 *   await ledger.close();
 * }
 */
export async function createLedgerClient(
  settings: FabricSettings,
  options: LedgerClientOptions,
): Promise<LedgerClient> {
  const credentials = loadFabricCredentials(settings, { access: options.access ?? 'sign' });
  return new FabricLedgerClient(credentials, settings, options);
}
