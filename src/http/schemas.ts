/**
 * Zod schemas shared by several routes: path parameters, pagination, answers. Route-specific bodies live
 * with their routes.
 */
import { z } from 'zod';
import { ROLES } from './auth.js';

export const errorSchema = z.object({
  error: z.string(),
  message: z.string(),
  details: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  requestId: z.string().optional(),
});

/** Dates leave as ISO-8601 UTC strings (JSON.stringify); documented as `date-time`. */
const timestamp = z.date();

/**
 * The v2 profile statuses (docs/domain.md, "Profile statuses"). Listed here, beside the profile they describe,
 * as ROLES is beside authentication: the identity slice's status machine (account-status.ts) takes them from
 * here, since the HTTP kernel imports no slice.
 */
export const ACCOUNT_STATUSES = [
  'REGISTERED',
  'KYC_SUBMITTED',
  'KYC_APPROVED',
  'KYC_REJECTED',
  'PENDING_ONCHAIN',
  'ACTIVE',
  'FROZEN',
  'SUSPENDED',
  'CLOSED',
  'ONCHAIN_FAILED',
] as const;

export const profileSchema = z.object({
  profileId: z.uuid(),
  email: z.email(),
  firstName: z.string(),
  lastName: z.string(),
  phoneNum: z.string().nullable(),
  nationalityCountryCode: z.string().nullable(),
  dateOfBirth: z.iso.date().nullable(),
  gender: z.string().nullable(),
  role: z.enum(ROLES),
  status: z.enum(['REGISTERED', 'APPROVED', 'DENIED']),
  onchainStatus: z.enum(['NOT_REGISTERED', 'PENDING', 'REGISTERED', 'FAILED']),
  /** The v2 status (docs/domain.md, "Profile statuses"); `status` and `onchainStatus` are its v1 reading. */
  accountStatus: z.enum(ACCOUNT_STATUSES),
  fabricUserId: z.string().nullable(),
  isLocked: z.boolean(),
  lockReason: z.string().nullable(),
  lockedAt: timestamp.nullable(),
  reviewedAt: timestamp.nullable(),
  denialReason: z.string().nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
  onchainRegisteredAt: timestamp.nullable(),
});

export const commandAcceptedSchema = z.object({ commandId: z.uuid(), status: z.literal('PENDING') });

export const commandSchema = z.object({
  commandId: z.uuid(),
  commandType: z.string(),
  status: z.enum(['PENDING', 'SUBMITTED', 'COMMITTED', 'FAILED']),
  attempts: z.number().int(),
  fabricTxId: z.string().nullable(),
  blockNumber: z.number().int().nullable(),
  error: z.string().nullable(),
  retrying: z.boolean(),
  projectedAt: timestamp.nullable(),
  discardedAt: timestamp.nullable(),
  submittedBy: z.string().nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
  committedAt: timestamp.nullable(),
});

export const profileIdParams = z.strictObject({ profileId: z.uuid() });
export const commandIdParams = z.strictObject({ commandId: z.uuid() });

/**
 * A cursor of ours has the shape db/cursor.ts gives it (base64url of a JSON array of strings and numbers).
 * Checked here, before a route branches (a caller without a wallet never reaches the decoder), so a bad
 * cursor is a 400 on every path.
 */
function isCursorShaped(cursor: string): boolean {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return false;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Array.isArray(value) && value.every((item) => typeof item === 'string' || typeof item === 'number');
  } catch {
    return false;
  }
}

/** `?cursor=&limit=`; limit 1–100, default 50. */
export const pageQuery = {
  cursor: z.string().min(1).max(512).refine(isCursorShaped, 'is not a cursor this API issued').optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
};

// Loose: the other headers must pass through untouched. X-Idempotency-Key: the name older wallet clients send.
export const idempotencyHeader = z
  .looseObject({
    'idempotency-key': z.string().min(1).max(255).optional(),
    'x-idempotency-key': z.string().min(1).max(255).optional(),
  })
  .meta({ description: 'Repeat a write safely: the same key with the same body returns the first answer.' });

/** The standard error answers a route documents. */
export function errorResponses(...statuses: number[]): Record<number, typeof errorSchema> {
  return Object.fromEntries(statuses.map((status) => [status, errorSchema]));
}
