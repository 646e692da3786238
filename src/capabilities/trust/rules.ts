/**
 * The relationship rules the API checks before a command enters the outbox, against the read models. The
 * ledger remains the judge (docs/trust.md): a read model a block behind can only let through a command that
 * then ends FAILED with its GX_ code, never a wrong relationship or score.
 */
import { randomUUID } from 'node:crypto';
import { type RelationshipType, relationshipIdOf } from '@gx/chaincode';
import type pg from 'pg';
import type { EnqueuedCommand } from '../../outbox/enqueue.js';
import type { OutboxBatcher } from '../../outbox/group-commit.js';
import { findProfile } from '../identity/index.js';
import { findRelationshipOf, hasActiveRelationship, isActiveRegisteredUser } from './relationships.js';

export type RelationshipRefusal =
  /** The caller's profile no longer exists. */
  | 'UNKNOWN_CALLER'
  | 'CALLER_LOCKED'
  /** Relationships need an approved profile registered on the ledger. */
  | 'CALLER_NOT_ON_LEDGER'
  | 'WITH_SELF'
  /** `toFabricUserId` names no active user registered on the ledger. */
  | 'UNKNOWN_OTHER'
  | 'DUPLICATE'
  /** No relationship with that id has the caller as a party. */
  | 'NOT_FOUND'
  /** Confirm or reject by the requester: only the other party answers. */
  | 'NOT_THE_OTHER_PARTY'
  | 'WRONG_STATUS';

export class RelationshipRefusedError extends Error {
  readonly refusal: RelationshipRefusal;

  constructor(refusal: RelationshipRefusal, message: string) {
    super(message);
    this.name = 'RelationshipRefusedError';
    this.refusal = refusal;
  }
}

export type RelationshipAction = 'confirm' | 'reject' | 'end';

const actionCommands = {
  confirm: 'CONFIRM_RELATIONSHIP',
  reject: 'REJECT_RELATIONSHIP',
  end: 'END_RELATIONSHIP',
} as const;

/** The caller's Fabric user id, if it may take part in relationships. */
async function participant(pool: pg.Pool, profileId: string): Promise<string> {
  const profile = await findProfile(pool, profileId);
  if (!profile) throw new RelationshipRefusedError('UNKNOWN_CALLER', 'The account no longer exists');
  if (profile.isLocked) throw new RelationshipRefusedError('CALLER_LOCKED', 'The account is locked');
  if (profile.status !== 'APPROVED' || !profile.fabricUserId || profile.onchainStatus !== 'REGISTERED') {
    throw new RelationshipRefusedError(
      'CALLER_NOT_ON_LEDGER',
      'Relationships need an approved account registered on the ledger',
    );
  }
  return profile.fabricUserId;
}

/** The caller's Fabric user id, or `undefined` before its on-chain registration (reads show nothing then). */
export async function fabricUserIdOf(pool: pg.Pool, profileId: string): Promise<string | undefined> {
  return (await findProfile(pool, profileId))?.fabricUserId ?? undefined;
}

/** Enqueues REQUEST_RELATIONSHIP; the relationship's id is known now, derived from the request id. */
export async function requestRelationship(
  pool: pg.Pool,
  outbox: OutboxBatcher,
  profileId: string,
  request: { toFabricUserId: string; type: RelationshipType },
): Promise<EnqueuedCommand & { relationshipId: string }> {
  const from = await participant(pool, profileId);
  const to = request.toFabricUserId;
  if (to === from) throw new RelationshipRefusedError('WITH_SELF', 'must differ from your own account');
  if (!(await isActiveRegisteredUser(pool, to))) {
    throw new RelationshipRefusedError('UNKNOWN_OTHER', 'no active user registered on the ledger has this id');
  }
  if (await hasActiveRelationship(pool, from, to, request.type)) {
    throw new RelationshipRefusedError('DUPLICATE', `A ${request.type} relationship with this user is already active`);
  }
  const requestId = randomUUID();
  const command = await outbox.enqueue({
    commandType: 'REQUEST_RELATIONSHIP',
    payload: { fromFabricUserId: from, toFabricUserId: to, type: request.type },
    requestId,
    submittedBy: profileId,
  });
  return { ...command, relationshipId: relationshipIdOf(requestId) };
}

/** Confirm or reject (the other party, a pending request) or end (either party, pending or confirmed). */
export async function actOnRelationship(
  pool: pg.Pool,
  outbox: OutboxBatcher,
  profileId: string,
  relationshipId: string,
  action: RelationshipAction,
): Promise<EnqueuedCommand> {
  const by = await participant(pool, profileId);
  const relationship = await findRelationshipOf(pool, by, relationshipId);
  if (!relationship) throw new RelationshipRefusedError('NOT_FOUND', 'Relationship');
  if (action !== 'end' && relationship.toFabricUserId !== by) {
    throw new RelationshipRefusedError('NOT_THE_OTHER_PARTY', `Only the other party can ${action} this request`);
  }
  const allowed = action === 'end' ? ['PENDING', 'CONFIRMED'] : ['PENDING'];
  if (!allowed.includes(relationship.status)) {
    throw new RelationshipRefusedError(
      'WRONG_STATUS',
      `The relationship is ${relationship.status}; only ${allowed.join(' or ')} can be ${action === 'end' ? 'ended' : `${action}ed`}`,
    );
  }
  const other = relationship.fromFabricUserId === by ? relationship.toFabricUserId : relationship.fromFabricUserId;
  return outbox.enqueue({
    commandType: actionCommands[action],
    payload: { relationshipId, byFabricUserId: by, otherFabricUserId: other },
    submittedBy: profileId,
  });
}
