import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeyringError, parseKycKeyring } from './kyc-keyring.js';

const hexKey = () => randomBytes(32).toString('hex');
const b64Key = () => randomBytes(32).toString('base64');

describe('parseKycKeyring', () => {
  it('seals with the first key and opens with any listed key', () => {
    const [k1, k2] = [hexKey(), b64Key()];
    const old = parseKycKeyring(`old:${k1}`);
    const sealed = old.encrypt('A12345678', 'profile-1');
    expect(sealed.keyId).toBe('old');
    expect(sealed.sealed.toString('latin1')).not.toContain('A12345678');
    const rotated = parseKycKeyring(`new:${k2},old:${k1}`);
    expect(rotated.currentKeyId).toBe('new');
    expect(rotated.decrypt(sealed.sealed, 'old', 'profile-1')).toBe('A12345678');
    const resealed = rotated.encrypt('A12345678', 'profile-1');
    expect(resealed.keyId).toBe('new');
    expect(rotated.decrypt(resealed.sealed, 'new', 'profile-1')).toBe('A12345678');
  });

  it('uses a fresh IV each time', () => {
    const keyring = parseKycKeyring(`k:${hexKey()}`);
    expect(keyring.encrypt('same', 'p').sealed.equals(keyring.encrypt('same', 'p').sealed)).toBe(false);
  });

  it('refuses a ciphertext moved to another profile or tampered with', () => {
    const keyring = parseKycKeyring(`k:${hexKey()}`);
    const { sealed } = keyring.encrypt('A12345678', 'profile-1');
    expect(() => keyring.decrypt(sealed, 'k', 'profile-2')).toThrow();
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => keyring.decrypt(tampered, 'k', 'profile-1')).toThrow();
  });

  it.each([
    ['', 'no key given'],
    ['nokey', 'keyId:key'],
    ['k:short', '32 bytes'],
    [`k:${'a'.repeat(64)},k:${'b'.repeat(64)}`, 'appears twice'],
  ])('rejects %j', (setting, message) => {
    expect(() => parseKycKeyring(setting)).toThrow(KeyringError);
    expect(() => parseKycKeyring(setting)).toThrow(message);
  });

  it('names a missing key id on decrypt', () => {
    const keyring = parseKycKeyring(`k:${hexKey()}`);
    expect(() => keyring.decrypt(Buffer.alloc(40), 'gone', 'p')).toThrow('no key with id "gone"');
  });
});
