/** Builders for contract tests: valid users and system parameters, with fresh ids per call. */
import { randomUUID } from 'node:crypto';
import type { SystemParams } from '../events';
import { type Gender, generateFabricUserId, identityDigest } from '../fabric-user-id';

export interface NewUserFixture {
  fabricUserId: string;
  profileId: string;
  /** The CreateUser `userJson` argument. */
  userJson: string;
  user: {
    profileId: string;
    countryCode: string;
    dateOfBirth: string;
    gender: Gender;
    accountType: number;
    identityDigest: string;
  };
}

let counter = 0;

/** A user whose id is valid for its facts; override any fact to build a mismatch. */
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
    countryCode: facts.countryCode,
    dateOfBirth: facts.dateOfBirth,
    gender: facts.gender,
    accountType: facts.accountType,
    identityDigest: identityDigest(facts),
  };
  return { fabricUserId, profileId: user.profileId, userJson: JSON.stringify(user), user };
}

/** System parameters: two tiers and a 1% fee to a system account, unless overridden. */
export function systemParams(overrides: Partial<SystemParams> = {}): SystemParams {
  return {
    tokenName: 'GX Coin',
    tokenSymbol: 'GXC',
    decimals: 6,
    genesisTiers: [
      { recipients: 2, amount: '1000' },
      { recipients: 1, amount: '500' },
    ],
    transferFee: { basisPoints: 100, collector: 'GX_FEE_COLLECTOR' },
    ...overrides,
  };
}

/** A fresh request id. */
export function requestId(): string {
  return `req-${randomUUID()}`;
}
