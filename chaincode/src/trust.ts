/**
 * Relationships and the trust score (docs/trust.md): the types, their points and group caps, and the score
 * formula. Pure, and exported by the package, so the API's checks and the ledger's score are the same code.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const trustGroups = ['family', 'business', 'friends'] as const;
export type TrustGroup = (typeof trustGroups)[number];

/** Each type's group and the points one confirmed relationship of it gives both parties (docs/domain.md). */
export const relationshipPoints = {
  FATHER: { group: 'family', points: 30 },
  MOTHER: { group: 'family', points: 30 },
  SPOUSE: { group: 'family', points: 25 },
  SIBLING: { group: 'family', points: 15 },
  CHILD: { group: 'family', points: 10 },
  BUSINESS_PARTNER: { group: 'business', points: 5 },
  DIRECTOR: { group: 'business', points: 3 },
  WORKPLACE_ASSOCIATE: { group: 'business', points: 2 },
  FRIEND: { group: 'friends', points: 1 },
} as const satisfies Record<string, { group: TrustGroup; points: number }>;

export type RelationshipType = keyof typeof relationshipPoints;
export const relationshipTypes = Object.keys(relationshipPoints) as [RelationshipType, ...RelationshipType[]];

export const trustCaps: Readonly<Record<TrustGroup, number>> = { family: 80, business: 10, friends: 10 };
/** Every user's score starts here; the score never exceeds {@link maxTrustScore}. */
export const baseTrustScore = 10;
export const maxTrustScore = 100;

export const relationshipStatuses = ['PENDING', 'CONFIRMED', 'REJECTED', 'ENDED'] as const;
export type RelationshipStatus = (typeof relationshipStatuses)[number];

/** Raw (uncapped) point sums of a user's confirmed relationships, per group: what the ledger stores. */
export type TrustSums = Record<TrustGroup, number>;

export const relationshipTypeSchema = z.enum(relationshipTypes);

export const trustScoreSchema = z.object({
  fabricUserId: z.string().min(1),
  score: z.number().int().min(0).max(maxTrustScore),
  /** Capped contributions; their sum, at most 100, is the score. */
  breakdown: z.object({
    base: z.number().int(),
    family: z.number().int().min(0),
    business: z.number().int().min(0),
    friends: z.number().int().min(0),
  }),
  sums: z.object({
    family: z.number().int().min(0),
    business: z.number().int().min(0),
    friends: z.number().int().min(0),
  }),
});
export type TrustScore = z.infer<typeof trustScoreSchema>;

export const noTrustSums: Readonly<TrustSums> = { family: 0, business: 0, friends: 0 };

/** The score of a user whose confirmed relationships sum to `sums`: 10 + the capped group sums, at most 100. */
export function trustScoreOf(fabricUserId: string, sums: TrustSums): TrustScore {
  const breakdown = {
    base: baseTrustScore,
    family: Math.min(sums.family, trustCaps.family),
    business: Math.min(sums.business, trustCaps.business),
    friends: Math.min(sums.friends, trustCaps.friends),
  };
  const score = Math.min(maxTrustScore, breakdown.base + breakdown.family + breakdown.business + breakdown.friends);
  return { fabricUserId, score, breakdown, sums: { ...sums } };
}

/** `sums` with one relationship of `type` added (`sign` 1) or removed (`sign` -1). */
export function applyRelationship(sums: TrustSums, type: RelationshipType, sign: 1 | -1): TrustSums {
  const { group, points } = relationshipPoints[type];
  return { ...sums, [group]: Math.max(0, sums[group] + sign * points) };
}

/**
 * The id of the relationship a RequestRelationship with this request id creates: derived, not random, so every
 * endorser computes the same one and the backend knows it when it enqueues the request.
 */
export function relationshipIdOf(requestId: string): string {
  return createHash('sha256').update(`gx-relationship:${requestId}`, 'utf8').digest('hex').slice(0, 32);
}

export const relationshipIdPattern = /^[0-9a-f]{32}$/;
