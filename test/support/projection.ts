/**
 * Given/when/then support for projector specifications on a real database: profiles as the API would have
 * written them, a silent logger, and one call that applies blocks as the running projector does.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { createLogger } from '../../src/observability/logger.js';
import { applyBatch, type BatchOutcome, type PositionedEvent } from '../../src/projector/apply-batch.js';
import { ensureCheckpointRow } from '../../src/projector/checkpoint.js';

export const SPEC_PROJECTION = 'main';

const silent = createLogger({ level: 'silent', role: 'projector-spec' });

/** Inserts an off-chain profile (approved, waiting for its on-chain registration); returns its id. */
export async function insertProfile(pool: pg.Pool, fields: { email?: string } = {}): Promise<string> {
  const profileId = randomUUID();
  await pool.query(
    `INSERT INTO user_profile (profile_id, email, password_hash, first_name, last_name, status, onchain_status,
       account_status)
     VALUES ($1, $2, 'x', 'Ada', 'Lovelace', 'APPROVED', 'PENDING', 'PENDING_ONCHAIN')`,
    [profileId, fields.email ?? `${profileId}@example.com`],
  );
  return profileId;
}

/**
 * The CREATE_USER command the API issues when it approves `profileId` as `fabricUserId`; returns its request id,
 * which the ledger's UserCreated carries (the projector registers a profile only for such a command).
 */
export async function issueCreateUser(pool: pg.Pool, profileId: string, fabricUserId: string): Promise<string> {
  const requestId = randomUUID();
  await pool.query(
    `INSERT INTO outbox_command (command_type, request_id, payload, submitted_by)
     VALUES ('CREATE_USER', $1, $2, 'spec')`,
    [requestId, { profileId, fabricUserId }],
  );
  return requestId;
}

/** Applies events as one batch (one transaction), the way the projector does. */
export async function project(pool: pg.Pool, events: readonly PositionedEvent[]): Promise<BatchOutcome> {
  await ensureCheckpointRow(pool, SPEC_PROJECTION);
  return applyBatch(pool, events, { projection: SPEC_PROJECTION, logger: silent });
}

/** Rows of `sql` (a SELECT) as plain objects, for deep equality. */
export async function rows<T extends pg.QueryResultRow = Record<string, unknown>>(
  pool: pg.Pool,
  sql: string,
  values: unknown[] = [],
): Promise<T[]> {
  return (await pool.query<T>(sql, values)).rows;
}
