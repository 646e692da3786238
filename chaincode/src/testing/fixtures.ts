/** Builders for contract tests: valid users and system parameters, with fresh ids per call. */
import { randomUUID } from 'node:crypto';
import { type Gender, generateFabricUserId, identityDigest } from '../fabric-user-id';
import type { SystemParams } from '../system-params';

export interface NewUserFixture {
  fabricUserId: string;
  profileId: string;
  /** The JSON CreateUser reads from the transient map (key `user`). */
  userJson: string;
  /** CreateUser's transient map: `user` → {@link userJson}. */
  transient: Map<string, Uint8Array>;
  /** The private facts of {@link userJson}. */
  user: {
    profileId: string;
    dateOfBirth: string;
    gender: Gender;
    accountType: number;
    identityDigest: string;
  };
}

/** A CreateUser transient map carrying `userJson` (any text, for tests of malformed input). */
export function userTransient(userJson: string): Map<string, Uint8Array> {
  return new Map([['user', Buffer.from(userJson, 'utf8')]]);
}

let counter = 0;

/**
 * A business (account type 1: registered without genesis, so registrations never contend for a country's
 * phase counter) of MY born 1988-03-14, whose id is valid for its facts; override any fact.
 */
export function newUser(
  overrides: Partial<{ countryCode: string; dateOfBirth: string; gender: Gender; accountType: number }> = {},
): NewUserFixture {
  counter += 1;
  const facts = {
    email: `user${counter}-${randomUUID()}@example.com`,
    countryCode: overrides.countryCode ?? 'MY',
    dateOfBirth: overrides.dateOfBirth ?? '1988-03-14',
    gender: overrides.gender ?? 'female',
    accountType: overrides.accountType ?? 1,
  };
  const fabricUserId = generateFabricUserId(facts);
  const user = {
    profileId: randomUUID(),
    dateOfBirth: facts.dateOfBirth,
    gender: facts.gender,
    accountType: facts.accountType,
    identityDigest: identityDigest(facts),
  };
  const userJson = JSON.stringify(user);
  return { fabricUserId, profileId: user.profileId, userJson, transient: userTransient(userJson), user };
}

/** 1 GX in Qirat. */
export const GX = 1_000_000n;

/** The fee table of domain.md (docs/tokenomics.md): every cell, bands by amount for P2P. */
export function domainFees(): SystemParams['fees'] {
  return {
    P2P: {
      LOCAL: [
        { minAmount: '0', bps: 0 },
        { minAmount: '3000000', bps: 5 },
        { minAmount: '100000001', bps: 10 },
      ],
      CROSS_BORDER: [
        { minAmount: '0', bps: 15 },
        { minAmount: '100000001', bps: 25 },
      ],
    },
    MERCHANT: { LOCAL: [{ minAmount: '0', bps: 15 }], CROSS_BORDER: [{ minAmount: '0', bps: 30 }] },
    GOVERNMENT: { LOCAL: [{ minAmount: '0', bps: 10 }], CROSS_BORDER: [{ minAmount: '0', bps: 20 }] },
    B2B: { LOCAL: [{ minAmount: '0', bps: 20 }], CROSS_BORDER: [{ minAmount: '0', bps: 40 }] },
  };
}

/**
 * Tiny version 2 parameters for contract tests: three countries (MY half, SG and ID a quarter each), two
 * phases of 4 and 8 worldwide users (MY: 2 then 4 slots; SG, ID: 1 then 2), the fee table of domain.md, small
 * pool caps that the phases fit in exactly (Σ slots × amount).
 */
export function systemParams(overrides: Partial<SystemParams> = {}): SystemParams {
  return {
    version: 2,
    tokenName: 'GX',
    tokenSymbol: 'GX',
    decimals: 6,
    maxSupply: (10_000n * GX).toString(),
    pools: {
      USER_GENESIS: (4n * 500n * GX + 8n * 100n * GX).toString(),
      LOAN: (1_000n * GX).toString(),
      CHARITABLE: (1_000n * GX).toString(),
      GOVERNMENT_GENESIS: (4n * 50n * GX + 8n * 10n * GX).toString(),
      PROTOCOL: (100n * GX).toString(),
      OPERATIONS: (100n * GX).toString(),
    },
    genesis: {
      minAge: 13,
      maxAge: 73,
      phases: [
        { limit: 4, userAmount: (500n * GX).toString(), treasuryAmount: (50n * GX).toString() },
        { limit: 8, userAmount: (100n * GX).toString(), treasuryAmount: (10n * GX).toString() },
      ],
    },
    fees: domainFees(),
    countries: [
      { code: 'MY', populationShare: 0.5 },
      { code: 'SG', populationShare: 0.25 },
      { code: 'ID', populationShare: 0.25 },
    ],
    ...overrides,
  };
}

/** An individual (account type 0): the one account type that receives genesis. */
export function individual(
  overrides: Partial<{ countryCode: string; dateOfBirth: string; gender: Gender }> = {},
): NewUserFixture {
  return newUser({ ...overrides, accountType: 0 });
}

/** A fee schedule of zero rates in every cell: transfers move exactly their amount. */
export function zeroFees(): SystemParams['fees'] {
  const free = { LOCAL: [{ minAmount: '0', bps: 0 }], CROSS_BORDER: [{ minAmount: '0', bps: 0 }] };
  return { P2P: free, MERCHANT: free, GOVERNMENT: free, B2B: free };
}

/**
 * Genesis of one phase wide enough for any test (1,000,000 users worldwide) paying `userAmount` to each
 * individual and nothing to treasuries; it fits {@link systemParams}' caps for amounts up to 2,800 Qirat.
 */
export function roomyGenesis(userAmount: string): SystemParams['genesis'] {
  return { minAge: 13, maxAge: 73, phases: [{ limit: 1_000_000, userAmount, treasuryAmount: '0' }] };
}

/** A fresh request id. */
export function requestId(): string {
  return `req-${randomUUID()}`;
}
