/**
 * The system parameters (version 2, docs/tokenomics.md) and what follows from them without any state: pool and
 * treasury ids, population shares in parts per billion, a country's genesis slots. Pure and shared: the
 * chaincode checks bootstrap and SetParameter with these schemas, and the backend validates the same way
 * before it ever enqueues a command.
 */
import { z } from 'zod';
import { amountSchema } from './arguments';

/** The system pools, in the order of their ids. */
export const poolNames = [
  'USER_GENESIS',
  'LOAN',
  'CHARITABLE',
  'GOVERNMENT_GENESIS',
  'PROTOCOL',
  'OPERATIONS',
] as const;
export type PoolName = (typeof poolNames)[number];

/**
 * The code in the pools' ids: ISO 3166 reserves `XX` for user assignment, so no country has it and a pool id
 * never shares a country (nor a scope) with a user.
 */
export const systemCountryCode = 'XX';

/** Each pool's fixed account id, of the Fabric id format (account type `F`, system). */
export const poolIds: Readonly<Record<PoolName, string>> = Object.freeze(
  Object.fromEntries(
    poolNames.map((pool, index) => [
      pool,
      `${systemCountryCode} 000 AAA000 FPOOL ${String(index + 1).padStart(4, '0')}`,
    ]),
  ) as Record<PoolName, string>,
);

/** The pool an id names, if it is one. */
export function poolOfId(id: string): PoolName | undefined {
  return poolNames.find((pool) => poolIds[pool] === id);
}

/** The treasury account of a country (account type `6`, government treasury). */
export function treasuryIdOf(countryCode: string): string {
  return `${countryCode} 000 AAA000 6TRSY 0001`;
}

/** The treasury id pattern: any country's. */
export const treasuryIdPattern = /^[A-Z]{2} 000 AAA000 6TRSY 0001$/;

/** Parts per billion: shares are stored as integers so every endorser computes the same slots. */
export const ppbScale = 1_000_000_000;

/** A population share (0–1) as integer parts per billion, rounded. */
export function sharePpb(populationShare: number): number {
  return Math.round(populationShare * ppbScale);
}

/** A country's slots in a phase: ⌊limit × sharePpb / 10⁹⌋, exact (BigInt: limit × ppb exceeds 2⁵³). */
export function slotsOf(limit: number, countrySharePpb: number): number {
  return Number((BigInt(limit) * BigInt(countrySharePpb)) / BigInt(ppbScale));
}

/** Transfer types (domain.md, "Type and scope") and scopes. */
export const transferTypes = ['P2P', 'MERCHANT', 'GOVERNMENT', 'B2B'] as const;
export type TransferType = (typeof transferTypes)[number];
export const transferScopes = ['LOCAL', 'CROSS_BORDER'] as const;
export type TransferScope = (typeof transferScopes)[number];

/** The largest fee rate (domain.md: no rate may exceed 1,000 bps, i.e. 10 %). */
export const maxFeeBps = 1_000;

export const feeBandSchema = z.strictObject({
  /** The band applies from this amount (Qirat, inclusive) up to the next band's. */
  minAmount: amountSchema,
  bps: z.number().int().min(0).max(maxFeeBps),
});

/** One cell of the fee table: bands ascending by minAmount, the first from "0", so every amount has one. */
export const feeBandsSchema = z
  .array(feeBandSchema)
  .min(1)
  .max(16)
  .superRefine((bands, ctx) => {
    if (bands[0]?.minAmount !== '0') {
      ctx.addIssue({ code: 'custom', path: [0, 'minAmount'], message: 'the first band must start at "0"' });
    }
    for (let i = 1; i < bands.length; i += 1) {
      if (BigInt(bands[i]!.minAmount) <= BigInt(bands[i - 1]!.minAmount)) {
        ctx.addIssue({ code: 'custom', path: [i, 'minAmount'], message: 'bands must ascend by minAmount' });
      }
    }
  });
export type FeeBands = z.infer<typeof feeBandsSchema>;

const feeCellsSchema = z.strictObject({ LOCAL: feeBandsSchema, CROSS_BORDER: feeBandsSchema });
export const feeScheduleSchema = z.strictObject({
  P2P: feeCellsSchema,
  MERCHANT: feeCellsSchema,
  GOVERNMENT: feeCellsSchema,
  B2B: feeCellsSchema,
});
export type FeeSchedule = z.infer<typeof feeScheduleSchema>;

/** The names `SetParameter` accepts for fee cells: `fees.<TYPE>.<SCOPE>`. */
export const feeParameterNames = transferTypes.flatMap((type) =>
  transferScopes.map((scope) => `fees.${type}.${scope}` as const),
);
export type FeeParameterName = (typeof feeParameterNames)[number];

export const genesisPhaseSchema = z.strictObject({
  /** Worldwide users of this phase (not cumulative); each country gets ⌊limit × its share⌋ of them. */
  limit: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  /** Qirat to each user of the phase, from the user genesis pool. */
  userAmount: amountSchema,
  /** Qirat to the user's country treasury per user, from the government genesis pool. */
  treasuryAmount: amountSchema,
});
export type GenesisPhase = z.infer<typeof genesisPhaseSchema>;

const countryCodeSchema = z
  .string()
  .regex(/^[A-Z]{2}$/, 'must be an upper-case ISO 3166-1 alpha-2 code')
  .refine((code) => code !== systemCountryCode, `${systemCountryCode} is reserved for the system pools`);

/** One row of the bootstrap's country table. */
export const countryEntrySchema = z.strictObject({
  code: countryCodeSchema,
  /** The country's share of the world's population, 0 < share ≤ 1. */
  populationShare: z.number().positive().max(1),
});
export type CountryEntry = z.infer<typeof countryEntrySchema>;

/** How far Σ populationShare may be from 1. */
export const shareSumTolerance = 1e-6;

const authorizationSchema = z
  .strictObject({
    /** Further MSP ids whose identities may act, each with the function's gx.role. */
    organizations: z
      .array(z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'must be an MSP id'))
      .max(32)
      .optional(),
    /** Accept attribute-less `OU=admin` certificates of those organizations as every role: cryptogen only. */
    adminOuFallback: z.boolean().optional(),
  })
  .optional();

const ledgerParamsShape = {
  version: z.literal(2),
  tokenName: z.string().min(1).max(64),
  tokenSymbol: z.string().min(1).max(12),
  decimals: z.number().int().min(0).max(18),
  /** Qirat; never exceeded. */
  maxSupply: amountSchema,
  /** Each pool's cap (Qirat); Σ ≤ maxSupply. */
  pools: z.strictObject(
    Object.fromEntries(poolNames.map((pool) => [pool, amountSchema])) as Record<PoolName, typeof amountSchema>,
  ),
  genesis: z.strictObject({
    /** Eligible ages, inclusive, at the transaction time. */
    minAge: z.number().int().min(0).max(150),
    maxAge: z.number().int().min(0).max(150),
    phases: z.array(genesisPhaseSchema).min(1).max(16),
  }),
  fees: feeScheduleSchema,
  /** Hours a multi-signature payment request stays open (docs/organizations.md); 72 when absent. */
  multisigExpiryHours: z.number().int().min(1).max(168).optional(),
  /**
   * Who may act besides the bootstrapping organization (chaincode/README.md, "Authorization"). Absent: the
   * bootstrapper's organization alone, attributes required.
   */
  authorization: authorizationSchema,
};

type LedgerParamsShape = z.infer<z.ZodObject<typeof ledgerParamsShape>>;

/** The checks on the parameters kept in `gx/params`: ages in order, pool caps within the maximum supply. */
function checkLedgerParams(params: LedgerParamsShape, ctx: z.core.$RefinementCtx): void {
  if (params.genesis.minAge > params.genesis.maxAge) {
    ctx.addIssue({ code: 'custom', path: ['genesis', 'maxAge'], message: 'must not be below minAge' });
  }
  const caps = poolNames.reduce((sum, pool) => sum + BigInt(params.pools[pool]), 0n);
  if (caps > BigInt(params.maxSupply)) {
    ctx.addIssue({
      code: 'custom',
      path: ['pools'],
      message: `caps sum to ${caps}, above maxSupply ${params.maxSupply}`,
    });
  }
}

/**
 * The parameters as stored in `gx/params`, returned by `GetSystemParams` and carried by SystemBootstrapped v2:
 * everything but the country table, which lives in one key per country.
 */
export const ledgerParamsSchema = z.strictObject(ledgerParamsShape).superRefine(checkLedgerParams);
export type LedgerParams = z.infer<typeof ledgerParamsSchema>;

/** BootstrapSystem's `paramsJson`, version 2, with every bound docs/tokenomics.md names. */
export const systemParamsSchema = z
  .strictObject({ ...ledgerParamsShape, countries: z.array(countryEntrySchema).min(1).max(300) })
  .superRefine((params, ctx) => {
    checkLedgerParams(params, ctx);
    const seen = new Set<string>();
    for (const [index, country] of params.countries.entries()) {
      if (seen.has(country.code)) {
        ctx.addIssue({
          code: 'custom',
          path: ['countries', index, 'code'],
          message: `${country.code} is listed twice`,
        });
      }
      seen.add(country.code);
    }
    const shares = params.countries.reduce((sum, country) => sum + country.populationShare, 0);
    if (Math.abs(shares - 1) > shareSumTolerance) {
      ctx.addIssue({
        code: 'custom',
        path: ['countries'],
        message: `population shares sum to ${shares}, not 1 (±${shareSumTolerance})`,
      });
    }
    // The caps hold by construction: what the per-country slots can ever mint is checked here, exactly, so
    // genesis needs no global counter.
    const totals = genesisTotals(
      params.genesis.phases,
      params.countries.map((country) => sharePpb(country.populationShare)),
    );
    for (const [field, pool] of [
      ['user', 'USER_GENESIS'],
      ['treasury', 'GOVERNMENT_GENESIS'],
    ] as const) {
      if (totals[field] > BigInt(params.pools[pool])) {
        ctx.addIssue({
          code: 'custom',
          path: ['genesis', 'phases'],
          message: `the phases can mint ${totals[field]} Qirat of ${pool}, above its cap ${params.pools[pool]}`,
        });
      }
    }
  });
export type SystemParams = z.infer<typeof systemParamsSchema>;

/** The most the phases can ever mint to users and to treasuries, summed over every country's slots. */
export function genesisTotals(
  phases: readonly GenesisPhase[],
  sharesPpb: readonly number[],
): { user: bigint; treasury: bigint } {
  let user = 0n;
  let treasury = 0n;
  for (const phase of phases) {
    const slots = BigInt(sharesPpb.reduce((sum, ppb) => sum + slotsOf(phase.limit, ppb), 0));
    user += slots * BigInt(phase.userAmount);
    treasury += slots * BigInt(phase.treasuryAmount);
  }
  return { user, treasury };
}

export const treasuryStatuses = ['LOCKED', 'ACTIVE'] as const;
export type TreasuryStatus = (typeof treasuryStatuses)[number];

/** A country as stored in `gx/country/<CC>` (and returned, with more, by GetCountry). */
export const countryRecordSchema = z.strictObject({
  code: z.string().regex(/^[A-Z]{2}$/),
  sharePpb: z.number().int().positive().max(ppbScale),
  treasuryId: z.string().regex(treasuryIdPattern),
  /** A treasury is created LOCKED: its genesis share accrues but cannot be spent until an admin activates it. */
  treasuryStatus: z.enum(treasuryStatuses),
});
export type CountryRecord = z.infer<typeof countryRecordSchema>;

/** Reasons a wallet may be frozen or unfrozen with (domain.md, "System controls"). */
export const freezeReasons = [
  'ADMIN_ACTION',
  'SUSPICIOUS_ACTIVITY',
  'COMPLIANCE_REVIEW',
  'COURT_ORDER',
  'USER_REQUEST',
] as const;
export type FreezeReason = (typeof freezeReasons)[number];

/** Roles the on-chain admin registry appoints. */
export const adminRoles = ['admin', 'super_admin'] as const;
export type AdminRole = (typeof adminRoles)[number];

/** Outcomes of the genesis decision CreateUser makes for every user. */
export const genesisOutcomes = ['ALLOCATED', 'INELIGIBLE_AGE', 'NOT_INDIVIDUAL', 'EXHAUSTED'] as const;
export type GenesisOutcome = (typeof genesisOutcomes)[number];
