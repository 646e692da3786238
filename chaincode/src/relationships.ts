/**
 * The relationship rules of docs/trust.md over the world state: request, answer, end, and the trust score
 * recomputed in the same transaction for both parties. Every key written is per relationship, per pair or
 * per user, so relationships of disjoint users never conflict.
 */
import type { Context } from 'fabric-contract-api';
import { gxError } from './errors';
import type { RelationshipRecord } from './events';
import { requireUser, requireUserIdFormat } from './lookups';
import {
  applyRelationship,
  noTrustSums,
  type RelationshipStatus,
  type RelationshipType,
  relationshipIdOf,
  relationshipIdPattern,
  relationshipTypes,
  type TrustScore,
  type TrustSums,
  trustScoreOf,
} from './trust';
import { deleteRecord, keys, readRecord, writeRecord } from './world-state';

/** What one relationship function changed: the record after it and the scores it recomputed. */
export interface RelationshipChange {
  relationship: RelationshipRecord;
  by: string;
  trust: TrustScore[];
}

/** GX_ACCOUNT_LOCKED unless the user exists (GX_NOT_FOUND) and is ACTIVE. */
async function requireActiveUser(ctx: Context, field: string, fabricUserId: string): Promise<void> {
  const user = await requireUser(ctx, field, fabricUserId);
  if (user.status !== 'ACTIVE') throw gxError('GX_ACCOUNT_LOCKED', `${field}: user "${fabricUserId}" is locked`);
}

function requireType(type: string): RelationshipType {
  if (!(relationshipTypes as readonly string[]).includes(type)) {
    throw gxError('GX_INVALID_ARGUMENT', `type must be one of ${relationshipTypes.join(', ')}, got "${type}"`);
  }
  return type as RelationshipType;
}

async function requireRelationship(ctx: Context, relationshipId: string): Promise<RelationshipRecord> {
  if (typeof relationshipId !== 'string' || !relationshipIdPattern.test(relationshipId)) {
    throw gxError('GX_INVALID_ARGUMENT', `relationshipId "${String(relationshipId)}" is not 32 hex characters`);
  }
  const record = await readRecord<RelationshipRecord>(ctx, keys.relationship(relationshipId));
  if (record === undefined) throw gxError('GX_NOT_FOUND', `relationship "${relationshipId}" does not exist`);
  return record;
}

function requireStatus(record: RelationshipRecord, allowed: readonly RelationshipStatus[], action: string): void {
  if (!allowed.includes(record.status)) {
    throw gxError(
      'GX_RELATIONSHIP_STATE',
      `relationship "${record.relationshipId}" is ${record.status}; only ${allowed.join(' or ')} can be ${action}`,
    );
  }
}

/** Adds (1) or removes (-1) the relationship's points for both parties and returns their new scores. */
async function rescore(ctx: Context, record: RelationshipRecord, sign: 1 | -1): Promise<TrustScore[]> {
  const scores: TrustScore[] = [];
  for (const party of [record.from, record.to]) {
    const sums = (await readRecord<TrustSums>(ctx, keys.trust(party))) ?? noTrustSums;
    const next = applyRelationship(sums, record.type, sign);
    await writeRecord(ctx, keys.trust(party), next);
    scores.push(trustScoreOf(party, next));
  }
  return scores;
}

export async function requestRelationship(
  ctx: Context,
  requestId: string,
  from: string,
  to: string,
  typeArgument: string,
  timestamp: string,
): Promise<RelationshipChange> {
  requireUserIdFormat('fromFabricUserId', from);
  requireUserIdFormat('toFabricUserId', to);
  const type = requireType(typeArgument);
  if (from === to) throw gxError('GX_RELATIONSHIP_WITH_SELF', `toFabricUserId: "${to}" is the requester`);
  await requireActiveUser(ctx, 'fromFabricUserId', from);
  await requireActiveUser(ctx, 'toFabricUserId', to);
  const pairKey = keys.relationshipPair(from, to, type);
  const active = await readRecord<string>(ctx, pairKey);
  if (active !== undefined) {
    throw gxError('GX_RELATIONSHIP_EXISTS', `relationship "${active}" of type ${type} already joins the two users`);
  }
  const relationshipId = relationshipIdOf(requestId);
  if ((await readRecord<RelationshipRecord>(ctx, keys.relationship(relationshipId))) !== undefined) {
    // Only a request id reused across ledgers' histories could get here; never overwrite a relationship.
    throw gxError('GX_ALREADY_EXISTS', `relationship "${relationshipId}" already exists`);
  }
  const relationship: RelationshipRecord = {
    relationshipId,
    type,
    from,
    to,
    status: 'PENDING',
    requestedAt: timestamp,
    updatedAt: timestamp,
    endedBy: null,
  };
  await writeRecord(ctx, keys.relationship(relationshipId), relationship);
  await writeRecord(ctx, pairKey, relationshipId);
  return { relationship, by: from, trust: [] };
}

/** Confirm (the other party, both active: counts for both) or reject (the other party) a pending request. */
export async function answerRelationship(
  ctx: Context,
  relationshipId: string,
  by: string,
  answer: 'CONFIRMED' | 'REJECTED',
  timestamp: string,
): Promise<RelationshipChange> {
  requireUserIdFormat('byFabricUserId', by);
  const record = await requireRelationship(ctx, relationshipId);
  if (by !== record.to) {
    throw gxError('GX_NOT_A_PARTY', `byFabricUserId: only the other party (${record.to}) answers the request`);
  }
  requireStatus(record, ['PENDING'], answer === 'CONFIRMED' ? 'confirmed' : 'rejected');
  let trust: TrustScore[] = [];
  if (answer === 'CONFIRMED') {
    await requireActiveUser(ctx, 'fromFabricUserId', record.from);
    await requireActiveUser(ctx, 'byFabricUserId', by);
    trust = await rescore(ctx, record, 1);
  } else {
    await deleteRecord(ctx, keys.relationshipPair(record.from, record.to, record.type));
  }
  const relationship: RelationshipRecord = { ...record, status: answer, updatedAt: timestamp };
  await writeRecord(ctx, keys.relationship(relationshipId), relationship);
  return { relationship, by, trust };
}

/** Either party ends a pending or confirmed relationship; a confirmed one stops counting for both. */
export async function endRelationship(
  ctx: Context,
  relationshipId: string,
  by: string,
  timestamp: string,
): Promise<RelationshipChange> {
  requireUserIdFormat('byFabricUserId', by);
  const record = await requireRelationship(ctx, relationshipId);
  if (by !== record.from && by !== record.to) {
    throw gxError('GX_NOT_A_PARTY', `byFabricUserId: "${by}" is not a party to relationship "${relationshipId}"`);
  }
  requireStatus(record, ['PENDING', 'CONFIRMED'], 'ended');
  const trust = record.status === 'CONFIRMED' ? await rescore(ctx, record, -1) : [];
  await deleteRecord(ctx, keys.relationshipPair(record.from, record.to, record.type));
  const relationship: RelationshipRecord = { ...record, status: 'ENDED', updatedAt: timestamp, endedBy: by };
  await writeRecord(ctx, keys.relationship(relationshipId), relationship);
  return { relationship, by, trust };
}

/** A user's score as the ledger holds it (base only before the first confirmed relationship). */
export async function trustScoreOfUser(ctx: Context, fabricUserId: string): Promise<TrustScore> {
  await requireUser(ctx, 'fabricUserId', fabricUserId);
  return trustScoreOf(fabricUserId, (await readRecord<TrustSums>(ctx, keys.trust(fabricUserId))) ?? noTrustSums);
}

export async function relationshipOf(ctx: Context, relationshipId: string): Promise<RelationshipRecord> {
  return requireRelationship(ctx, relationshipId);
}
