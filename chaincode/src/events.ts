/**
 * The chaincode's events: the single source of truth for their names and shapes, imported by the contracts
 * (which emit them) and by the backend's projector (which validates and applies them).
 *
 * Fabric delivers one event per transaction (the last `setEvent` wins), so each state-changing function emits
 * exactly one event carrying everything the read side needs. Payloads are JSON with a `version`; a breaking
 * change adds a new version to the union instead of editing one.
 */
import { z } from 'zod';
import { amountSchema } from './arguments';
import { organizationRecordSchema, paymentRequestRecordSchema } from './organizations';
import {
  adminRoles,
  freezeReasons,
  genesisOutcomes,
  ledgerParamsSchema,
  poolNames,
  transferScopes,
  transferTypes,
  treasuryIdPattern,
} from './system-params';
import { relationshipStatuses, relationshipTypes, trustScoreSchema } from './trust';

/** Canonical ISO-8601 UTC timestamp, taken from the transaction's timestamp so all endorsers agree. */
const timestampSchema = z.iso.datetime();

/** The version 1 parameters (one tier table, one flat fee), as SystemBootstrapped v1 carried them. */
const systemParamsV1Schema = z.object({
  tokenName: z.string().min(1).max(64),
  tokenSymbol: z.string().min(1).max(12),
  decimals: z.number().int().min(0).max(18),
  genesisTiers: z.array(z.object({ recipients: z.number().int().positive(), amount: amountSchema })).min(1),
  transferFee: z.object({ basisPoints: z.number().int().min(0).max(10_000), collector: z.string().min(1) }),
  authorization: z
    .object({ organizations: z.array(z.string()).optional(), adminOuFallback: z.boolean().optional() })
    .optional(),
});

/** SystemBootstrapped as version 1 emitted it: still parsed (older blocks). */
export const systemBootstrappedV1 = z.object({
  version: z.literal(1),
  requestId: z.string().min(1),
  params: systemParamsV1Schema,
  bootstrappedBy: z.string().min(1),
  timestamp: timestampSchema,
});

/** UserCreated as first emitted: it carried the backend's profile id in clear. Still parsed (older blocks). */
export const userCreatedV1 = z.object({
  version: z.literal(1),
  requestId: z.string().min(1),
  fabricUserId: z.string().min(1),
  profileId: z.string().min(1),
  countryCode: z.string().length(2),
  accountType: z.number().int().min(0).max(15),
  status: z.literal('ACTIVE'),
  /** The wallet created with the user (one event per transaction, so it rides along). */
  wallet: z.object({ fabricUserId: z.string().min(1), balance: amountSchema }),
  timestamp: timestampSchema,
});

/**
 * UserCreated from version 2 on: no profile id on the ledger, only its digest (profile-digest.ts), with which
 * the backend that issued the command (by `requestId`) can confirm its own profile and nobody else can find one.
 */
export const userCreatedV2 = userCreatedV1.omit({ profileId: true, version: true }).extend({
  version: z.literal(2),
  /** hex SHA-256 of `gx-profile:<profileId>`. */
  profileDigest: z.string().regex(/^[0-9a-f]{64}$/),
});

/**
 * SystemBootstrapped from version 2 (tokenomics v2): the parameters without the country table, and the
 * table as the ledger stores it (parts per billion, treasury, slots per phase), and every pool with its cap.
 */
export const systemBootstrappedV2 = z.object({
  version: z.literal(2),
  requestId: z.string().min(1),
  params: ledgerParamsSchema,
  countries: z.array(
    z.object({
      code: z.string().regex(/^[A-Z]{2}$/),
      sharePpb: z.number().int().positive(),
      treasuryId: z.string().regex(treasuryIdPattern),
      /** The country's genesis slots, one per phase in order. */
      slots: z.array(z.number().int().min(0)),
    }),
  ),
  pools: z.array(z.object({ pool: z.enum(poolNames), id: z.string().min(1), cap: amountSchema })),
  bootstrappedBy: z.string().min(1),
  timestamp: timestampSchema,
});

/**
 * UserCreated from version 3 on: genesis is decided in the same transaction, and its outcome rides along.
 * Without an allocation the amounts are "0" and `phase`/`phaseUsed` null; the treasury balance is reported
 * either way.
 */
export const userCreatedV3 = userCreatedV2.omit({ version: true }).extend({
  version: z.literal(3),
  genesis: z.object({
    outcome: z.enum(genesisOutcomes),
    /** 1-based phase the allocation came from. */
    phase: z.number().int().positive().nullable(),
    userAmount: amountSchema,
    treasuryAmount: amountSchema,
    treasuryId: z.string().regex(treasuryIdPattern),
    /** The treasury's balance after this transaction. */
    treasuryBalance: amountSchema,
    /** The country's users served in that phase, this one included. */
    phaseUsed: z.number().int().positive().nullable(),
  }),
});

export const userStatusChangedV1 = z.object({
  version: z.literal(1),
  requestId: z.string().min(1),
  fabricUserId: z.string().min(1),
  status: z.enum(['ACTIVE', 'LOCKED']),
  reason: z.string(),
  timestamp: timestampSchema,
});

export const genesisDistributedV1 = z.object({
  version: z.literal(1),
  requestId: z.string().min(1),
  fabricUserId: z.string().min(1),
  amount: amountSchema,
  /** 1-based index of the tier the allocation came from. */
  tier: z.number().int().positive(),
  balance: amountSchema,
  totalSupply: amountSchema,
  timestamp: timestampSchema,
});

export const transferCompletedV1 = z.object({
  version: z.literal(1),
  requestId: z.string().min(1),
  from: z.string().min(1),
  to: z.string().min(1),
  amount: amountSchema,
  fee: amountSchema,
  feeCollector: z.string().min(1),
  memo: z.string(),
  /** Balances after the transfer, so the read side never computes them. */
  fromBalance: amountSchema,
  toBalance: amountSchema,
  feeCollectorBalance: amountSchema,
  timestamp: timestampSchema,
});

/**
 * TransferCompleted from version 2 on: the sender pays amount + fee, the recipient gets the amount, and the fee
 * accrues to the operations fund (in the sender's fee shard, so no balance of the fund is reported).
 */
export const transferCompletedV2 = z.object({
  version: z.literal(2),
  requestId: z.string().min(1),
  from: z.string().min(1),
  to: z.string().min(1),
  amount: amountSchema,
  fee: amountSchema,
  feeBps: z.number().int().min(0),
  type: z.enum(transferTypes),
  scope: z.enum(transferScopes),
  feePool: z.literal('OPERATIONS'),
  memo: z.string(),
  fromBalance: amountSchema,
  toBalance: amountSchema,
  timestamp: timestampSchema,
});

const eventHeader = { version: z.literal(1), requestId: z.string().min(1), timestamp: timestampSchema };

export const systemPauseChangedV1 = z.object({ ...eventHeader, paused: z.boolean(), reason: z.string() });

export const walletFreezeChangedV1 = z.object({
  ...eventHeader,
  fabricUserId: z.string().min(1),
  frozen: z.boolean(),
  reason: z.enum(freezeReasons),
  notes: z.string(),
});

export const treasuryActivatedV1 = z.object({
  ...eventHeader,
  countryCode: z.string().regex(/^[A-Z]{2}$/),
  treasuryId: z.string().regex(treasuryIdPattern),
});

const profileDigestSchema = z.string().regex(/^[0-9a-f]{64}$/);

/** AdminAppointed and AdminRevoked: whose digest, which role, by whose digest. */
export const adminChangedV1 = z.object({
  ...eventHeader,
  digest: profileDigestSchema,
  role: z.enum(adminRoles),
  by: profileDigestSchema,
});

export const parameterChangedV1 = z.object({
  ...eventHeader,
  name: z.string().min(1),
  previousValue: z.json(),
  newValue: z.json(),
});

/** A relationship as the ledger stores it (docs/trust.md). */
export const relationshipRecordSchema = z.object({
  relationshipId: z.string().regex(/^[0-9a-f]{32}$/),
  type: z.enum(relationshipTypes),
  from: z.string().min(1),
  to: z.string().min(1),
  status: z.enum(relationshipStatuses),
  requestedAt: timestampSchema,
  updatedAt: timestampSchema,
  /** The party that ended it; null unless ENDED. */
  endedBy: z.string().nullable(),
});
export type RelationshipRecord = z.infer<typeof relationshipRecordSchema>;

/**
 * RelationshipRequested, -Confirmed, -Rejected and -Ended: the relationship after the change, who acted, and
 * the trust scores the change recomputed (both parties' on a confirmation or the end of a confirmed one).
 */
export const relationshipChangedV1 = z.object({
  ...eventHeader,
  relationship: relationshipRecordSchema,
  by: z.string().min(1),
  trust: z.array(trustScoreSchema),
});

/** OrganizationProposed, -Endorsed and ApprovalRulesSet: the organization after the change and who acted. */
export const organizationChangedV1 = z.object({
  ...eventHeader,
  organization: organizationRecordSchema,
  by: z.string().min(1),
});

/**
 * PaymentInitiated, -Approved, -Rejected and -Expired: the request after the change (its status says what the
 * transaction did), who acted (PaymentExpired: {@link expiryActor}) and, when it executed, the transfer as TransferCompleted v2 reports one.
 */
export const paymentRequestChangedV1 = z.object({
  ...eventHeader,
  payment: paymentRequestRecordSchema,
  by: z.string().min(1),
  transfer: transferCompletedV2.omit({ version: true, requestId: true, timestamp: true }).nullable(),
});

/** Event name → schema of its payload. */
export const eventSchemas = {
  SystemBootstrapped: z.discriminatedUnion('version', [systemBootstrappedV1, systemBootstrappedV2]),
  UserCreated: z.discriminatedUnion('version', [userCreatedV1, userCreatedV2, userCreatedV3]),
  UserStatusChanged: userStatusChangedV1,
  /** Only in older blocks: from tokenomics v2 on, genesis rides on UserCreated v3. */
  GenesisDistributed: genesisDistributedV1,
  TransferCompleted: z.discriminatedUnion('version', [transferCompletedV1, transferCompletedV2]),
  SystemPauseChanged: systemPauseChangedV1,
  WalletFreezeChanged: walletFreezeChangedV1,
  TreasuryActivated: treasuryActivatedV1,
  AdminAppointed: adminChangedV1,
  AdminRevoked: adminChangedV1,
  ParameterChanged: parameterChangedV1,
  RelationshipRequested: relationshipChangedV1,
  RelationshipConfirmed: relationshipChangedV1,
  RelationshipRejected: relationshipChangedV1,
  RelationshipEnded: relationshipChangedV1,
  OrganizationProposed: organizationChangedV1,
  OrganizationEndorsed: organizationChangedV1,
  ApprovalRulesSet: organizationChangedV1,
  PaymentInitiated: paymentRequestChangedV1,
  PaymentApproved: paymentRequestChangedV1,
  PaymentRejected: paymentRequestChangedV1,
  PaymentExpired: paymentRequestChangedV1,
} as const;

export type EventName = keyof typeof eventSchemas;
export type EventPayload<N extends EventName> = z.infer<(typeof eventSchemas)[N]>;

/** A validated event: its name and payload, typed together. */
export type GxEvent = { [N in EventName]: { name: N; payload: EventPayload<N> } }[EventName];

export function isEventName(name: string): name is EventName {
  return Object.hasOwn(eventSchemas, name);
}

/**
 * Validates a raw chaincode event. Returns the typed event, or the reason it is invalid (unknown name,
 * bad JSON, or each bad field).
 */
export function parseEvent(
  name: string,
  payload: Uint8Array,
): { ok: true; event: GxEvent } | { ok: false; reason: string } {
  if (!isEventName(name)) return { ok: false, reason: `unknown event name "${name}"` };
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    return { ok: false, reason: `payload of ${name} is not JSON` };
  }
  const result = eventSchemas[name].safeParse(json);
  if (!result.success) {
    const fields = result.error.issues.map((issue) => `${issue.path.join('.') || '(payload)'}: ${issue.message}`);
    return { ok: false, reason: `invalid ${name}: ${fields.join('; ')}` };
  }
  return { ok: true, event: { name, payload: result.data } as GxEvent };
}
