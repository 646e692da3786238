/**
 * The audit trail of administrative actions: who did what, to what, when, under which request id.
 * Written in the same transaction as the action, so an action without its audit entry cannot exist.
 */
import type pg from 'pg';
import { inTransaction } from './pool.js';

export interface AuditEntry {
  actorId: string;
  actorRole: string;
  action: string;
  targetType?: string;
  targetId?: string;
  requestId?: string;
  details?: Record<string, unknown>;
}

export async function recordAudit(db: pg.ClientBase | pg.Pool, entry: AuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (actor_id, actor_role, action, target_type, target_id, request_id, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      entry.actorId,
      entry.actorRole,
      entry.action,
      entry.targetType ?? null,
      entry.targetId ?? null,
      entry.requestId ?? null,
      entry.details ?? null,
    ],
  );
}

/**
 * An admin's read of someone's personal data: runs `read` and records the audit entry `entryFor(result)` in
 * one transaction, so no such read is served without its entry (if the entry cannot be written, the read
 * fails). Without an entry (the owner reading their own data), just reads.
 */
export function auditedRead<T>(
  pool: pg.Pool,
  read: (db: pg.ClientBase | pg.Pool) => Promise<T>,
  entryFor: ((result: T) => AuditEntry | undefined) | undefined,
): Promise<T> {
  if (entryFor === undefined) return read(pool);
  return inTransaction(pool, async (client) => {
    const result = await read(client);
    const entry = entryFor(result);
    if (entry) await recordAudit(client, entry);
    return result;
  });
}
