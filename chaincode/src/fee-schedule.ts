/**
 * The fee schedule (domain.md, "Transfers and fees"; decisions in docs/tokenomics.md): which type and scope a
 * transfer has, which band of its fee cell applies and the fee in Qirat. Pure, and exported, so the API's
 * quote and the ledger's charge are the same code.
 */
import { gxError } from './errors';
import { accountTypeOfId, accountTypes } from './fabric-user-id';
import type { FeeSchedule, TransferScope, TransferType } from './system-params';

export interface FeeQuote {
  type: TransferType;
  scope: TransferScope;
  /** The rate of the band the amount falls in. */
  feeBps: number;
  /** ⌊amount × feeBps / 10,000⌋ Qirat, paid by the sender on top of the amount. */
  fee: bigint;
}

const { INDIVIDUAL, BUSINESS, NON_PROFIT, GOVERNMENT_TREASURY, GOVERNMENT_BODY } = accountTypes;
const government: readonly number[] = [GOVERNMENT_TREASURY, GOVERNMENT_BODY];
const organization: readonly number[] = [BUSINESS, NON_PROFIT];

/**
 * The transfer type of a sender and recipient account type. GOVERNMENT is tested first and wins; a business
 * or non-profit paying a person, and a person paying a non-profit, are MERCHANT. `undefined` for a party
 * that takes no part in ordinary transfers (system pools, reserved types).
 */
export function transferTypeOf(fromType: number, toType: number): TransferType | undefined {
  const parties: readonly number[] = [INDIVIDUAL, ...organization, ...government];
  if (!parties.includes(fromType) || !parties.includes(toType)) return undefined;
  if (government.includes(fromType) || government.includes(toType)) return 'GOVERNMENT';
  if (fromType === INDIVIDUAL && toType === INDIVIDUAL) return 'P2P';
  if (organization.includes(fromType) && organization.includes(toType)) return 'B2B';
  return 'MERCHANT';
}

/**
 * Quotes a transfer of `amount` Qirat from `fromId` to `toId` (canonical Fabric ids): type from the
 * account-type digits, scope from the country codes, band chosen by the amount alone. GX_INVALID_ARGUMENT for
 * a negative amount or a party whose account type has no transfer type.
 */
export function quoteFee(fees: FeeSchedule, fromId: string, toId: string, amount: bigint): FeeQuote {
  if (amount < 0n) throw gxError('GX_INVALID_ARGUMENT', `amount must not be negative, got ${amount}`);
  const fromType = accountTypeOfId(fromId);
  const toType = accountTypeOfId(toId);
  const type = transferTypeOf(fromType, toType);
  if (type === undefined) {
    throw gxError(
      'GX_INVALID_ARGUMENT',
      `no transfer type between account types ${fromType.toString(16).toUpperCase()} and ${toType.toString(16).toUpperCase()} (from, to)`,
    );
  }
  const scope: TransferScope = fromId.slice(0, 2) === toId.slice(0, 2) ? 'LOCAL' : 'CROSS_BORDER';
  let feeBps = 0;
  // Bands ascend from "0" (feeBandsSchema), so the last one starting at or below the amount is its band.
  for (const band of fees[type][scope]) {
    if (BigInt(band.minAmount) <= amount) feeBps = band.bps;
  }
  return { type, scope, feeBps, fee: (amount * BigInt(feeBps)) / 10_000n };
}
