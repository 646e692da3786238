/**
 * Shapes of what the query functions return, for callers that evaluate them (the backend, tests). The
 * state-changing functions return their event's payload: parse those with `eventSchemas` from events.ts.
 */
import { z } from 'zod';
import { amountSchema } from './arguments';
import {
  freezeReasons,
  poolNames,
  transferScopes,
  transferTypes,
  treasuryIdPattern,
  treasuryStatuses,
} from './system-params';

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

/** `TokenomicsContract:GetBalance`: users, treasuries and pools (the operations fund: Σ of its fee shards). */
export const balanceResultSchema = z.object({ fabricUserId: z.string(), balance: amountSchema });

/** `TokenomicsContract:GetWallet`: a user's or treasury's wallet, with its freeze (reason null when not frozen). */
export const walletResultSchema = z.object({
  fabricUserId: z.string(),
  balance: amountSchema,
  frozen: z.boolean(),
  freezeReason: z.enum(freezeReasons).nullable(),
});

/**
 * `TokenomicsContract:AuditSupply`: the supply invariant's terms from one snapshot: Σ of every wallet's balance
 * (users and treasuries) and how many there are, what the pools hold, what was minted. Consistent when
 * walletTotal + held = minted.
 */
export const auditSupplyResultSchema = z.object({
  wallets: z.number().int().nonnegative(),
  walletTotal: amountSchema,
  held: amountSchema,
  minted: amountSchema,
});
export type AuditSupplyResult = z.infer<typeof auditSupplyResultSchema>;

/**
 * `TokenomicsContract:GetSupply`. `minted` = Σ pools' minted; `circulating` = minted − what the pools hold.
 * The genesis pools hold nothing (they mint straight to users and treasuries); the operations fund holds its
 * fees, which it did not mint.
 */
export const supplyResultSchema = z.object({
  maxSupply: amountSchema,
  minted: amountSchema,
  circulating: amountSchema,
  pools: z.array(
    z.object({
      pool: z.enum(poolNames),
      id: z.string(),
      cap: amountSchema,
      minted: amountSchema,
      balance: amountSchema,
    }),
  ),
});

export type SupplyResult = z.infer<typeof supplyResultSchema>;

/** `TokenomicsContract:GetCountry`, and each entry of `ListCountries`. */
export const countryResultSchema = z.object({
  code: z.string().length(2),
  sharePpb: z.number().int().positive(),
  treasuryId: z.string().regex(treasuryIdPattern),
  treasuryStatus: z.enum(treasuryStatuses),
  treasuryBalance: amountSchema,
  phases: z.array(
    z.object({ phase: z.number().int().positive(), slots: z.number().int().min(0), used: z.number().int().min(0) }),
  ),
  /** The first phase with a free slot; null when every slot is used. */
  currentPhase: z.number().int().positive().nullable(),
});

export type CountryResult = z.infer<typeof countryResultSchema>;

/** `TokenomicsContract:ListCountries`. */
export const countryListResultSchema = z.object({ countries: z.array(countryResultSchema) });

/** `TokenomicsContract:QuoteFee`: `total` = amount + fee, what the sender is debited. */
export const feeQuoteResultSchema = z.object({
  type: z.enum(transferTypes),
  scope: z.enum(transferScopes),
  feeBps: z.number().int().min(0),
  fee: amountSchema,
  total: amountSchema,
});

export type FeeQuoteResult = z.infer<typeof feeQuoteResultSchema>;

/** `AdminContract:GetSystemStatus`: `since` is when the last pause or resume happened (null: never). */
export const systemStatusResultSchema = z.object({
  paused: z.boolean(),
  reason: z.string(),
  since: z.iso.datetime().nullable(),
});

/** Query function → schema of its JSON result (`AdminContract:GetSystemParams` is `ledgerParamsSchema`). */
export const queryResultSchemas = {
  'AdminContract:Ping': pingResultSchema,
  'IdentityContract:GetUser': userRecordSchema,
  'AdminContract:GetSystemStatus': systemStatusResultSchema,
  'TokenomicsContract:GetBalance': balanceResultSchema,
  'TokenomicsContract:GetSupply': supplyResultSchema,
  'TokenomicsContract:GetWallet': walletResultSchema,
  'TokenomicsContract:AuditSupply': auditSupplyResultSchema,
  'TokenomicsContract:GetCountry': countryResultSchema,
  'TokenomicsContract:ListCountries': countryListResultSchema,
  'TokenomicsContract:QuoteFee': feeQuoteResultSchema,
} as const;
