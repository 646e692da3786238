/**
 * Shapes of what the query functions return, for callers that evaluate them (the backend, tests). The
 * state-changing functions return their event's payload: parse those with `eventSchemas` from events.ts.
 */
import { z } from 'zod';
import { amountSchema } from './events';
import { genders } from './fabric-user-id';

/** `AdminContract:Ping`. */
export const pingResultSchema = z.object({ ok: z.literal(true), chaincode: z.literal('gxtv3') });

/** `IdentityContract:GetUser`. */
export const userRecordSchema = z.object({
  fabricUserId: z.string(),
  profileId: z.string(),
  countryCode: z.string().length(2),
  dateOfBirth: z.iso.date(),
  gender: z.enum(genders),
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
