import { gxError } from './errors';

/** 10^78 > 2^256: far beyond any supply, yet small enough that a malicious string cannot blow up the arithmetic. */
const maxDigits = 78;

/** Parses a strictly positive integer amount (decimal string, no sign, no leading zeros) into a bigint. */
export function parsePositiveAmount(field: string, value: string): bigint {
  if (typeof value !== 'string' || !/^[1-9][0-9]*$/.test(value) || value.length > maxDigits) {
    throw gxError('GX_INVALID_ARGUMENT', `${field} must be a positive integer string, got "${String(value)}"`);
  }
  return BigInt(value);
}

/** Fee in basis points of `amount`, rounded down. */
export function feeFor(amount: bigint, basisPoints: number): bigint {
  return (amount * BigInt(basisPoints)) / 10_000n;
}
