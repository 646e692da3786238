/**
 * Writes a batch's {@link ReadModelChanges} with one set-based statement per table (rows travel as one jsonb
 * array), in the order the foreign keys and lookups need: profiles are registered before the wallets that
 * link to them and before locks that find them by fabric user id.
 *
 * Tables are named without a schema on purpose: a rebuild runs the same statements with a `search_path`
 * that points at its own fresh tables.
 */
import type pg from 'pg';
import { COMMAND_STATUS_CHANNEL } from '../commands/enqueue.js';
import type { ReadModelChanges } from './read-model-changes.js';

function json(rows: readonly unknown[]): string {
  return JSON.stringify(rows, (_key, value) => (typeof value === 'bigint' ? value.toString() : value));
}

async function registerProfiles(client: pg.ClientBase, changes: ReadModelChanges): Promise<void> {
  if (changes.registrations.size === 0) return;
  // A registration without a profile id (UserCreated version 2) finds it in the CREATE_USER command of its
  // request id, and counts only if the ledger's digest of it agrees (profile-digest.ts in the chaincode).
  await client.query(
    `UPDATE user_profile p
        SET fabric_user_id = r."fabricUserId", onchain_status = 'REGISTERED',
            onchain_registered_at = r."registeredAt", last_synced_at = now(), updated_at = now()
       FROM jsonb_to_recordset($1::jsonb)
            AS r("profileId" uuid, "requestId" text, "profileDigest" text, "fabricUserId" text, "registeredAt" timestamptz)
       LEFT JOIN outbox_command o
              ON r."profileId" IS NULL AND o.request_id = r."requestId" AND o.command_type = 'CREATE_USER'
      WHERE p.profile_id = COALESCE(r."profileId", (o.payload->>'profileId')::uuid)
        AND (r."profileDigest" IS NULL
             OR r."profileDigest" = encode(sha256(convert_to('gx-profile:' || p.profile_id::text, 'UTF8')), 'hex'))`,
    [json([...changes.registrations.values()])],
  );
}

async function upsertWallets(client: pg.ClientBase, changes: ReadModelChanges): Promise<void> {
  if (changes.wallets.size === 0) return;
  // The profile join drops links to profiles this database does not have (a user created on the ledger by
  // other means) instead of failing the foreign key and stalling the projection.
  await client.query(
    `INSERT INTO wallet (fabric_user_id, profile_id, balance, last_block)
     SELECT r."fabricUserId", COALESCE(p.profile_id, q.profile_id), r.balance, r."lastBlock"
       FROM jsonb_to_recordset($1::jsonb)
            AS r("fabricUserId" text, "profileId" uuid, "linkRegisteredProfile" boolean, balance numeric, "lastBlock" bigint)
       LEFT JOIN user_profile p ON p.profile_id = r."profileId"
       -- UserCreated version 2: the profile registered above for this user (registerProfiles runs first).
       LEFT JOIN user_profile q ON r."linkRegisteredProfile" AND q.fabric_user_id = r."fabricUserId"
     ON CONFLICT (fabric_user_id) DO UPDATE
        SET balance = EXCLUDED.balance, last_block = EXCLUDED.last_block,
            profile_id = COALESCE(EXCLUDED.profile_id, wallet.profile_id), updated_at = now()`,
    [json([...changes.wallets.values()])],
  );
}

async function insertHistory(client: pg.ClientBase, changes: ReadModelChanges): Promise<void> {
  if (changes.history.length === 0) return;
  // The unique (tx_id, fabric_user_id) makes a replayed event a no-op here.
  await client.query(
    `INSERT INTO transaction_history
            (fabric_user_id, tx_id, type, from_user_id, to_user_id, amount, memo, block_number, tx_timestamp)
     SELECT r."fabricUserId", r."txId", r.type, r."fromUserId", r."toUserId", r.amount, r.memo,
            r."blockNumber", r."txTimestamp"
       FROM jsonb_to_recordset($1::jsonb) AS r("fabricUserId" text, "txId" text, type text, "fromUserId" text,
            "toUserId" text, amount numeric, memo text, "blockNumber" bigint, "txTimestamp" timestamptz)
     ON CONFLICT (tx_id, fabric_user_id) DO NOTHING`,
    [json(changes.history)],
  );
}

async function applyLocks(client: pg.ClientBase, changes: ReadModelChanges): Promise<void> {
  if (changes.locks.size === 0) return;
  await client.query(
    `UPDATE user_profile p
        SET is_locked = r.locked,
            lock_reason = CASE WHEN r.locked THEN r.reason END,
            locked_at = CASE WHEN r.locked THEN r.at END,
            last_synced_at = now(), updated_at = now()
       FROM jsonb_to_recordset($1::jsonb) AS r("fabricUserId" text, locked boolean, reason text, at timestamptz)
      WHERE p.fabric_user_id = r."fabricUserId"`,
    [json([...changes.locks.values()])],
  );
}

async function upsertSystemState(client: pg.ClientBase, changes: ReadModelChanges): Promise<void> {
  if (changes.systemState.size === 0) return;
  await client.query(
    `INSERT INTO system_state (key, value, block_number)
     SELECT r.key, r.value, r."blockNumber" FROM jsonb_to_recordset($1::jsonb) AS r(key text, value jsonb, "blockNumber" bigint)
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, block_number = EXCLUDED.block_number, updated_at = now()`,
    [json([...changes.systemState.values()])],
  );
}

/**
 * Marks the commands whose events were applied as projected and announces each on the command status
 * channel (delivered when the transaction commits). Returns how many commands it marked.
 */
async function markCommandsProjected(client: pg.ClientBase, changes: ReadModelChanges): Promise<number> {
  if (changes.projectedRequestIds.size === 0) return 0;
  const result = await client.query<{ marked: number }>(
    // Rows locked in id order, as the submitter's write-back does: the two mark the same rows at about the same
    // time, and in different orders they deadlocked (a 1 s stall for both, until PostgreSQL aborted one).
    `WITH locked AS MATERIALIZED (
       SELECT id FROM outbox_command
        WHERE request_id = ANY($1::text[]) AND projected_at IS NULL
        ORDER BY id FOR UPDATE
     ), marked AS (
       UPDATE outbox_command o SET projected_at = now(), updated_at = now()
         FROM locked l
        WHERE o.id = l.id AND o.projected_at IS NULL
        RETURNING o.id
     )
     SELECT count(pg_notify($2, id::text))::int AS marked FROM marked`,
    [[...changes.projectedRequestIds], COMMAND_STATUS_CHANNEL],
  );
  return result.rows[0]?.marked ?? 0;
}

/** Writes every change of the batch in the caller's transaction. */
export async function writeReadModelChanges(client: pg.ClientBase, changes: ReadModelChanges): Promise<void> {
  await registerProfiles(client, changes);
  await upsertWallets(client, changes);
  await insertHistory(client, changes);
  await applyLocks(client, changes);
  await upsertSystemState(client, changes);
  await markCommandsProjected(client, changes);
}
