/**
 * The trust slice's projection: each relationship as the ledger last reported it, and each user's trust score
 * as the ledger computed it (the event carries it; nothing is recomputed here).
 */
import type { EventName, EventPayload } from '@gx/chaincode';
import { defineReadModel, type EventHandler, jsonRows } from '../../projector/projection.js';

interface RelationshipChange {
  relationshipId: string;
  type: string;
  from: string;
  to: string;
  status: string;
  requestedAt: string;
  changedAt: string;
  endedBy: string | null;
  lastBlock: bigint;
}

interface TrustChange {
  fabricUserId: string;
  score: number;
  base: number;
  family: number;
  business: number;
  friends: number;
  familySum: number;
  businessSum: number;
  friendsSum: number;
  lastBlock: bigint;
}

/** `relationship`: the last state of each relationship in a batch wins. */
export const relationships = defineReadModel<RelationshipChange>({
  name: 'relationships',
  ownedTable: {
    name: 'relationship',
    key: ['relationship_id'],
    values: ['type', 'from_user_id', 'to_user_id', 'status', 'requested_at', 'changed_at', 'ended_by', 'last_block'],
    updatedAt: true,
  },
  key: (change) => change.relationshipId,
  async write(client, changes) {
    await client.query(
      `INSERT INTO relationship (relationship_id, type, from_user_id, to_user_id, status, requested_at, changed_at,
                                 ended_by, last_block)
       SELECT r."relationshipId", r.type, r."from", r."to", r.status, r."requestedAt", r."changedAt", r."endedBy",
              r."lastBlock"
         FROM jsonb_to_recordset($1::jsonb) AS r("relationshipId" text, type text, "from" text, "to" text,
              status text, "requestedAt" timestamptz, "changedAt" timestamptz, "endedBy" text, "lastBlock" bigint)
       ON CONFLICT (relationship_id) DO UPDATE
          SET status = EXCLUDED.status, changed_at = EXCLUDED.changed_at, ended_by = EXCLUDED.ended_by,
              last_block = EXCLUDED.last_block, updated_at = now()`,
      [jsonRows(changes)],
    );
  },
});

/** `trust_score`: the last score of each user in a batch wins. */
export const trustScores = defineReadModel<TrustChange>({
  name: 'trust scores',
  ownedTable: {
    name: 'trust_score',
    key: ['fabric_user_id'],
    values: [
      'score',
      'base',
      'family',
      'business',
      'friends',
      'family_sum',
      'business_sum',
      'friends_sum',
      'last_block',
    ],
    updatedAt: true,
  },
  key: (change) => change.fabricUserId,
  async write(client, changes) {
    await client.query(
      `INSERT INTO trust_score (fabric_user_id, score, base, family, business, friends, family_sum, business_sum,
                               friends_sum, last_block)
       SELECT r."fabricUserId", r.score, r.base, r.family, r.business, r.friends, r."familySum", r."businessSum",
              r."friendsSum", r."lastBlock"
         FROM jsonb_to_recordset($1::jsonb) AS r("fabricUserId" text, score integer, base integer, family integer,
              business integer, friends integer, "familySum" integer, "businessSum" integer, "friendsSum" integer,
              "lastBlock" bigint)
       ON CONFLICT (fabric_user_id) DO UPDATE
          SET score = EXCLUDED.score, base = EXCLUDED.base, family = EXCLUDED.family,
              business = EXCLUDED.business, friends = EXCLUDED.friends, family_sum = EXCLUDED.family_sum,
              business_sum = EXCLUDED.business_sum, friends_sum = EXCLUDED.friends_sum,
              last_block = EXCLUDED.last_block, updated_at = now()`,
      [jsonRows(changes)],
    );
  },
});

type RelationshipEvent =
  | 'RelationshipRequested'
  | 'RelationshipConfirmed'
  | 'RelationshipRejected'
  | 'RelationshipEnded';

/** The four relationship events share one payload: the relationship after the change and the scores it moved. */
function relationshipChanged<N extends RelationshipEvent & EventName>(): EventHandler<N> {
  return {
    project(payload: EventPayload<N>, context, changes) {
      const { relationship, trust } = payload;
      const lastBlock = context.blockNumber;
      changes.record(relationships, {
        relationshipId: relationship.relationshipId,
        type: relationship.type,
        from: relationship.from,
        to: relationship.to,
        status: relationship.status,
        requestedAt: relationship.requestedAt,
        changedAt: relationship.updatedAt,
        endedBy: relationship.endedBy,
        lastBlock,
      });
      for (const score of trust) {
        changes.record(trustScores, {
          fabricUserId: score.fabricUserId,
          score: score.score,
          ...score.breakdown,
          familySum: score.sums.family,
          businessSum: score.sums.business,
          friendsSum: score.sums.friends,
          lastBlock,
        });
      }
    },
  };
}

export const relationshipRequested = relationshipChanged<'RelationshipRequested'>();
export const relationshipConfirmed = relationshipChanged<'RelationshipConfirmed'>();
export const relationshipRejected = relationshipChanged<'RelationshipRejected'>();
export const relationshipEnded = relationshipChanged<'RelationshipEnded'>();
