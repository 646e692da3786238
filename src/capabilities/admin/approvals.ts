/**
 * Four-eyes approvals (docs/domain.md, System controls): the system controls are requested by an admin and
 * enqueued only when a second person, a super admin other than the requester, approves. A request waits
 * `approvalTtlSeconds`; past that it reads as EXPIRED (computed from `expires_at`, never stored, so nothing
 * sweeps) and can no longer be decided.
 */
import { adminRoles } from '@gx/chaincode';
import type pg from 'pg';
import { z } from 'zod';
import { recordAudit } from '../../db/audit.js';
import { decodeCursor, InvalidCursorError, keysetPage, type Page } from '../../db/cursor.js';
import { inTransaction } from '../../db/pool.js';
import { enqueueCommand } from '../../outbox/enqueue.js';
import { tokenCommands } from '../tokens/commands.js';
import type { Actor } from './actions.js';
import { feeCellSchema } from './parameters.js';

const reason = z.string().trim().min(1).max(500);

/** What may be requested, each with its payload. REVOKE_ADMIN is as sensitive as APPOINT_ADMIN, so it is here too. */
export const approvalRequestSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('PAUSE_SYSTEM'), payload: z.strictObject({ reason }) }),
  z.strictObject({ action: z.literal('RESUME_SYSTEM'), payload: z.strictObject({ reason }) }),
  z.strictObject({
    action: z.literal('APPOINT_ADMIN'),
    payload: z.strictObject({ profileId: z.uuid(), role: z.enum(adminRoles) }),
  }),
  z.strictObject({ action: z.literal('REVOKE_ADMIN'), payload: z.strictObject({ profileId: z.uuid() }) }),
  z.strictObject({ action: z.literal('ACTIVATE_TREASURY'), payload: tokenCommands.ACTIVATE_TREASURY.payload }),
  z.strictObject({ action: z.literal('SET_PARAMETER'), payload: feeCellSchema }),
]);
export type ApprovalRequestInput = z.infer<typeof approvalRequestSchema>;
export type ApprovalAction = ApprovalRequestInput['action'];
export const approvalActions = approvalRequestSchema.options.map(
  (option) => option.shape.action.value,
) as ApprovalAction[];

export const approvalStatuses = ['PENDING', 'APPROVED', 'REJECTED', 'EXPIRED'] as const;
export type ApprovalStatus = (typeof approvalStatuses)[number];

/** A request as the API shows it. */
export interface Approval {
  approvalId: string;
  action: ApprovalAction;
  payload: Record<string, unknown>;
  status: ApprovalStatus;
  requestedBy: string;
  createdAt: Date;
  expiresAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionReason: string | null;
  commandId: string | null;
}

/** Why a request or decision is refused; the routes map each to its status. */
export class ApprovalError extends Error {
  constructor(
    readonly kind: 'forbidden' | 'not-found' | 'conflict',
    message: string,
  ) {
    super(message);
    this.name = 'ApprovalError';
  }
}

interface ApprovalRow {
  id: string;
  action: ApprovalAction;
  payload: Record<string, unknown>;
  status: ApprovalStatus;
  requested_by: string;
  created_at: Date;
  created_at_text: string;
  expires_at: Date;
  decided_by: string | null;
  decided_at: Date | null;
  decision_reason: string | null;
  command_id: string | null;
}

// The stored status, except that a PENDING request past its expiry reads as EXPIRED.
const COLUMNS = `id, action, payload, requested_by, created_at, created_at::text AS created_at_text, expires_at,
  decided_by, decided_at, decision_reason, command_id,
  CASE WHEN status = 'PENDING' AND expires_at <= now() THEN 'EXPIRED' ELSE status END AS status`;

function toApproval(row: ApprovalRow): Approval {
  return {
    approvalId: row.id,
    action: row.action,
    payload: row.payload,
    status: row.status,
    requestedBy: row.requested_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    decisionReason: row.decision_reason,
    commandId: row.command_id,
  };
}

function audit(client: pg.ClientBase, actor: Actor, action: string, approvalId: string, details: object) {
  return recordAudit(client, {
    actorId: actor.profileId,
    actorRole: actor.role,
    action,
    targetType: 'approval_request',
    targetId: approvalId,
    requestId: actor.requestId,
    details: { ...details },
  });
}

/** The profile an appointment or revocation names: it must exist, and nobody appoints or revokes themselves. */
async function checkAdminTarget(client: pg.ClientBase, actor: Actor, profileId: string): Promise<string> {
  if (profileId === actor.profileId) {
    throw new ApprovalError('forbidden', 'nobody appoints or revokes themselves');
  }
  const target = await client.query<{ role: string }>('SELECT role FROM user_profile WHERE profile_id = $1', [
    profileId,
  ]);
  const role = target.rows[0]?.role;
  if (role === undefined) throw new ApprovalError('not-found', 'profile');
  return role;
}

/** Records a request; checks what can be checked now (the rest is checked again when it is approved). */
export async function requestApproval(
  pool: pg.Pool,
  actor: Actor,
  input: ApprovalRequestInput,
  ttlSeconds: number,
): Promise<Approval> {
  return inTransaction(pool, async (client) => {
    if (input.action === 'APPOINT_ADMIN') await checkAdminTarget(client, actor, input.payload.profileId);
    if (input.action === 'ACTIVATE_TREASURY') {
      const country = await client.query<{ treasury_status: string }>(
        'SELECT treasury_status FROM country WHERE code = $1',
        [input.payload.countryCode],
      );
      const status = country.rows[0]?.treasury_status;
      if (status === undefined) throw new ApprovalError('not-found', 'country');
      if (status !== 'LOCKED') throw new ApprovalError('conflict', `the treasury is ${status}`);
    }
    if (input.action === 'REVOKE_ADMIN') {
      const role = await checkAdminTarget(client, actor, input.payload.profileId);
      if (role !== 'admin' && role !== 'super_admin') throw new ApprovalError('conflict', `the profile is ${role}`);
    }
    const result = await client.query<ApprovalRow>(
      `INSERT INTO approval_request (action, payload, requested_by, expires_at)
       VALUES ($1, $2, $3, now() + make_interval(secs => $4)) RETURNING ${COLUMNS}`,
      [input.action, input.payload, actor.profileId, ttlSeconds],
    );
    const approval = toApproval(result.rows[0]!);
    await audit(client, actor, 'approval.request', approval.approvalId, {
      action: input.action,
      payload: input.payload,
    });
    return approval;
  });
}

/** The request, locked for a decision; refuses what cannot be decided by `actor` now. */
async function decidable(client: pg.ClientBase, actor: Actor, approvalId: string): Promise<Approval> {
  const result = await client.query<ApprovalRow>(`SELECT ${COLUMNS} FROM approval_request WHERE id = $1 FOR UPDATE`, [
    approvalId,
  ]);
  const row = result.rows[0];
  if (!row) throw new ApprovalError('not-found', 'approval request');
  const approval = toApproval(row);
  if (approval.requestedBy === actor.profileId) {
    throw new ApprovalError('forbidden', 'a request is decided by a super admin other than its requester');
  }
  if (approval.status !== 'PENDING') {
    throw new ApprovalError('conflict', `the request is ${approval.status}, not PENDING`);
  }
  return approval;
}

/** Enqueues the command an approved request stands for, signed off by `approver`. */
async function enqueueApproved(client: pg.ClientBase, approver: Actor, request: Approval) {
  const input = approvalRequestSchema.parse({ action: request.action, payload: request.payload });
  const submittedBy = approver.profileId;
  switch (input.action) {
    case 'PAUSE_SYSTEM':
      return enqueueCommand(client, { commandType: 'PAUSE_SYSTEM', payload: input.payload, submittedBy });
    case 'RESUME_SYSTEM':
      return enqueueCommand(client, { commandType: 'RESUME_SYSTEM', payload: input.payload, submittedBy });
    case 'ACTIVATE_TREASURY':
      return enqueueCommand(client, { commandType: 'ACTIVATE_TREASURY', payload: input.payload, submittedBy });
    case 'SET_PARAMETER':
      return enqueueCommand(client, { commandType: 'SET_PARAMETER', payload: input.payload, submittedBy });
    case 'APPOINT_ADMIN':
      if (input.payload.profileId === approver.profileId) {
        throw new ApprovalError('forbidden', 'nobody approves their own appointment');
      }
      return enqueueCommand(client, {
        commandType: 'APPOINT_ADMIN',
        payload: { ...input.payload, appointedBy: approver.profileId },
        submittedBy,
      });
    case 'REVOKE_ADMIN':
      if (input.payload.profileId === approver.profileId) {
        throw new ApprovalError('forbidden', 'nobody approves their own revocation');
      }
      return enqueueCommand(client, {
        commandType: 'REVOKE_ADMIN',
        payload: { ...input.payload, revokedBy: approver.profileId },
        submittedBy,
      });
  }
}

/** Approves: in one transaction the request becomes APPROVED and its command enters the outbox. */
export async function approveRequest(
  pool: pg.Pool,
  actor: Actor,
  approvalId: string,
): Promise<{ commandId: string; approval: Approval }> {
  return inTransaction(pool, async (client) => {
    const request = await decidable(client, actor, approvalId);
    const command = await enqueueApproved(client, actor, request);
    const result = await client.query<ApprovalRow>(
      `UPDATE approval_request SET status = 'APPROVED', decided_by = $2, decided_at = now(), command_id = $3
        WHERE id = $1 RETURNING ${COLUMNS}`,
      [approvalId, actor.profileId, command.commandId],
    );
    await audit(client, actor, 'approval.approve', approvalId, {
      action: request.action,
      commandId: command.commandId,
    });
    return { commandId: command.commandId, approval: toApproval(result.rows[0]!) };
  });
}

export async function rejectRequest(
  pool: pg.Pool,
  actor: Actor,
  approvalId: string,
  decisionReason: string | undefined,
): Promise<Approval> {
  return inTransaction(pool, async (client) => {
    const request = await decidable(client, actor, approvalId);
    const result = await client.query<ApprovalRow>(
      `UPDATE approval_request SET status = 'REJECTED', decided_by = $2, decided_at = now(), decision_reason = $3
        WHERE id = $1 RETURNING ${COLUMNS}`,
      [approvalId, actor.profileId, decisionReason ?? null],
    );
    await audit(client, actor, 'approval.reject', approvalId, {
      action: request.action,
      reason: decisionReason ?? null,
    });
    return toApproval(result.rows[0]!);
  });
}

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Requests newest first, optionally by (computed) status; keyset-paginated on (created_at, id). */
export async function listApprovals(
  db: pg.Pool,
  options: { status?: ApprovalStatus | undefined; cursor?: string | undefined; limit: number },
): Promise<Page<Approval>> {
  const after = decodeCursor(options.cursor, 2);
  // Only positions this list issued reach SQL, so a forged cursor is a 400, never a cast error.
  if (after && !(ISO_TIMESTAMP.test(after[0] ?? '') && UUID.test(after[1] ?? ''))) throw new InvalidCursorError();
  const result = await db.query<ApprovalRow>(
    `SELECT ${COLUMNS} FROM approval_request
      WHERE CASE $1::text
              WHEN 'PENDING' THEN status = 'PENDING' AND expires_at > now()
              WHEN 'EXPIRED' THEN status = 'PENDING' AND expires_at <= now()
              ELSE $1::text IS NULL OR status = $1::text END
        AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
      ORDER BY created_at DESC, id DESC
      LIMIT $4`,
    [options.status ?? null, after?.[0] ?? null, after?.[1] ?? null, options.limit + 1],
  );
  return keysetPage(result.rows, options.limit, toApproval, (row) => [row.created_at_text, row.id]);
}
