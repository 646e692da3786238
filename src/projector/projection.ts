/**
 * What a projection is made of, as data: read models (how a batch's changes to one table fold and reach
 * SQL) and event handlers (which changes one event makes). The capability slices declare both next to each
 * other (`src/capabilities/<name>/projection.ts`); `src/capabilities/index.ts` lists them; this engine only
 * folds and writes.
 *
 * Handlers only describe changes; {@link ReadModelChanges} folds them (the last balance of a wallet in the
 * batch wins, history rows accumulate) and each read model writes its table with one set-based statement.
 * That is what lets a batch of thousands of events cost a handful of round trips.
 */
import type { EventName, EventPayload } from '@gx/chaincode';
import type pg from 'pg';
import { markCommandsProjected } from '../outbox/mark-projected.js';

/** Where an event sits in the ledger: handlers copy it into the rows they write. */
export interface EventContext {
  blockNumber: bigint;
  transactionId: string;
}

/** The event a change came from: enough to quarantine it when its read model refuses the change. */
export interface EventOrigin extends EventContext {
  eventName: EventName;
  payload: unknown;
}

/** The origin a handler records with a change its read model may refuse. */
export function eventOrigin(eventName: EventName, payload: unknown, context: EventContext): EventOrigin {
  return { ...context, eventName, payload };
}

/**
 * A change a read model would not write because the event fails a rule of its slice (e.g. a profile change
 * no command of this backend asked for): the engine quarantines the event and counts it.
 */
export interface Refusal {
  origin: EventOrigin;
  reason: string;
}

/**
 * One table's (or one set of columns') changes within a batch, and the statement that writes them.
 *
 * Statements name tables without a schema on purpose: a rebuild runs the same statements with a
 * `search_path` that points at its own fresh tables.
 */
export interface ReadModel<Change> {
  /** For logs and errors. */
  name: string;
  /**
   * Changes with the same key replace one another within a batch (the later one, passed through `merge`
   * when given); a read model without a key accumulates every change (history rows).
   */
  key?(change: Change): string;
  merge?(earlier: Change, later: Change): Change;
  /**
   * Writes the batch's folded changes, in the order they were first recorded. Never called with none. Returns
   * the changes it refused (none when it returns nothing).
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: read models that refuse nothing just return (void)
  write(client: pg.ClientBase, changes: readonly Change[]): Promise<readonly Refusal[] | void>;
  /**
   * A table this read model owns outright (the projector writes every row): `gx projector rebuild` builds it
   * afresh and merges it into the live one. Absent for columns of a table the API owns (profiles).
   */
  ownedTable?: OwnedTable;
}

/** An owned table: its key and the columns that carry projected values. */
export interface OwnedTable {
  name: string;
  key: readonly string[];
  values: readonly string[];
  /** Whether the table has an `updated_at` to move on changed rows. */
  updatedAt: boolean;
}

/** Projects one event type. `project` is pure: it only records changes. */
export interface EventHandler<N extends EventName> {
  project(payload: EventPayload<N>, context: EventContext, changes: ReadModelChanges): void;
}

/**
 * Event name → the handlers (one per slice that cares) of that event. Every event of the chaincode needs at
 * least one: adding an event to the chaincode's schemas without a handler fails to compile.
 */
export type HandlerTable = { readonly [N in EventName]: readonly [EventHandler<N>, ...EventHandler<N>[]] };

/** A whole projection: its handlers, and its read models in the order their statements must run. */
export interface Projection {
  handlers: HandlerTable;
  /**
   * Written in this order, so that foreign keys and lookups find what they need (a profile registered
   * before the wallet that links to it and before a lock that finds it by Fabric user id).
   */
  // biome-ignore lint/suspicious/noExplicitAny: each read model has its own change type; the engine only passes them through
  readModels: ReadonlyArray<ReadModel<any>>;
}

/** A batch's rows as one jsonb parameter (bigints as decimal strings), for `jsonb_to_recordset`. */
export function jsonRows(rows: readonly unknown[]): string {
  return JSON.stringify(rows, (_key, value) => (typeof value === 'bigint' ? value.toString() : value));
}

/** Keeps a read model's type checks at its declaration. */
export function defineReadModel<Change>(readModel: ReadModel<Change>): ReadModel<Change> {
  return readModel;
}

/** Accumulates the changes of one batch, per read model. */
export class ReadModelChanges {
  readonly #keyed = new Map<ReadModel<unknown>, Map<string, unknown>>();
  readonly #listed = new Map<ReadModel<unknown>, unknown[]>();
  /** Request ids of the commands whose events were applied (outbox rows to mark projected). */
  readonly projectedRequestIds = new Set<string>();

  record<Change>(readModel: ReadModel<Change>, change: Change): void {
    const model = readModel as ReadModel<unknown>;
    if (readModel.key === undefined) {
      const list = this.#listed.get(model);
      if (list) list.push(change);
      else this.#listed.set(model, [change]);
      return;
    }
    let rows = this.#keyed.get(model) as Map<string, Change> | undefined;
    if (!rows) {
      rows = new Map<string, Change>();
      this.#keyed.set(model, rows as Map<string, unknown>);
    }
    const key = readModel.key(change);
    const earlier = rows.get(key);
    rows.set(key, earlier !== undefined && readModel.merge ? readModel.merge(earlier, change) : change);
  }

  /** The folded changes of `readModel`, in the order they were first recorded. */
  of<Change>(readModel: ReadModel<Change>): readonly Change[] {
    const model = readModel as ReadModel<unknown>;
    const keyed = this.#keyed.get(model);
    return (keyed ? [...keyed.values()] : (this.#listed.get(model) ?? [])) as Change[];
  }

  markProjected(requestId: string): void {
    this.projectedRequestIds.add(requestId);
  }
}

/** A validated event whose name and payload the compiler can correlate with the handler table. */
type EventOf<N extends EventName> = { [K in N]: { name: K; payload: EventPayload<K> } }[N];

/** Records the changes of one validated event; its command is then marked projected with the batch. */
export function projectEvent<N extends EventName>(
  projection: Projection,
  event: EventOf<N>,
  context: EventContext,
  changes: ReadModelChanges,
): void {
  const handlers: HandlerTable[N] = projection.handlers[event.name];
  for (const handler of handlers) handler.project(event.payload, context, changes);
  changes.markProjected(event.payload.requestId);
}

/**
 * Writes every change of the batch in the caller's transaction, then marks its commands projected. Returns the
 * changes the read models refused, for the caller to quarantine.
 */
export async function writeReadModelChanges(
  client: pg.ClientBase,
  projection: Projection,
  changes: ReadModelChanges,
): Promise<Refusal[]> {
  const refusals: Refusal[] = [];
  for (const readModel of projection.readModels) {
    const rows = changes.of(readModel);
    if (rows.length > 0) refusals.push(...((await readModel.write(client, rows)) ?? []));
  }
  await markCommandsProjected(client, changes.projectedRequestIds);
  return refusals;
}
