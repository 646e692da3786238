import { positiveAmountPattern } from './arguments';
import { gxError } from './errors';

/** Parses a strictly positive integer amount (decimal string, no sign, no leading zeros) into a bigint. */
export function parsePositiveAmount(field: string, value: string): bigint {
  if (typeof value !== 'string' || !positiveAmountPattern.test(value)) {
    throw gxError('GX_INVALID_ARGUMENT', `${field} must be a positive integer string, got "${String(value)}"`);
  }
  return BigInt(value);
}
