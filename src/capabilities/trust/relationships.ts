/**
 * Trust read models: the relationships a user is a party to and the user's trust score, as projected from the
 * ledger. A user only ever reads rows where it is a party.
 */
import { baseTrustScore, type RelationshipStatus, type RelationshipType } from '@gx/chaincode';
import type pg from 'pg';
import { decodeCursor, keysetPage, type Page } from '../../db/cursor.js';

export interface RelationshipView {
  relationshipId: string;
  type: RelationshipType;
  fromFabricUserId: string;
  toFabricUserId: string;
  /** From the caller's side: OUTGOING when it requested the relationship. */
  direction: 'OUTGOING' | 'INCOMING';
  status: RelationshipStatus;
  requestedAt: Date;
  changedAt: Date;
  endedBy: string | null;
}

interface RelationshipRow {
  relationship_id: string;
  type: RelationshipType;
  from_user_id: string;
  to_user_id: string;
  status: RelationshipStatus;
  requested_at: Date;
  changed_at: Date;
  ended_by: string | null;
}

const COLUMNS = 'relationship_id, type, from_user_id, to_user_id, status, requested_at, changed_at, ended_by';

function toView(row: RelationshipRow, viewer: string): RelationshipView {
  return {
    relationshipId: row.relationship_id,
    type: row.type,
    fromFabricUserId: row.from_user_id,
    toFabricUserId: row.to_user_id,
    direction: row.from_user_id === viewer ? 'OUTGOING' : 'INCOMING',
    status: row.status,
    requestedAt: row.requested_at,
    changedAt: row.changed_at,
    endedBy: row.ended_by,
  };
}

/** The relationship if `viewer` is one of its parties; `undefined` otherwise (others' relationships are invisible). */
export async function findRelationshipOf(
  db: pg.Pool,
  viewer: string,
  relationshipId: string,
): Promise<RelationshipView | undefined> {
  const result = await db.query<RelationshipRow>(
    `SELECT ${COLUMNS} FROM relationship
      WHERE relationship_id = $1 AND (from_user_id = $2 OR to_user_id = $2)`,
    [relationshipId, viewer],
  );
  const row = result.rows[0];
  return row === undefined ? undefined : toView(row, viewer);
}

/** Whether an active (pending or confirmed) relationship of `type` joins the two users, in either direction. */
export async function hasActiveRelationship(
  db: pg.Pool,
  a: string,
  b: string,
  type: RelationshipType,
): Promise<boolean> {
  const result = await db.query(
    `SELECT 1 FROM relationship
      WHERE type = $3 AND status IN ('PENDING', 'CONFIRMED')
        AND ((from_user_id = $1 AND to_user_id = $2) OR (from_user_id = $2 AND to_user_id = $1))
      LIMIT 1`,
    [a, b, type],
  );
  return (result.rowCount ?? 0) > 0;
}

/** The relationships `viewer` is a party to, newest request first; keyset-paginated on (requested_at, id). */
export async function listRelationshipsOf(
  db: pg.Pool,
  viewer: string,
  options: { cursor?: string | undefined; limit: number },
): Promise<Page<RelationshipView>> {
  const after = decodeCursor(options.cursor, 2);
  const result = await db.query<RelationshipRow>(
    `SELECT ${COLUMNS} FROM relationship
      WHERE (from_user_id = $1 OR to_user_id = $1)
        AND ($2::timestamptz IS NULL OR (requested_at, relationship_id) < ($2::timestamptz, $3::text))
      ORDER BY requested_at DESC, relationship_id DESC
      LIMIT $4`,
    [viewer, after?.[0] ?? null, after?.[1] ?? null, options.limit + 1],
  );
  return keysetPage(
    result.rows,
    options.limit,
    (row) => toView(row, viewer),
    (row) => [row.requested_at.toISOString(), row.relationship_id],
  );
}

export interface TrustView {
  score: number;
  /** Capped contributions; their sum (at most 100) is the score. */
  breakdown: { base: number; family: number; business: number; friends: number };
}

/** A user's score as the ledger last computed it; the base score before its first confirmed relationship. */
export async function findTrustScore(db: pg.Pool, fabricUserId: string): Promise<TrustView> {
  const result = await db.query<{ score: number; base: number; family: number; business: number; friends: number }>(
    'SELECT score, base, family, business, friends FROM trust_score WHERE fabric_user_id = $1',
    [fabricUserId],
  );
  const row = result.rows[0];
  if (row === undefined) {
    return { score: baseTrustScore, breakdown: { base: baseTrustScore, family: 0, business: 0, friends: 0 } };
  }
  return {
    score: row.score,
    breakdown: { base: row.base, family: row.family, business: row.business, friends: row.friends },
  };
}

/** Whether `fabricUserId` is an unlocked user registered on the ledger through this backend. */
export async function isActiveRegisteredUser(db: pg.Pool, fabricUserId: string): Promise<boolean> {
  const result = await db.query(
    `SELECT 1 FROM user_profile
      WHERE fabric_user_id = $1 AND onchain_status = 'REGISTERED' AND NOT is_locked`,
    [fabricUserId],
  );
  return (result.rowCount ?? 0) > 0;
}
