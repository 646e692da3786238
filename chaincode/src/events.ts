/**
 * The chaincode's events: the single source of truth for their names and shapes, imported by the contracts
 * (which emit them) and by the backend's projector (which validates and applies them).
 *
 * Fabric delivers one event per transaction (the last `setEvent` wins), so each state-changing function emits
 * exactly one event carrying everything the read side needs. Payloads are JSON with a `version`; a breaking
 * change adds a new version to the union instead of editing one.
 */
import { z } from 'zod';

/** Whole smallest units as a decimal string: never a float. */
export const amountSchema = z.string().regex(/^(0|[1-9][0-9]*)$/, 'must be a non-negative integer string');
/** Canonical ISO-8601 UTC timestamp, taken from the transaction's timestamp so all endorsers agree. */
const timestampSchema = z.iso.datetime();

export const genesisTierSchema = z.object({
  /** How many recipients this tier serves, counted after the previous tiers' recipients. */
  recipients: z.number().int().positive(),
  amount: amountSchema,
});

export const systemParamsSchema = z.object({
  tokenName: z.string().min(1).max(64),
  tokenSymbol: z.string().min(1).max(12),
  decimals: z.number().int().min(0).max(18),
  genesisTiers: z.array(genesisTierSchema).min(1),
  transferFee: z.object({
    /** Fee in basis points of the amount (0–10000), rounded down. */
    basisPoints: z.number().int().min(0).max(10_000),
    /** Account that receives fees: a user id or a system account name. */
    collector: z.string().min(1),
  }),
  /**
   * Who may act besides the bootstrapping organization (chaincode/README.md, "Authorization"). Absent: the
   * bootstrapper's organization alone, attributes required.
   */
  authorization: z
    .object({
      /** Further MSP ids whose identities may act, each with the function's gx.role. */
      organizations: z
        .array(z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'must be an MSP id'))
        .max(32)
        .optional(),
      /** Accept attribute-less `OU=admin` certificates of those organizations as every role: cryptogen only. */
      adminOuFallback: z.boolean().optional(),
    })
    .strict()
    .optional(),
});
export type SystemParams = z.infer<typeof systemParamsSchema>;

export const systemBootstrappedV1 = z.object({
  version: z.literal(1),
  requestId: z.string().min(1),
  params: systemParamsSchema,
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

/** Event name → schema of its payload. */
export const eventSchemas = {
  SystemBootstrapped: systemBootstrappedV1,
  UserCreated: z.discriminatedUnion('version', [userCreatedV1, userCreatedV2]),
  UserStatusChanged: userStatusChangedV1,
  GenesisDistributed: genesisDistributedV1,
  TransferCompleted: transferCompletedV1,
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
