/**
 * `gx projector rebuild`: replay the ledger from block 0 into fresh read models, then switch over in one
 * transaction.
 *
 * Why a separate schema and a merge-in switch-over: the rebuild runs the very same batch code with
 * `search_path = gx_rebuild, public`, so its wallet, history, system state, checkpoint and a copy of the
 * profiles are fresh tables nobody reads, while the live projector keeps the public read models current and
 * the API keeps serving them. When the rebuild has caught up (its stream idle) and is at or past the live
 * checkpoint, one transaction locks the live checkpoint row (pausing the live projector between batches),
 * makes each public table equal to its rebuilt twin by difference (delete the rows the rebuild does not
 * have, update the rows that differ, insert the missing ones), writes the projector-owned profile columns
 * and moves the checkpoint. Readers are never blocked and, by MVCC, see the old rows until that commit and
 * the new rows after it: never a half-built state.
 *
 * Alternatives rejected: renaming tables across schemas switches in O(1) but silently re-points nothing
 * that other code attached to the old tables (foreign keys, grants, views, the history id sequence it owns);
 * deleting and re-inserting everything under an exclusive lock keeps those but blocks every reader for the
 * whole copy (3.2 s for 118k history rows here) and renumbers history ids (breaking API cursors). Merging
 * by difference keeps ids, blocks no reader, and writes almost nothing when the read models were right.
 */
import pg from 'pg';
import * as capabilities from '../capabilities/index.js';
import { inTransaction } from '../db/pool.js';
import type { Logger } from '../observability/logger.js';
import { type CheckpointRow, ensureCheckpointRow, toPosition } from './checkpoint.js';
import { tryExclusiveLock } from './leadership.js';
import { comparePositions, type StreamPosition } from './position.js';
import type { OwnedTable as MergedTable } from './projection.js';
import { createProjector, DEFAULT_PROJECTION } from './projector.js';
import type { ChaincodeEventSource } from './source.js';

/** Schema that holds a rebuild in progress. */
export const REBUILD_SCHEMA = 'gx_rebuild';

/**
 * Tables rebuilt from scratch and merged in: every read model's owned table, as its slice declares it.
 * Timestamps of writing are left as they are on unchanged rows.
 */
const MERGED_TABLES: readonly MergedTable[] = capabilities.projection.readModels.flatMap((readModel) =>
  readModel.ownedTable ? [readModel.ownedTable] : [],
);

/** Makes `public.<table>` equal to `gx_rebuild.<table>` on key and values, touching only rows that differ. */
async function mergeTable(client: pg.ClientBase, table: MergedTable): Promise<void> {
  const live = `public.${table.name}`;
  const rebuilt = `${REBUILD_SCHEMA}.${table.name}`;
  const sameKey = table.key.map((c) => `p.${c} = r.${c}`).join(' AND ');
  const columns = [...table.key, ...table.values];
  await client.query(`DELETE FROM ${live} p WHERE NOT EXISTS (SELECT 1 FROM ${rebuilt} r WHERE ${sameKey})`);
  await client.query(
    `UPDATE ${live} p SET ${table.values.map((c) => `${c} = r.${c}`).join(', ')}${table.updatedAt ? ', updated_at = now()' : ''}
       FROM ${rebuilt} r
      WHERE ${sameKey}
        AND (${table.values.map((c) => `p.${c}`).join(', ')}) IS DISTINCT FROM (${table.values.map((c) => `r.${c}`).join(', ')})`,
  );
  await client.query(
    `INSERT INTO ${live} (${columns.join(', ')})
     SELECT ${columns.map((c) => `r.${c}`).join(', ')} FROM ${rebuilt} r
      WHERE NOT EXISTS (SELECT 1 FROM ${live} p WHERE ${sameKey})`,
  );
}

/** Columns of `user_profile` the projector writes; the API owns the rest of the row. */
const PROFILE_COLUMNS = [
  'fabric_user_id',
  'onchain_status',
  'onchain_registered_at',
  'is_locked',
  'lock_reason',
  'locked_at',
  'last_synced_at',
] as const;

/** Columns of `user_profile` the projector's role may read (migration 0007 grants exactly these). */
const PROFILE_COLUMNS_READ = [
  'profile_id',
  // The digest the ledger names a profile by, and the role the admin registry sets (read by the projections;
  // a role re-applied in the copy is the one the live row already has, so it is not written back).
  'profile_digest',
  'role',
  'tenant_id',
  'status',
  'locked_by',
  'updated_at',
  ...PROFILE_COLUMNS,
] as const;

export interface RebuildOptions {
  /** Pool on the live database (default search_path). */
  pool: pg.Pool;
  clientConfig: pg.ClientConfig;
  source: ChaincodeEventSource;
  logger: Logger;
  projection?: string;
  /** No event for this long means the rebuild has caught up with the ledger; default 500 ms. */
  idleMs?: number;
  maxBatchEvents?: number;
}

export interface RebuildResult {
  checkpoint: StreamPosition | undefined;
  /** Events applied by the rebuild. */
  events: number;
  /** How long the switch-over transaction took (the live projector waits meanwhile; readers never do). */
  switchMs: number;
}

/**
 * Fresh copies of the projector's tables in {@link REBUILD_SCHEMA}; profiles copied with their registration
 * reset. Locks are kept: an administrator's lock is the API's, and the ledger never clears it.
 */
async function prepareSchema(pool: pg.Pool): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query(`DROP SCHEMA IF EXISTS ${REBUILD_SCHEMA} CASCADE`);
    await client.query(`CREATE SCHEMA ${REBUILD_SCHEMA}`);
    for (const table of [...MERGED_TABLES.map((t) => t.name), 'projector_state', 'projector_rejected_event']) {
      // LIKE copies columns, defaults, checks and indexes but no foreign keys: the rebuild's tables stand alone.
      await client.query(`CREATE TABLE ${REBUILD_SCHEMA}.${table} (LIKE public.${table} INCLUDING ALL)`);
    }
    // Only the profile columns the projector may read (its database role sees no email, password hash or
    // personal data: migration 0007), with the keys the live table has.
    await client.query(
      `CREATE TABLE ${REBUILD_SCHEMA}.user_profile AS SELECT ${PROFILE_COLUMNS_READ.join(', ')} FROM public.user_profile`,
    );
    await client.query(
      `ALTER TABLE ${REBUILD_SCHEMA}.user_profile ADD PRIMARY KEY (profile_id), ADD UNIQUE (fabric_user_id)`,
    );
    await client.query(
      `UPDATE ${REBUILD_SCHEMA}.user_profile
          SET fabric_user_id = NULL, onchain_registered_at = NULL, last_synced_at = NULL,
              onchain_status = CASE WHEN onchain_status = 'REGISTERED' THEN 'PENDING' ELSE onchain_status END`,
    );
  });
}

/**
 * Switches the rebuilt read models in, if the rebuild is at or past the live checkpoint. Returns the time
 * the tables were held, or undefined when the live projection is still ahead (try again later).
 */
async function switchOver(pool: pg.Pool, projection: string): Promise<number | undefined> {
  const heldFrom = await inTransaction(pool, async (client) => {
    // Waits for the live projector's batch in flight, then holds it off until this commits.
    const live = toPosition(
      (
        await client.query<CheckpointRow>(
          'SELECT last_block, last_event_index, last_tx_id FROM public.projector_state WHERE name = $1 FOR UPDATE',
          [projection],
        )
      ).rows[0],
    );
    const rebuiltRow = (
      await client.query<CheckpointRow & { ledger_height: string | null }>(
        `SELECT last_block, last_event_index, last_tx_id, ledger_height FROM ${REBUILD_SCHEMA}.projector_state WHERE name = $1`,
        [projection],
      )
    ).rows[0];
    const rebuilt = toPosition(rebuiltRow);
    // Nothing written yet: ending the transaction releases the checkpoint row either way.
    if (live !== undefined && (rebuilt === undefined || comparePositions(rebuilt, live) < 0)) return undefined;
    const started = performance.now();
    // Profiles registered off-chain after the rebuild copied them were unknown to it, so it could not link
    // their wallets; the live projector did, and its link stands.
    await client.query(
      `UPDATE ${REBUILD_SCHEMA}.wallet r SET profile_id = p.profile_id
         FROM public.user_profile p
        WHERE r.profile_id IS NULL AND p.fabric_user_id = r.fabric_user_id
          AND NOT EXISTS (SELECT 1 FROM ${REBUILD_SCHEMA}.user_profile c WHERE c.profile_id = p.profile_id)`,
    );
    for (const table of MERGED_TABLES) await mergeTable(client, table);
    const set = PROFILE_COLUMNS.map((column) => `${column} = r.${column}`).join(', ');
    const compared = PROFILE_COLUMNS.filter((c) => c !== 'last_synced_at');
    await client.query(
      `UPDATE public.user_profile p SET ${set}, updated_at = now()
         FROM ${REBUILD_SCHEMA}.user_profile r
        WHERE p.profile_id = r.profile_id
          AND (${compared.map((c) => `p.${c}`).join(', ')}) IS DISTINCT FROM (${compared.map((c) => `r.${c}`).join(', ')})`,
    );
    await client.query(
      `INSERT INTO public.projector_rejected_event (projection, block_number, tx_id, event_name, payload, reason, created_at)
       SELECT projection, block_number, tx_id, event_name, payload, reason, created_at
         FROM ${REBUILD_SCHEMA}.projector_rejected_event
       ON CONFLICT (projection, tx_id) DO NOTHING`,
    );
    if (rebuilt !== undefined) {
      await client.query(
        `UPDATE public.projector_state
            SET last_block = $2, last_event_index = $3, last_tx_id = $4,
                ledger_height = GREATEST(ledger_height, $5::bigint), last_applied_at = now(), updated_at = now()
          WHERE name = $1`,
        [
          projection,
          rebuilt.blockNumber.toString(),
          rebuilt.eventIndex,
          rebuilt.transactionId,
          rebuiltRow?.ledger_height,
        ],
      );
    }
    return started;
  });
  // Measured after COMMIT: the hold includes the commit itself.
  return heldFrom === undefined ? undefined : performance.now() - heldFrom;
}

/**
 * Rebuilds the projection from block 0 and switches over. Refuses to run while another rebuild of the same
 * projection runs. The live projector may keep running throughout.
 */
export async function rebuildProjection(options: RebuildOptions, signal: AbortSignal): Promise<RebuildResult> {
  const projection = options.projection ?? DEFAULT_PROJECTION;
  const { logger } = options;
  const lock = await tryExclusiveLock(options.clientConfig, `gx-projector-rebuild:${projection}`);
  if (!lock) throw new Error(`another rebuild of projection "${projection}" is running`);
  const rebuildPool = new pg.Pool({
    ...options.clientConfig,
    application_name: 'gx-projector-rebuild',
    options: `-c search_path=${REBUILD_SCHEMA},public`,
    max: 2,
  });
  rebuildPool.on('error', (error) => logger.warn({ err: error }, 'idle rebuild connection failed'));
  try {
    await ensureCheckpointRow(options.pool, projection);
    await prepareSchema(options.pool);
    logger.info({ schema: REBUILD_SCHEMA }, 'rebuilding the read models from block 0');
    let events = 0;
    let switchMs: number | undefined;
    const projector = createProjector({
      pool: rebuildPool,
      source: options.source,
      logger,
      projection,
      maxBatchEvents: options.maxBatchEvents,
      onBatch: (outcome) => {
        events += outcome.applied + outcome.rejected;
      },
      idle: {
        afterMs: options.idleMs ?? 500,
        onIdle: async () => {
          switchMs = await switchOver(options.pool, projection);
          if (switchMs === undefined) logger.info('live projection is ahead of the rebuild; catching up');
          return switchMs === undefined ? 'continue' : 'stop';
        },
      },
    });
    await projector.run(signal);
    if (switchMs === undefined) throw new Error('rebuild stopped before switching over');
    const checkpoint = projector.status().checkpoint;
    logger.info({ events, switchMs: Math.round(switchMs) }, 'rebuilt read models switched in');
    return { checkpoint, events, switchMs };
  } finally {
    await rebuildPool.end();
    await options.pool.query(`DROP SCHEMA IF EXISTS ${REBUILD_SCHEMA} CASCADE`).catch(() => undefined);
    await lock.release();
  }
}
