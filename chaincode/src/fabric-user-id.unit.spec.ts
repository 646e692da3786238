import { describe, expect, it } from 'vitest';
import {
  checkFabricUserId,
  daysSince1900,
  fabricUserIdPattern,
  generateFabricUserId,
  identityDigest,
  parseFabricUserId,
} from './fabric-user-id';

const facts = { email: '  Alice@Example.COM ', dateOfBirth: '1990-05-17', countryCode: 'MY' };
/** Cycles through fixed values so generated ids are reproducible. */
const fixedRandom = (values: number[]) => {
  let i = 0;
  return (max: number) => (values[i++ % values.length] ?? 0) % max;
};

describe('identityDigest', () => {
  it('is the hex SHA-1 of lower(trim(email))|dateOfBirth|countryCode', () => {
    // sha1("alice@example.com|1990-05-17|MY"), computed independently with `printf ... | sha1sum`.
    expect(identityDigest(facts)).toBe('db8664b8fe7f60e4b1ab7076dbc1d1d57db5fdb0');
    expect(identityDigest({ ...facts, countryCode: 'my' })).toBe(identityDigest(facts));
    expect(identityDigest({ ...facts, email: 'bob@example.com' })).not.toBe(identityDigest(facts));
  });
});

describe('generateFabricUserId', () => {
  it('encodes country, checksum, birth, gender and account type in canonical form', () => {
    const id = generateFabricUserId({
      ...facts,
      gender: 'female',
      accountType: 10,
      random: fixedRandom([0, 1, 2, 25, 42]),
    });
    expect(id).toMatch(fabricUserIdPattern);
    const [cc, checksum, birth, type, digits] = id.split(' ');
    expect(cc).toBe('MY');
    expect(checksum).toBe(identityDigest(facts).slice(0, 3).toUpperCase());
    // 1990-05-17 is 33,008 days after 1900-01-01: n = 33008 * 3 + 1 = 99025 → 99 = 3 * 26 + 21 = "ADV", 025.
    expect(daysSince1900('1990-05-17')).toEqual({ ok: true, value: 33008 });
    expect(birth).toBe('ADV025');
    expect(type).toBe('AABCZ');
    expect(digits).toBe('0042');
  });

  it('round-trips through parseFabricUserId for every gender and account type', () => {
    for (const gender of ['male', 'female', 'other'] as const) {
      for (const accountType of [0, 7, 15]) {
        for (const dateOfBirth of ['1900-01-01', '1969-12-31', '2000-02-29', '9999-12-31']) {
          const id = generateFabricUserId({ ...facts, dateOfBirth, gender, accountType });
          const parsed = parseFabricUserId(id);
          expect(parsed).toMatchObject({ ok: true, value: { countryCode: 'MY', dateOfBirth, gender, accountType } });
        }
      }
    }
  });

  it('refuses what it cannot encode', () => {
    expect(() => generateFabricUserId({ ...facts, gender: 'male', accountType: 16 })).toThrow(/accountType/);
    expect(() => generateFabricUserId({ ...facts, dateOfBirth: '1899-12-31', gender: 'male', accountType: 0 })).toThrow(
      /before 1900/,
    );
    expect(() => generateFabricUserId({ ...facts, dateOfBirth: '2001-02-29', gender: 'male', accountType: 0 })).toThrow(
      /calendar date/,
    );
    expect(() => generateFabricUserId({ ...facts, countryCode: 'MYS', gender: 'male', accountType: 0 })).toThrow(
      /countryCode/,
    );
  });
});

describe('parseFabricUserId', () => {
  it('rejects non-canonical forms', () => {
    for (const bad of [
      'my a3f hbf934 0abcd 1234',
      'MY A3F HBF934 0ABCD 1234 ',
      'MY  A3F HBF934 0ABCD 1234',
      'MY A3G HBF934 0ABCD 1234',
      'MY A3F HBF934 GABCD 1234',
      '',
    ]) {
      expect(parseFabricUserId(bad).ok).toBe(false);
    }
  });

  it('rejects a birth field beyond 9999-12-31', () => {
    expect(parseFabricUserId('MY A3F ZZZ999 0ABCD 1234')).toMatchObject({ ok: false, reason: /no YYYY-MM-DD/ });
  });
});

describe('checkFabricUserId', () => {
  const expected = {
    countryCode: 'MY',
    identityDigest: identityDigest(facts),
    dateOfBirth: facts.dateOfBirth,
    gender: 'other' as const,
    accountType: 3,
  };
  const id = generateFabricUserId({ ...facts, gender: 'other', accountType: 3 });

  it('accepts the id generated for the same user', () => {
    expect(checkFabricUserId(id, expected)).toEqual([]);
  });

  it('reports a checksum that does not match the digest', () => {
    const otherDigest = identityDigest({ ...facts, email: 'mallory@example.com' });
    expect(otherDigest.slice(0, 3)).not.toBe(expected.identityDigest.slice(0, 3));
    expect(checkFabricUserId(id, { ...expected, identityDigest: otherDigest })).toEqual([
      expect.stringMatching(/checksum/),
    ]);
  });

  it('reports each mismatching field', () => {
    expect(checkFabricUserId(id, { ...expected, countryCode: 'SG' })).toEqual([expect.stringMatching(/country/)]);
    expect(checkFabricUserId(id, { ...expected, gender: 'male' })).toEqual([expect.stringMatching(/birth field/)]);
    expect(checkFabricUserId(id, { ...expected, dateOfBirth: '1990-05-18' })).toEqual([
      expect.stringMatching(/birth field/),
    ]);
    expect(checkFabricUserId(id, { ...expected, accountType: 4 })).toEqual([expect.stringMatching(/account type/)]);
    expect(checkFabricUserId('not an id', expected)).toEqual([expect.stringMatching(/is not of the form/)]);
  });
});
