/**
 * Applies one batch of events (one or more whole blocks) and moves the checkpoint, in one transaction:
 * a crash anywhere loses nothing and repeats nothing, because the rows and the checkpoint commit together
 * and events at or before the checkpoint are skipped.
 */
import { type GxEvent, parseEvent } from '@gx/chaincode';
import type pg from 'pg';
import * as capabilities from '../capabilities/index.js';
import { inTransaction } from '../db/pool.js';
import type { Logger } from '../observability/logger.js';
import { tracingEnabled } from '../observability/tracing.js';
import { lockCheckpoint, writeCheckpoint } from './checkpoint.js';
import { isAfter, type StreamPosition } from './position.js';
import {
  type EventContext,
  projectEvent,
  ReadModelChanges,
  type Refusal,
  writeReadModelChanges,
} from './projection.js';
import { quarantineEvent } from './quarantine.js';
import type { SourceEvent } from './source.js';
import { ProjectionSpans } from './tracing.js';

/** A ledger event with its index among this chaincode's events of its block. */
export interface PositionedEvent extends SourceEvent {
  eventIndex: number;
}

export interface BatchOutcome {
  applied: number;
  rejected: number;
  /**
   * Applied events whose change to a read model was refused by the read model's rules (a profile change no
   * command of this backend asked for, say): the rest of the event is applied, the event quarantined.
   */
  refused: number;
  /** Events at or before the checkpoint (already applied by this or another writer). */
  duplicates: number;
  /** The checkpoint after the batch (unchanged when everything was a duplicate). */
  checkpoint: StreamPosition | undefined;
}

export interface ApplyBatchOptions {
  projection: string;
  ledgerHeight?: bigint;
  logger: Logger;
}

/** SQLSTATE classes 22 (data exception) and 23 (integrity violation): the event's fault, not the database's. */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

/** A validated event, kept to re-apply it alone if its batch breaks a constraint. */
export interface ValidEvent {
  raw: PositionedEvent;
  event: GxEvent;
  context: EventContext;
}

function positionOf(event: PositionedEvent): StreamPosition {
  return { blockNumber: event.blockNumber, eventIndex: event.eventIndex, transactionId: event.transactionId };
}

/**
 * A batch parsed and projected ahead of its transaction, so that the projector can prepare the next batch
 * while the database commits the current one.
 */
export interface PreparedBatch {
  events: readonly PositionedEvent[];
  valid: readonly ValidEvent[];
  rejected: ReadonlyArray<{ raw: PositionedEvent; reason: string }>;
  /** The changes of every valid event, folded in order. */
  changes: ReadModelChanges;
}

/** Validates and projects `events` (no I/O). */
export function prepareBatch(events: readonly PositionedEvent[]): PreparedBatch {
  const valid: ValidEvent[] = [];
  const rejected: Array<{ raw: PositionedEvent; reason: string }> = [];
  const changes = new ReadModelChanges();
  for (const raw of events) {
    const parsed = parseEvent(raw.eventName, raw.payload);
    if (!parsed.ok) {
      rejected.push({ raw, reason: parsed.reason });
      continue;
    }
    const context = { blockNumber: raw.blockNumber, transactionId: raw.transactionId };
    projectEvent(capabilities.projection, parsed.event, context, changes);
    valid.push({ raw, event: parsed.event, context });
  }
  return { events, valid, rejected, changes };
}

/** Applies `events` (in stream order, or prepared) in one transaction on a client of `pool`. */
export async function applyBatch(
  pool: pg.Pool,
  events: readonly PositionedEvent[] | PreparedBatch,
  options: ApplyBatchOptions,
): Promise<BatchOutcome> {
  const prepared = 'changes' in events ? events : prepareBatch(events);
  const spans = tracingEnabled() ? new ProjectionSpans(options.projection, prepared.valid) : undefined;
  try {
    // Asynchronous commit is safe here: a database crash can only lose the newest batches together with
    // their checkpoint (WAL keeps them atomic), and those are read from the ledger again. It spares every
    // live block a WAL flush wait, which is most of its latency.
    const outcome = await inTransaction(
      pool,
      async (client) => {
        const outcome = await applyInTransaction(client, prepared, options);
        if (outcome.applied > 0) await spans?.start(client);
        return outcome;
      },
      { synchronousCommit: false },
    );
    spans?.end();
    return outcome;
  } catch (error) {
    spans?.end(error);
    throw error;
  }
}

async function applyInTransaction(
  client: pg.PoolClient,
  prepared: PreparedBatch,
  options: ApplyBatchOptions,
): Promise<BatchOutcome> {
  const { projection } = options;
  const { events } = prepared;
  const checkpoint = await lockCheckpoint(client, projection);
  const fresh = events.filter((event) => isAfter(event, checkpoint));
  const last = fresh.at(-1);
  if (last === undefined) return { applied: 0, rejected: 0, refused: 0, duplicates: events.length, checkpoint };
  // Only a resumed stream repeats events; then the batch is projected again without them.
  const batch = fresh.length === events.length ? prepared : prepareBatch(fresh);

  for (const { raw, reason } of batch.rejected) await reject(client, raw, reason, options);
  let rejected = batch.rejected.length;
  let refusals: Refusal[];
  await client.query('SAVEPOINT batch');
  try {
    refusals = await writeReadModelChanges(client, capabilities.projection, batch.changes);
    await client.query('RELEASE SAVEPOINT batch');
  } catch (error) {
    if (!isDataError(error)) throw error;
    // One event's rows violate a constraint: find it by applying the batch event by event, quarantine it and
    // keep the others, rather than stall the projection on it forever.
    await client.query('ROLLBACK TO SAVEPOINT batch');
    const oneByOne = await applyOneByOne(client, batch.valid, options);
    rejected += oneByOne.rejected;
    refusals = oneByOne.refusals;
  }
  for (const refusal of refusals) await refuse(client, refusal, options);
  await writeCheckpoint(client, projection, positionOf(last), options.ledgerHeight);
  return {
    applied: fresh.length - rejected,
    rejected,
    refused: refusals.length,
    duplicates: events.length - fresh.length,
    checkpoint: positionOf(last),
  };
}

async function applyOneByOne(
  client: pg.PoolClient,
  events: readonly ValidEvent[],
  options: ApplyBatchOptions,
): Promise<{ rejected: number; refusals: Refusal[] }> {
  let rejected = 0;
  const refusals: Refusal[] = [];
  for (const { raw, event, context } of events) {
    const changes = new ReadModelChanges();
    projectEvent(capabilities.projection, event, context, changes);
    await client.query('SAVEPOINT event');
    try {
      refusals.push(...(await writeReadModelChanges(client, capabilities.projection, changes)));
      await client.query('RELEASE SAVEPOINT event');
    } catch (error) {
      if (!isDataError(error)) throw error;
      await client.query('ROLLBACK TO SAVEPOINT event');
      await reject(client, raw, `could not be applied: ${(error as Error).message}`, options);
      rejected += 1;
    }
  }
  return { rejected, refusals };
}

/**
 * Quarantines an event whose change a read model refused, and says so at `error`: a refusal means the ledger
 * carries a change this backend did not ask for (alert `GxProjectorRefusedEvents`, docs/runbook.md).
 */
async function refuse(client: pg.PoolClient, refusal: Refusal, options: ApplyBatchOptions): Promise<void> {
  const { origin, reason } = refusal;
  await quarantineEvent(
    client,
    options.projection,
    {
      blockNumber: origin.blockNumber,
      transactionId: origin.transactionId,
      eventName: origin.eventName,
      payload: Buffer.from(JSON.stringify(origin.payload)),
    },
    `refused: ${reason}`,
  );
  options.logger.error(
    { txId: origin.transactionId, blockNumber: origin.blockNumber.toString(), eventName: origin.eventName, reason },
    'event refused: the ledger carries a change this backend did not ask for; quarantined',
  );
}

async function reject(
  client: pg.PoolClient,
  event: PositionedEvent,
  reason: string,
  options: ApplyBatchOptions,
): Promise<void> {
  await quarantineEvent(client, options.projection, event, reason);
  options.logger.warn(
    {
      txId: event.transactionId,
      blockNumber: event.blockNumber.toString(),
      eventName: event.eventName,
      reason,
    },
    'event rejected and quarantined',
  );
}
