/**
 * The system parameters a bootstrap uses when none are given: `POST /api/v1/bootstrap` without a body, and
 * the first start of `gx dev`. Supply, pools, phases and fees are domain.md's (docs/tokenomics.md, version 2).
 */
import type { SystemParams } from '@gx/chaincode';
import { defaultCountryTable } from './country-populations.js';

/** 1 GX in Qirat. */
const GX = 1_000_000n;
const gx = (amount: number): string => (BigInt(amount) * GX).toString();

export const DEFAULT_SYSTEM_PARAMS: SystemParams = {
  version: 2,
  tokenName: 'GX',
  tokenSymbol: 'GX',
  decimals: 6,
  maxSupply: gx(1_250_000_000_000),
  pools: {
    USER_GENESIS: gx(577_500_000_000),
    LOAN: gx(312_500_000_000),
    CHARITABLE: gx(158_000_000_000),
    GOVERNMENT_GENESIS: gx(152_000_000_000),
    PROTOCOL: gx(31_250_000_000),
    OPERATIONS: gx(18_750_000_000),
  },
  genesis: {
    minAge: 13,
    maxAge: 73,
    phases: [
      { limit: 100_000_000, userAmount: gx(500), treasuryAmount: gx(50) },
      { limit: 200_000_000, userAmount: gx(400), treasuryAmount: gx(50) },
      { limit: 300_000_000, userAmount: gx(300), treasuryAmount: gx(50) },
      { limit: 400_000_000, userAmount: gx(200), treasuryAmount: gx(50) },
      { limit: 1_550_000_000, userAmount: gx(100), treasuryAmount: gx(50) },
      { limit: 2_450_000_000, userAmount: gx(50), treasuryAmount: gx(10) },
    ],
  },
  fees: {
    P2P: {
      LOCAL: [
        { minAmount: '0', bps: 0 },
        { minAmount: gx(3), bps: 5 },
        { minAmount: (100n * GX + 1n).toString(), bps: 10 },
      ],
      CROSS_BORDER: [
        { minAmount: '0', bps: 15 },
        { minAmount: (100n * GX + 1n).toString(), bps: 25 },
      ],
    },
    MERCHANT: { LOCAL: [{ minAmount: '0', bps: 15 }], CROSS_BORDER: [{ minAmount: '0', bps: 30 }] },
    GOVERNMENT: { LOCAL: [{ minAmount: '0', bps: 10 }], CROSS_BORDER: [{ minAmount: '0', bps: 20 }] },
    B2B: { LOCAL: [{ minAmount: '0', bps: 20 }], CROSS_BORDER: [{ minAmount: '0', bps: 40 }] },
  },
  // Every sovereign state, by population share (country-populations.ts names the source).
  countries: defaultCountryTable(),
};
