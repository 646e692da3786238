/**
 * The audit trail of administrative actions: who did what, to what, when, under which request id.
 * Written in the same transaction as the action, so an action without its audit entry cannot exist.
 */
import type pg from 'pg';

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
