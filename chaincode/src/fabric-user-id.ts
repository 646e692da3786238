/**
 * The Fabric user id: `CC CCC AAANNN TCCCC NNNN`, e.g. `MY A3F HBF934 0ABCD 1234`.
 *
 * - `CC`: ISO 3166-1 alpha-2 country code (upper case).
 * - `CCC`: checksum, the first 3 hex digits (upper case) of {@link identityDigest}.
 * - `AAANNN`: date of birth and gender. n = (days from 1900-01-01 to the date of birth) * 3 + gender code
 *   (male 0, female 1, other 2); `AAA` is floor(n / 1000) in base 26 with A = 0 (exactly 3 letters), `NNN` is
 *   n % 1000 zero-padded.
 * - `T`: account type (0–15) as one upper-case hex digit; `CCCC`: 4 random upper-case letters.
 * - `NNNN`: 4 random digits.
 *
 * The backend generates ids with {@link generateFabricUserId}; the chaincode checks them with
 * {@link checkFabricUserId} against the user it is asked to create, given only the digest (no e-mail on chain).
 */
import { createHash, randomInt } from 'node:crypto';

/** The canonical form: single spaces, upper case. */
export const fabricUserIdPattern = /^[A-Z]{2} [0-9A-F]{3} [A-Z]{3}[0-9]{3} [0-9A-F][A-Z]{4} [0-9]{4}$/;

export const genders = ['male', 'female', 'other'] as const;
export type Gender = (typeof genders)[number];

/** The account types the digit `T` of an id names (domain.md, "Accounts and ids"); other digits are reserved. */
export const accountTypes = {
  INDIVIDUAL: 0,
  BUSINESS: 1,
  NON_PROFIT: 2,
  GOVERNMENT_TREASURY: 6,
  GOVERNMENT_BODY: 7,
  SYSTEM: 15,
} as const;

/** The account type digit `T` of a canonical id (the first character of its fourth group), 0–15. */
export function accountTypeOfId(id: string): number {
  return Number.parseInt(id.split(' ')[3]?.slice(0, 1) ?? '', 16);
}

/** What the checksum is computed over. */
export interface IdentityFacts {
  email: string;
  /** `YYYY-MM-DD`. */
  dateOfBirth: string;
  /** ISO 3166-1 alpha-2; upper-cased before hashing. */
  countryCode: string;
}

/** What an id encodes, plus the facts behind its checksum. */
export interface FabricUserIdInput extends IdentityFacts {
  gender: Gender;
  /** 0–15. */
  accountType: number;
  /**
   * Randomness for the random letters and digits: returns an integer in [0, max). Defaults to
   * `crypto.randomInt`; tests inject a deterministic one.
   */
  random?: (max: number) => number;
}

/** The fields of a well-formed id. */
export interface FabricUserIdParts {
  countryCode: string;
  /** 3 upper-case hex digits. */
  checksum: string;
  dateOfBirth: string;
  gender: Gender;
  accountType: number;
  randomLetters: string;
  randomDigits: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

const dayMs = 86_400_000;
const epochMs = Date.UTC(1900, 0, 1);
const letterCombinations = 26 ** 3;
const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * Hex SHA-1 of `lower(trim(email)) + '|' + dateOfBirth + '|' + countryCode`: lets the chaincode verify an id's
 * checksum without ever seeing the e-mail address.
 */
export function identityDigest(facts: IdentityFacts): string {
  const text = `${facts.email.trim().toLowerCase()}|${facts.dateOfBirth}|${facts.countryCode.toUpperCase()}`;
  return createHash('sha1').update(text, 'utf8').digest('hex');
}

/** Generates a canonical id for a user; throws a plain Error if the input cannot be encoded. */
export function generateFabricUserId(input: FabricUserIdInput): string {
  const countryCode = input.countryCode.toUpperCase();
  if (!/^[A-Z]{2}$/.test(countryCode)) throw new Error(`countryCode "${input.countryCode}" is not 2 letters`);
  if (!Number.isInteger(input.accountType) || input.accountType < 0 || input.accountType > 15) {
    throw new Error(`accountType ${input.accountType} is not an integer 0-15`);
  }
  const birth = encodeBirth(input.dateOfBirth, input.gender);
  if (!birth.ok) throw new Error(birth.reason);
  const random = input.random ?? randomInt;
  const pick = (max: number): number => {
    const value = random(max);
    if (!Number.isInteger(value) || value < 0 || value >= max) throw new Error(`random(${max}) returned ${value}`);
    return value;
  };
  const randomLetters = Array.from({ length: 4 }, () => letters[pick(26)]).join('');
  const randomDigits = String(pick(10_000)).padStart(4, '0');
  const checksum = identityDigest(input).slice(0, 3).toUpperCase();
  const type = input.accountType.toString(16).toUpperCase();
  return `${countryCode} ${checksum} ${birth.value} ${type}${randomLetters} ${randomDigits}`;
}

/** Splits and decodes an id; rejects anything not in canonical form or whose `AAANNN` is not a valid date. */
export function parseFabricUserId(id: string): ParseResult<FabricUserIdParts> {
  if (!fabricUserIdPattern.test(id)) {
    return {
      ok: false,
      reason: `"${id}" is not of the form "CC CCC AAANNN TCCCC NNNN" (e.g. "MY A3F HBF934 0ABCD 1234")`,
    };
  }
  const [countryCode, checksum, birth, typeAndLetters, randomDigits] = id.split(' ') as [
    string,
    string,
    string,
    string,
    string,
  ];
  const decoded = decodeBirth(birth);
  if (!decoded.ok) return decoded;
  return {
    ok: true,
    value: {
      countryCode,
      checksum,
      dateOfBirth: decoded.value.dateOfBirth,
      gender: decoded.value.gender,
      accountType: Number.parseInt(typeAndLetters.slice(0, 1), 16),
      randomLetters: typeAndLetters.slice(1),
      randomDigits,
    },
  };
}

/** The facts an id must agree with when the chaincode creates its user. */
export interface ExpectedIdentity {
  countryCode: string;
  identityDigest: string;
  dateOfBirth: string;
  gender: Gender;
  accountType: number;
}

/**
 * Checks an id against the user it names: format, country, checksum (digest prefix), date of birth and gender,
 * account type. Returns every mismatch, so an empty list means the id is valid for that user.
 */
export function checkFabricUserId(id: string, expected: ExpectedIdentity): string[] {
  const parsed = parseFabricUserId(id);
  if (!parsed.ok) return [parsed.reason];
  const parts = parsed.value;
  const problems: string[] = [];
  if (parts.countryCode !== expected.countryCode) {
    problems.push(`country ${parts.countryCode} does not match countryCode ${expected.countryCode}`);
  }
  if (parts.checksum !== expected.identityDigest.slice(0, 3).toUpperCase()) {
    problems.push(`checksum ${parts.checksum} does not match the identity digest`);
  }
  if (parts.dateOfBirth !== expected.dateOfBirth || parts.gender !== expected.gender) {
    problems.push(
      `birth field encodes ${parts.dateOfBirth}/${parts.gender}, not ${expected.dateOfBirth}/${expected.gender}`,
    );
  }
  if (parts.accountType !== expected.accountType) {
    problems.push(`account type ${parts.accountType} does not match accountType ${expected.accountType}`);
  }
  return problems;
}

/** Parses a `YYYY-MM-DD` calendar date (rejecting e.g. 2001-02-30); returns days since 1900-01-01. */
export function daysSince1900(date: string): ParseResult<number> {
  const match = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(date);
  if (!match) return { ok: false, reason: `date "${date}" is not YYYY-MM-DD` };
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) {
    return { ok: false, reason: `date "${date}" is not a calendar date` };
  }
  const days = (ms - epochMs) / dayMs;
  if (days < 0) return { ok: false, reason: `date "${date}" is before 1900-01-01` };
  return { ok: true, value: days };
}

function encodeBirth(dateOfBirth: string, gender: Gender): ParseResult<string> {
  const days = daysSince1900(dateOfBirth);
  if (!days.ok) return days;
  const genderCode = genders.indexOf(gender);
  if (genderCode < 0) return { ok: false, reason: `gender "${gender}" is not one of ${genders.join(', ')}` };
  const n = days.value * 3 + genderCode;
  let high = Math.floor(n / 1000);
  if (high >= letterCombinations) return { ok: false, reason: `date "${dateOfBirth}" is too late to encode` };
  let code = '';
  for (let i = 0; i < 3; i += 1) {
    code = letters[high % 26] + code;
    high = Math.floor(high / 26);
  }
  return { ok: true, value: `${code}${String(n % 1000).padStart(3, '0')}` };
}

function decodeBirth(field: string): ParseResult<{ dateOfBirth: string; gender: Gender }> {
  let high = 0;
  for (const letter of field.slice(0, 3)) high = high * 26 + letters.indexOf(letter);
  const n = high * 1000 + Number(field.slice(3));
  const dateOfBirth = new Date(epochMs + Math.floor(n / 3) * dayMs).toISOString().slice(0, 10);
  // Dates past 9999-12-31 have no YYYY-MM-DD form; the 3 letters allow n up to ~48,000 years after 1900.
  if (!/^[0-9]{4}-/.test(dateOfBirth)) return { ok: false, reason: `birth field ${field} encodes no YYYY-MM-DD date` };
  return { ok: true, value: { dateOfBirth, gender: genders[n % 3] as Gender } };
}
