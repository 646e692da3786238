/**
 * The shapes of the contracts' arguments that the backend validates before a call ever reaches the ledger
 * (API bodies, command payloads): one definition, shared, so the two can never disagree.
 */
import { z } from 'zod';
import { fabricUserIdPattern } from './fabric-user-id';

/** 10^78 > 2^256: far beyond any supply, yet small enough that a malicious string cannot blow up the arithmetic. */
export const maxAmountDigits = 78;
/** A strictly positive amount: a decimal string of whole smallest units, no sign, no leading zeros. */
export const positiveAmountPattern = new RegExp(`^[1-9][0-9]{0,${maxAmountDigits - 1}}$`);
/** Longest transfer memo, in UTF-16 code units (JavaScript string length). */
export const maxMemoLength = 256;

/** Whole smallest units (Qirat) as a decimal string, zero allowed: never a float. */
export const amountSchema = z.string().regex(/^(0|[1-9][0-9]{0,77})$/, 'must be a non-negative integer string');

export const fabricUserIdSchema = z
  .string()
  .regex(fabricUserIdPattern, 'must be a Fabric user id like "MY A3F HBF934 0ABCD 1234"');
export const positiveAmountSchema = z
  .string()
  .regex(positiveAmountPattern, 'must be a positive integer string of smallest units, like "1500"');
export const memoSchema = z.string().max(maxMemoLength);
