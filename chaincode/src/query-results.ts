/**
 * Shapes of what the query functions return, for callers that evaluate them (the backend, tests). The
 * state-changing functions return their event's payload: parse those with `eventSchemas` from events.ts.
 */
import { z } from 'zod';
import { amountSchema } from './events';

/** `AdminContract:Ping`. */
export const pingResultSchema = z.object({ ok: z.literal(true), chaincode: z.literal('gxtv3') });

/**
 * `IdentityContract:GetUser`. No birth date, gender or profile id: the id itself encodes country, birth date,
 * gender and account type (chaincode/README.md, "Privacy"), and the profile is kept as a digest only.
 */
export const userRecordSchema = z.object({
  fabricUserId: z.string(),
  /** profile-digest.ts: the backend's profile, recognisable only by whoever knows its id. */
  profileDigest: z.string().regex(/^[0-9a-f]{64}$/),
  /** Also encoded in the id (its first two letters). */
  countryCode: z.string().length(2),
  /** Also encoded in the id. */
  accountType: z.number().int().min(0).max(15),
  status: z.enum(['ACTIVE', 'LOCKED']),
  /** The reason given with the last status change; empty until the first. */
  statusReason: z.string(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type UserRecord = z.infer<typeof userRecordSchema>;

/** `TokenomicsContract:GetBalance` (users and system accounts such as the fee collector). */
export const balanceResultSchema = z.object({ fabricUserId: z.string(), balance: amountSchema });

/** `TokenomicsContract:GetTotalSupply`. */
export const totalSupplyResultSchema = z.object({ totalSupply: amountSchema });

/** Query function → schema of its JSON result (`AdminContract:GetSystemParams` is `systemParamsSchema`). */
export const queryResultSchemas = {
  'AdminContract:Ping': pingResultSchema,
  'IdentityContract:GetUser': userRecordSchema,
  'TokenomicsContract:GetBalance': balanceResultSchema,
  'TokenomicsContract:GetTotalSupply': totalSupplyResultSchema,
} as const;
