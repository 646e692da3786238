/**
 * The v2 profile status machine (docs/domain.md, "Profile statuses"): every arrow in one table, and the one
 * function that moves a profile along it and records who, when and why in the audit log.
 *
 * Arrows marked `ledger` follow a fact the pipeline records (a CREATE_USER failing for good or queued again,
 * a registration or wallet freeze projected). They are applied by the triggers of migration 0009, on the row
 * change that proves them, so they commit with it exactly once without code in the submitter or projector;
 * the table lists them so the whole machine reads in one place, and a spec checks the triggers against it.
 */
import type pg from 'pg';
import { recordAudit } from '../../db/audit.js';
import { ACCOUNT_STATUSES } from '../../http/schemas.js';

export const accountStatuses = ACCOUNT_STATUSES;
export type AccountStatus = (typeof accountStatuses)[number];

const allBut = (...excluded: AccountStatus[]): readonly AccountStatus[] =>
  accountStatuses.filter((status) => !excluded.includes(status));

interface Arrow {
  from: readonly AccountStatus[];
  /** `PREVIOUS`: the status the profile had when it was suspended. */
  to: AccountStatus | 'PREVIOUS';
  by: 'user' | 'admin' | 'ledger';
}

/** Every transition, by the event that causes it. */
export const transitions = {
  SUBMIT_KYC: { from: ['REGISTERED', 'KYC_REJECTED'], to: 'KYC_SUBMITTED', by: 'user' },
  APPROVE_KYC: { from: ['KYC_SUBMITTED'], to: 'KYC_APPROVED', by: 'admin' },
  REJECT_KYC: { from: ['KYC_SUBMITTED'], to: 'KYC_REJECTED', by: 'admin' },
  APPROVE_USER: { from: ['KYC_APPROVED'], to: 'PENDING_ONCHAIN', by: 'admin' },
  /** Only with GX_KYC_REQUIRED off (development): approval does not wait for a KYC decision. */
  APPROVE_USER_WITHOUT_KYC: {
    from: ['REGISTERED', 'KYC_SUBMITTED', 'KYC_REJECTED', 'KYC_APPROVED'],
    to: 'PENDING_ONCHAIN',
    by: 'admin',
  },
  /** From ONCHAIN_FAILED too: a command recorded as failed whose transaction landed after all (unknown fate). */
  REGISTERED_ONCHAIN: { from: ['PENDING_ONCHAIN', 'ONCHAIN_FAILED'], to: 'ACTIVE', by: 'ledger' },
  CREATE_USER_FAILED: { from: ['PENDING_ONCHAIN'], to: 'ONCHAIN_FAILED', by: 'ledger' },
  /** An admin re-drives the failed CREATE_USER; applied when the command is queued again. */
  RETRY_ONCHAIN: { from: ['ONCHAIN_FAILED'], to: 'PENDING_ONCHAIN', by: 'ledger' },
  WALLET_FROZEN: { from: ['ACTIVE'], to: 'FROZEN', by: 'ledger' },
  WALLET_UNFROZEN: { from: ['FROZEN'], to: 'ACTIVE', by: 'ledger' },
  SUSPEND: { from: allBut('SUSPENDED', 'CLOSED'), to: 'SUSPENDED', by: 'admin' },
  REINSTATE: { from: ['SUSPENDED'], to: 'PREVIOUS', by: 'admin' },
  /** Also the v1 deny of a registration: a refused registration is closed (data kept). */
  CLOSE: { from: allBut('CLOSED'), to: 'CLOSED', by: 'admin' },
} as const satisfies Record<string, Arrow>;
export type AccountEvent = keyof typeof transitions;

/** Statuses whose owner may not log in or use a session. */
export const barredStatuses: readonly AccountStatus[] = ['SUSPENDED', 'CLOSED'];

/** Raised when the event is not allowed from the profile's status; answers 409 naming that status. */
export class TransitionRefusedError extends Error {
  constructor(
    readonly event: AccountEvent,
    readonly current: AccountStatus,
  ) {
    super(`the profile is ${current}: ${event.toLowerCase().replaceAll('_', ' ')} is not allowed from it`);
    this.name = 'TransitionRefusedError';
  }
}

/** The status `event` leads to from `current` (`previous`: the status before a suspension); throws if refused. */
export function nextStatus(event: AccountEvent, current: AccountStatus, previous: AccountStatus | null): AccountStatus {
  const arrow: Arrow = transitions[event];
  if (!arrow.from.includes(current)) throw new TransitionRefusedError(event, current);
  if (arrow.to !== 'PREVIOUS') return arrow.to;
  if (previous === null) throw new TransitionRefusedError(event, current);
  return previous;
}

/** Who causes a transition, for the audit trail. */
export interface TransitionActor {
  actorId: string;
  actorRole: string;
  requestId?: string | undefined;
}

/** The profile's status and the one a reinstatement returns to; the row is locked for the caller's transaction. */
export async function lockAccountStatus(
  client: pg.ClientBase,
  profileId: string,
): Promise<{ status: AccountStatus; previous: AccountStatus | null } | undefined> {
  const result = await client.query<{ account_status: AccountStatus; status_before_suspend: AccountStatus | null }>(
    'SELECT account_status, status_before_suspend FROM user_profile WHERE profile_id = $1 FOR UPDATE',
    [profileId],
  );
  const row = result.rows[0];
  return row && { status: row.account_status, previous: row.status_before_suspend };
}

/**
 * Moves the profile along `event`'s arrow in the caller's transaction and audits it (`user.status`, with from,
 * to, event and reason). Throws {@link TransitionRefusedError}; undefined when the profile does not exist.
 */
export async function transitionAccount(
  client: pg.ClientBase,
  profileId: string,
  event: AccountEvent,
  actor: TransitionActor,
  reason: string | null,
): Promise<{ from: AccountStatus; to: AccountStatus } | undefined> {
  const state = await lockAccountStatus(client, profileId);
  if (!state) return undefined;
  const to = nextStatus(event, state.status, state.previous);
  await client.query(
    `UPDATE user_profile SET account_status = $2, status_before_suspend = $3, updated_at = now()
      WHERE profile_id = $1`,
    [profileId, to, event === 'SUSPEND' ? state.status : null],
  );
  await recordAudit(client, {
    actorId: actor.actorId,
    actorRole: actor.actorRole,
    action: 'user.status',
    targetType: 'user_profile',
    targetId: profileId,
    ...(actor.requestId ? { requestId: actor.requestId } : {}),
    details: { from: state.status, to, event, reason },
  });
  return { from: state.status, to };
}
