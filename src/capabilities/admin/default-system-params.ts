/**
 * The system parameters a bootstrap uses when none are given: `POST /api/v1/bootstrap` without a body, and
 * the first start of `gx dev`.
 */
import type { SystemParams } from '@gx/chaincode';

export const DEFAULT_SYSTEM_PARAMS: SystemParams = {
  tokenName: 'GX Coin',
  tokenSymbol: 'GXC',
  decimals: 6,
  // 500 GXC each to the first 1,000 users, 100 to the next 10,000, 10 to the next 100,000.
  genesisTiers: [
    { recipients: 1_000, amount: '500000000' },
    { recipients: 10_000, amount: '100000000' },
    { recipients: 100_000, amount: '10000000' },
  ],
  transferFee: { basisPoints: 0, collector: 'SYSTEM_FEES' },
};
