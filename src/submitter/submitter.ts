/**
 * The outbox submitter: turns outbox rows into Fabric transactions, exactly once, with many in flight.
 *
 * Life of a row in one attempt:
 *   claim (batch, SKIP LOCKED) → validate with the catalogue → endorse → store tx id + signed bytes
 *   (batch; row SUBMITTED) → submit → wait for the outcome (from the ledger client's one filtered-block
 *   stream; resubmitted bytes ask commit status by transaction id) → write back the outcome (batch).
 * Up to `window` rows are in flight at once and each moves on its own, so submitting and waiting for blocks
 * overlap and throughput is not bounded by block time.
 *
 * Exactly once: bytes are stored before they are submitted, and a row with stored bytes is only ever
 * resubmitted with those same bytes (same transaction id) until the ledger gives a definitive answer.
 * Rows held by a submitter that died (its liveness lock is gone) are adopted by a live one.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type Context, SpanKind, trace } from '@opentelemetry/api';
import { type BulkheadPolicy, bulkhead } from 'cockatiel';
import pg from 'pg';
import { createBackoff } from '../backoff.js';
import {
  commandCatalogue,
  isCommandType,
  type LedgerCall,
  type SigningRole,
  toLedgerCall,
} from '../commands/catalogue.js';
import { type ListenConnection, openListenConnection } from '../db/listen-connection.js';
import { Batcher } from '../db/micro-batcher.js';
import {
  classifyError,
  isEndorsementOutage,
  type LedgerClient,
  newCommitError,
  type SubmittedTransaction,
} from '../ledger/index.js';
import type { Logger } from '../observability/logger.js';
import { contextOf, inSpan } from '../observability/tracing.js';
import { readOutboxGauges } from '../outbox/backlog.js';
import { OUTBOX_CHANNEL } from '../outbox/channels.js';
import { type ClaimedCommand, claimCommands } from '../outbox/claim.js';
import {
  type AttemptOutcome,
  deferCommands,
  type RecordedOutcome,
  type RetryPolicy,
  recordOutcomes,
  releaseCommands,
} from '../outbox/record-outcomes.js';
import { type SignedTransactionRecord, storeSignedTransactions } from '../outbox/store-signed.js';
import { adoptOrphanedCommands, registerWorker, unregisterWorker } from '../outbox/workers.js';
import { ConflictGate } from './conflict-gate.js';
import {
  outboxCommandsProcessed,
  outboxInFlight,
  outboxInsertToSubmit,
  outboxProcessingDuration,
  setOutboxGaugeSource,
  submitterCommandsDeferred,
  submitterLedgerUnavailable,
  submitterOutagePauses,
} from './metrics.js';

export interface SubmitterOptions {
  pool: pg.Pool;
  /** For the dedicated LISTEN connection that also carries the liveness lock. */
  clientConfig: pg.ClientConfig;
  ledger: LedgerClient;
  logger: Logger;
  /** Most commands in flight at once (GX_SUBMITTER_WINDOW). */
  window: number;
  /** Most rows per claim (GX_SUBMITTER_BATCH_SIZE). */
  batchSize: number;
  /**
   * Most commands being endorsed, stored and handed to the orderer at once (default 64). Waiting for commit
   * status is not limited by this, only by `window`: endorsement is the peer's CPU work, and flooding it with
   * the whole window makes every call slower (deadlines, breaker) without committing anything sooner.
   */
  endorseConcurrency?: number;
  /** Attempts before a transient failure is dead-lettered (GX_SUBMITTER_MAX_ATTEMPTS). */
  maxAttempts: number;
  /** First retry delay, doubling per attempt with jitter (default 1 s), capped at backoffMaxMs (default 5 min). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Safety-net poll when no notification arrives (default 5 s). */
  pollIntervalMs?: number;
  /** How often to look for rows orphaned by dead submitters (default 2 s). */
  maintenanceIntervalMs?: number;
  /**
   * While the ledger cannot endorse writes (an outage), how often to probe it: from `initialMs` (default
   * 250 ms) doubling to `maxMs` (default 2 s), so claiming resumes within about `maxMs` of recovery.
   */
  outageProbe?: { initialMs: number; maxMs: number };
  /** How long stop() lets in-flight commands finish (default 30 s). */
  drainTimeoutMs?: number;
  /** Unique per process; default `<host>:<pid>:<uuid>`. */
  workerId?: string;
  /** Observes each command as it is claimed (bench: insert-to-claim latency). */
  onClaim?: (command: ClaimedCommand) => void;
  /** Observes each transaction as it is sent to the orderer (bench: insert-to-submit latency). */
  onSubmit?: (command: ClaimedCommand) => void;
  /** Observes each outcome once written back, with ms from the ledger's answer to the row update (bench). */
  onRecorded?: (commandId: string, writeBackMs: number) => void;
}

/** A running submitter. */
export interface Submitter {
  readonly workerId: string;
  /** Commands held right now. */
  inFlight(): number;
  /** True while claiming (false once stopping). */
  isRunning(): boolean;
  /** True while paused because the ledger cannot endorse writes; claiming resumes once a probe succeeds. */
  ledgerUnavailable(): boolean;
  /** Stops claiming, lets in-flight commands finish (up to the drain timeout), gives back the rest, exits. */
  stop(): Promise<void>;
}

/** A resettable wake-up: the claim loop sleeps on it; notifications, freed capacity and stop() fire it. */
class Wakeup {
  #resolve: (() => void) | undefined;
  #pending = false;

  fire(): void {
    this.#pending = true;
    this.#resolve?.();
  }

  /** Consumes a pending wake-up, if any. */
  take(): boolean {
    const pending = this.#pending;
    this.#pending = false;
    return pending;
  }

  wait(timeoutMs: number): Promise<void> {
    if (this.take()) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.#resolve = undefined;
        self.#pending = false;
        resolve();
      }
      this.#resolve = done;
    });
  }
}

/** Rows a claim waits to have room for while a backlog is being drained. */
const CLAIM_BATCH_UNDER_BACKLOG = 64;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** The command's declared signer; for a type this code no longer knows, stored bytes are only re-sent, which any identity can do. */
function signerOf(commandType: string): SigningRole {
  return isCommandType(commandType) ? commandCatalogue[commandType].signer : 'registrar';
}

class OutboxSubmitter implements Submitter {
  readonly workerId: string;
  readonly #o: Required<Omit<SubmitterOptions, 'onClaim' | 'onSubmit' | 'onRecorded' | 'workerId'>> &
    Pick<SubmitterOptions, 'onClaim' | 'onSubmit' | 'onRecorded'>;
  readonly #logger: Logger;
  readonly #policy: RetryPolicy;
  readonly #wakeup = new Wakeup();
  readonly #held = new Map<string, Promise<void>>();
  readonly #gate = new ConflictGate();
  readonly #store: Batcher<SignedTransactionRecord, boolean>;
  readonly #outcomes: Batcher<AttemptOutcome, RecordedOutcome | undefined>;
  readonly #deferrals: Batcher<{ id: string; error: string }, boolean>;
  /** Set while the ledger cannot endorse writes: the claim loop waits and a probe loop runs. */
  #outage: { since: number; probing: Promise<void> } | undefined;
  #listen: ListenConnection | undefined;
  readonly #sendLimit: BulkheadPolicy;
  /**
   * Connections with `synchronous_commit = off`, for the writes whose loss in a database crash is harmless:
   * claims (a lost claim leaves the row due again; the store step's guard then refuses to submit it) and
   * outcomes (a lost outcome leaves the row SUBMITTED with its bytes; it is resolved again by resubmitting
   * them). Saves a WAL flush on the insert → submit path. Storing signed bytes stays fully durable.
   */
  readonly #relaxedPool: pg.Pool;
  #stopping = false;
  /** The claim loop is waiting for room (in the window, or in the send queue). */
  #windowFull = false;
  /**
   * Commands past the conflict gate and not yet handed to the orderer. Claiming stops while this exceeds
   * the send queue bound, so under a backlog a replica holds only what it can send soon plus what awaits
   * commit, and other replicas get the rest instead of rows sitting claimed in this one's memory.
   */
  #awaitingSend = 0;
  #claimLoop: Promise<void> = Promise.resolve();
  #maintenanceTimer: NodeJS.Timeout | undefined;
  #maintenance: Promise<void> = Promise.resolve();
  #clearGaugeSource: (() => void) | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  /** Set when the database connection came back: look for own rows whose outcome write was lost. */
  #strayCheckDue = false;
  #retryTimerAt = Number.POSITIVE_INFINITY;

  constructor(options: SubmitterOptions) {
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID()}`;
    this.#o = {
      backoffBaseMs: 1_000,
      backoffMaxMs: 300_000,
      pollIntervalMs: 5_000,
      maintenanceIntervalMs: 2_000,
      outageProbe: { initialMs: 250, maxMs: 2_000 },
      drainTimeoutMs: 30_000,
      endorseConcurrency: 64,
      ...options,
    };
    this.#sendLimit = bulkhead(this.#o.endorseConcurrency, Number.MAX_SAFE_INTEGER);
    this.#logger = options.logger.child({ component: 'submitter', workerId: this.workerId });
    this.#policy = {
      maxAttempts: options.maxAttempts,
      backoffBaseMs: this.#o.backoffBaseMs,
      backoffMaxMs: this.#o.backoffMaxMs,
    };
    const { pool } = options;
    const relaxed = '-c synchronous_commit=off';
    this.#relaxedPool = new pg.Pool({
      ...options.clientConfig,
      options: options.clientConfig.options ? `${options.clientConfig.options} ${relaxed}` : relaxed,
      application_name: 'gx-submitter',
      max: 4,
    });
    this.#relaxedPool.on('error', (error) => this.#logger.warn({ err: error }, 'idle database connection failed'));
    const relaxedPool = this.#relaxedPool;
    // One flush at a time: what arrives meanwhile goes out together in the next statement, so under load the
    // database runs a few large statements rather than many small ones (each costs about the same).
    this.#store = new Batcher(
      async (records) => {
        const stored = await storeSignedTransactions(pool, this.workerId, records);
        return records.map((record) => stored.has(record.id));
      },
      { maxConcurrent: 1 },
    );
    this.#outcomes = new Batcher(
      async (outcomes) => {
        const recorded = new Map(
          (await recordOutcomes(relaxedPool, this.workerId, outcomes, this.#policy)).map((r) => [r.id, r]),
        );
        return outcomes.map((outcome) => recorded.get(outcome.id));
      },
      { maxConcurrent: 1 },
    );
    this.#deferrals = new Batcher(
      async (items) => {
        const deferred = await deferCommands(relaxedPool, this.workerId, items);
        return items.map((item) => deferred.has(item.id));
      },
      { maxConcurrent: 1 },
    );
    submitterLedgerUnavailable.set(0);
  }

  async start(): Promise<void> {
    // The dedicated connection wakes the claim loop on new rows and carries the worker's liveness lock.
    this.#listen = await openListenConnection({
      clientConfig: this.#o.clientConfig,
      applicationName: 'gx-submitter-listen',
      channel: OUTBOX_CHANNEL,
      logger: this.#logger,
      onConnect: async (client) => {
        await registerWorker(client, this.workerId);
      },
      onNotification: () => this.#wakeup.fire(),
      onReconnected: () => {
        this.#strayCheckDue = true;
        this.#wakeup.fire();
      },
    });
    await this.#maintain();
    this.#claimLoop = this.#runClaimLoop();
    this.#clearGaugeSource = setOutboxGaugeSource(() =>
      readOutboxGauges(this.#relaxedPool).catch((error: unknown) => {
        this.#logger.warn({ err: error }, 'reading the outbox gauges failed');
        throw error;
      }),
    );
    this.#maintenanceTimer = setInterval(() => {
      this.#maintenance = this.#maintenance.then(() => this.#maintain());
    }, this.#o.maintenanceIntervalMs);
    this.#logger.info({ window: this.#o.window, batchSize: this.#o.batchSize }, 'submitter started');
  }

  inFlight(): number {
    return this.#held.size;
  }

  isRunning(): boolean {
    return !this.#stopping;
  }

  ledgerUnavailable(): boolean {
    return this.#outage !== undefined;
  }

  /**
   * The ledger cannot endorse writes (every command would fail the same way): stop claiming and probe with an
   * endorsement until one succeeds, then claim again at once. Commands met by the outage were given back with
   * their attempt uncounted, so an outage of any length dead-letters nothing.
   */
  #pauseForOutage(error: unknown, reason: string): void {
    if (this.#outage || this.#stopping) return;
    submitterLedgerUnavailable.set(1);
    submitterOutagePauses.inc();
    this.#logger.warn(
      { err: error, reason },
      'the ledger cannot endorse writes; claiming paused, probing until it can (commands wait, no attempt is spent)',
    );
    const since = performance.now();
    const probing = (async () => {
      const delays = createBackoff(this.#o.outageProbe);
      let last: string | undefined;
      while (!this.#stopping) {
        await sleep(delays.next());
        if (this.#stopping) break;
        const health = await this.#o.ledger.health();
        if (health.endorsable) break;
        if (health.error !== last) this.#logger.warn({ error: health.error }, 'ledger still cannot endorse writes');
        last = health.error;
      }
      if (!this.#stopping) {
        this.#logger.info(
          { pausedMs: Math.round(performance.now() - since) },
          'the ledger endorses writes again; claiming resumed',
        );
      }
      this.#outage = undefined;
      submitterLedgerUnavailable.set(0);
      this.#wakeup.fire();
    })();
    this.#outage = { since, probing };
  }

  async #runClaimLoop(): Promise<void> {
    const failures = createBackoff({ initialMs: 200, maxMs: 10_000 });
    /** The last claim came back full: more rows are due than this replica takes at once (a backlog). */
    let backlog = false;
    while (!this.#stopping) {
      const sendRoom = Math.max(this.#o.batchSize, this.#o.endorseConcurrency * 4) - this.#awaitingSend;
      const windowRoom = this.#o.window - this.#held.size;
      const capacity = Math.min(windowRoom, sendRoom);
      // Under a backlog, the send queue frees one place per command sent: claim only once it has room for a
      // sizeable batch, since a claim costs the database about as much for 5 rows as for 100 (a claim per
      // sent command would cost a statement per command). The window itself is always filled to the last
      // place, and without a backlog any room is claimed at once (a new command starts within milliseconds).
      const minimum = backlog ? Math.min(this.#o.batchSize, CLAIM_BATCH_UNDER_BACKLOG) : 1;
      if (this.#outage) {
        // Nothing claimed while no write can be endorsed: commands wait in the outbox, spending no attempt.
        // The probe loop wakes this loop when the ledger endorses again.
        await this.#wakeup.wait(this.#o.pollIntervalMs);
        continue;
      }
      if (windowRoom <= 0 || sendRoom < minimum) {
        this.#windowFull = true;
        await this.#wakeup.wait(this.#o.pollIntervalMs);
        this.#windowFull = false;
        continue;
      }
      const limit = Math.min(this.#o.batchSize, capacity);
      this.#wakeup.take();
      let claimed: ClaimedCommand[];
      try {
        claimed = await claimCommands(this.#relaxedPool, this.workerId, limit);
        failures.reset();
      } catch (error) {
        this.#logger.error({ err: error }, 'claiming outbox commands failed; backing off');
        await sleep(failures.next());
        continue;
      }
      for (const command of claimed) this.#begin(command);
      backlog = claimed.length === limit;
      // A full batch means more are probably due: claim again at once.
      if (!backlog && !this.#stopping) await this.#wakeup.wait(this.#o.pollIntervalMs);
    }
  }

  #begin(command: ClaimedCommand): void {
    // A stray check can race with a claim of the same row by this worker: one attempt per row, ever.
    if (this.#held.has(command.id)) return;
    outboxInFlight.inc();
    this.#o.onClaim?.(command);
    const work = this.#process(command)
      .catch((error: unknown) => this.#logger.error({ err: error, commandId: command.id }, 'command processing failed'))
      .finally(() => {
        this.#held.delete(command.id);
        outboxInFlight.dec();
        // Freed room matters only to a claim loop that stopped for lack of it; otherwise waking it for every
        // finished command would cost a claim query each.
        if (this.#windowFull) this.#wakeup.fire();
      });
    this.#held.set(command.id, work);
  }

  /**
   * One attempt at a command, in a span of the command's trace when it carries one (tracing on): a child of
   * the request that wrote it, with a child span per Fabric call (endorse, submit, commit wait).
   */
  #process(command: ClaimedCommand): Promise<void> {
    const parent = contextOf(command.traceContext);
    if (parent === undefined) return this.#attempt(command, undefined);
    const attributes = {
      'gx.command.id': command.id,
      'gx.command.type': command.commandType,
      'gx.command.attempt': command.attempts,
    };
    return inSpan(parent, `submit ${command.commandType}`, { kind: SpanKind.PRODUCER, attributes }, (span) =>
      this.#attempt(command, span && trace.setSpan(parent, span)),
    );
  }

  async #attempt(command: ClaimedCommand, traced: Context | undefined): Promise<void> {
    const started = performance.now();
    // Only failures and recoveries log, so the per-command child logger is made on demand.
    const log = () => this.#logger.child({ commandId: command.id, commandType: command.commandType });
    // Bytes on the row may be on the ledger: until the ledger answers, they must survive this attempt.
    let bytesStored = command.signedTx !== null;
    let outcome: AttemptOutcome;
    let answeredAt = 0;
    // Validated once: the conflict keys and the chaincode call both come from it. A payload the catalogue
    // refuses touches no key, and fails (permanently) where its call would be endorsed.
    let call: LedgerCall | undefined;
    let invalid: unknown;
    try {
      call = toLedgerCall(command.commandType, command.requestId, command.payload);
    } catch (error) {
      invalid = error;
    }
    try {
      // The gate holds this row back while an earlier one touching the same ledger keys is unresolved.
      const answered = await this.#gate.run(call?.conflictKeys ?? [], async () => {
        this.#awaitingSend += 1;
        let sent: SubmittedTransaction | undefined;
        try {
          sent = await this.#sendLimit.execute(async () => {
            let signer: SigningRole;
            let signedTx: Uint8Array;
            // Stored bytes may already be on the ledger: their outcome is asked by transaction id.
            const resubmission = command.signedTx !== null;
            if (command.signedTx) {
              signer = call?.signer ?? signerOf(command.commandType);
              signedTx = command.signedTx;
              log().info(
                { fabricTxId: command.fabricTxId },
                'resubmitting the stored transaction (its fate was unknown)',
              );
            } else {
              if (!call) throw invalid;
              const endorsed = await inSpan(traced, 'fabric endorse', { kind: SpanKind.CLIENT }, () =>
                this.#o.ledger.endorse(call),
              );
              const stored = await this.#store.add({
                id: command.id,
                fabricTxId: endorsed.transactionId,
                signedTx: endorsed.signedTransaction,
              });
              if (!stored) return undefined;
              bytesStored = true;
              signer = call.signer;
              signedTx = endorsed.signedTransaction;
            }
            outboxInsertToSubmit.observe(Math.max(0, Date.now() - command.createdAt.getTime()) / 1000);
            this.#o.onSubmit?.(command);
            return await inSpan(
              traced,
              'fabric submit',
              { kind: SpanKind.CLIENT, attributes: { 'gx.fabric.resubmission': resubmission } },
              () => this.#o.ledger.submitSigned(signer, signedTx, { resubmission }),
            );
          });
        } finally {
          this.#awaitingSend -= 1;
          if (this.#windowFull) this.#wakeup.fire();
        }
        if (!sent) return undefined;
        const result = await inSpan(
          traced,
          'fabric commit wait',
          { kind: SpanKind.CLIENT, attributes: { 'gx.fabric.tx_id': sent.transactionId } },
          () => sent.status(),
        );
        return { result };
      });
      if (!answered) {
        log().warn('row was taken over by another submitter before submission; not submitting');
        return;
      }
      const { result } = answered;
      answeredAt = performance.now();
      if (result.successful) {
        outcome = {
          id: command.id,
          outcome: 'COMMITTED',
          fabricTxId: result.transactionId,
          blockNumber: result.blockNumber,
        };
      } else {
        const verdict = classifyError(newCommitError(result));
        outcome = {
          id: command.id,
          outcome: 'FAILED',
          errorKind: verdict.kind,
          error: verdict.message,
          validationCode: result.code,
          blockNumber: result.blockNumber,
          keepSignedTx: false,
        };
      }
    } catch (error) {
      const verdict = classifyError(error, { function: call && `${call.contract}:${call.fn}` });
      if (isEndorsementOutage(error)) {
        // Not this command's fault: it waits for the ledger, without spending an attempt.
        this.#pauseForOutage(error, verdict.reason);
        if (await this.#defer(command.id, verdict.message)) {
          submitterCommandsDeferred.inc();
          outboxProcessingDuration.observe((performance.now() - started) / 1000);
          return;
        }
      }
      outcome = {
        id: command.id,
        outcome: 'FAILED',
        errorKind: verdict.kind,
        error: verdict.message,
        keepSignedTx: bytesStored,
      };
      log().warn({ err: error, kind: verdict.kind, reason: verdict.reason }, 'command attempt failed');
    }
    const recorded = await this.#record(outcome);
    const finished = performance.now();
    outboxProcessingDuration.observe((finished - started) / 1000);
    if (answeredAt > 0) this.#o.onRecorded?.(command.id, finished - answeredAt);
    if (!recorded) return;
    if (recorded.nextAttemptAt) this.#wakeAt(recorded.nextAttemptAt.getTime());
    const label = recorded.status === 'COMMITTED' ? 'COMMITTED' : recorded.retrying ? 'RETRY' : 'FAILED';
    outboxCommandsProcessed.inc({ status: label });
    if (traced) trace.getSpan(traced)?.setAttribute('gx.command.outcome', label);
    if (label === 'FAILED')
      log().warn({ error: outcome.outcome === 'FAILED' ? outcome.error : undefined }, 'command dead-lettered');
  }

  /** Gives a row back after an outage met it; false when it could not be (then its outcome is recorded). */
  async #defer(id: string, error: string): Promise<boolean> {
    try {
      return await this.#deferrals.add({ id, error: `waiting for the ledger to endorse again: ${error}` });
    } catch (failure) {
      this.#logger.error({ err: failure, commandId: id }, 'giving a command back failed; recording the attempt');
      return false;
    }
  }

  /** Wakes the claim loop when a retry this worker scheduled falls due (no NOTIFY announces it). */
  #wakeAt(dueAt: number): void {
    if (this.#stopping || dueAt >= this.#retryTimerAt) return;
    clearTimeout(this.#retryTimer);
    this.#retryTimerAt = dueAt;
    this.#retryTimer = setTimeout(
      () => {
        this.#retryTimerAt = Number.POSITIVE_INFINITY;
        this.#wakeup.fire();
      },
      Math.max(0, dueAt - Date.now()) + 5,
    );
    this.#retryTimer.unref();
  }

  /** Writes an outcome back, retrying while the database is unreachable (the row stays held meanwhile). */
  async #record(outcome: AttemptOutcome): Promise<RecordedOutcome | undefined> {
    const failures = createBackoff({ initialMs: 100, maxMs: 10_000 });
    for (;;) {
      try {
        return await this.#outcomes.add(outcome);
      } catch (error) {
        if (this.#stopping && failures.failures >= 3) {
          this.#logger.error(
            { err: error, commandId: outcome.id },
            'giving up recording an outcome; another submitter will resolve the row',
          );
          return undefined;
        }
        this.#logger.error({ err: error, commandId: outcome.id }, 'recording an outcome failed; retrying');
        await sleep(failures.next());
      }
    }
  }

  async #maintain(): Promise<void> {
    // Orphans are adopted once the ledger can take them: adopting now would only give them back.
    if (this.#stopping || this.#outage) return;
    try {
      const room = Math.max(0, this.#o.window - this.#held.size);
      if (room > 0) {
        const ownStrays = this.#strayCheckDue ? { workingOn: [...this.#held.keys()] } : undefined;
        this.#strayCheckDue = false;
        const adopted = await adoptOrphanedCommands(
          this.#o.pool,
          this.workerId,
          Math.min(room, this.#o.batchSize),
          ownStrays,
        );
        if (adopted.length > 0)
          this.#logger.warn({ count: adopted.length }, 'adopted commands orphaned by a dead submitter');
        for (const command of adopted) this.#begin(command);
      }
    } catch (error) {
      this.#logger.error({ err: error }, 'submitter maintenance failed');
    }
  }

  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#clearGaugeSource?.();
    clearInterval(this.#maintenanceTimer);
    clearTimeout(this.#retryTimer);
    this.#wakeup.fire();
    await this.#claimLoop;
    await this.#maintenance;
    const inFlight = [...this.#held.values()];
    this.#logger.info({ inFlight: inFlight.length }, 'stopping: finishing in-flight commands');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled(inFlight),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.#o.drainTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    const remaining = [...this.#held.keys()];
    if (remaining.length > 0) {
      const released = await releaseCommands(this.#o.pool, this.workerId, remaining).catch(() => 0);
      this.#logger.warn(
        { released, stillHeld: remaining.length - released },
        'drain timeout: gave back unsubmitted commands; submitted ones will be resolved by the next submitter',
      );
    }
    await this.#outage?.probing;
    await this.#store.drained();
    await this.#outcomes.drained();
    await this.#deferrals.drained();
    await this.#listen?.close();
    await unregisterWorker(this.#o.pool, this.workerId).catch(() => undefined);
    await this.#relaxedPool.end();
    this.#logger.info('submitter stopped');
  }
}

/**
 * Starts a submitter: registers it as a live worker, adopts rows orphaned by dead ones, and begins claiming.
 * Call {@link Submitter.stop} to shut it down gracefully.
 */
export async function startSubmitter(options: SubmitterOptions): Promise<Submitter> {
  const submitter = new OutboxSubmitter(options);
  await submitter.start();
  return submitter;
}
