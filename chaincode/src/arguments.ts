/**
 * The shapes of the contracts' arguments that the backend validates before a call ever reaches the ledger
 * (API bodies, command payloads): one definition, shared, so the two can never disagree.
 */
import { z } from 'zod';
import { fabricUserIdPattern, genders } from './fabric-user-id';

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

/** The transient-map key CreateUser reads the user's private facts from. */
export const createUserTransientKey = 'user';

/**
 * CreateUser's private facts, the JSON under transient key `user`: endorsers see them, blocks never do. Birth
 * date, gender and the identity digest are only checked against the id (its birth field and checksum) and the
 * birth date against the age rule; the profile id is stored as a digest. None of them is kept in clear.
 */
export const newUserSchema = z.object({
  profileId: z.string().min(1).max(128),
  dateOfBirth: z.iso.date(),
  gender: z.enum(genders),
  accountType: z.number().int().min(0).max(15),
  identityDigest: z.string().regex(/^[0-9a-f]{40}$/, 'must be a lower-case hex SHA-1 digest'),
});
export type NewUser = z.infer<typeof newUserSchema>;
