import { generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hasLowS, newNativeSigner, signLowS } from './signer.js';

const ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** S of a DER ECDSA signature. */
function sOf(der: Uint8Array): bigint {
  const bytes = Buffer.from(der);
  const rLength = bytes[3]!;
  const sStart = 4 + rLength + 2;
  return BigInt(`0x${bytes.subarray(sStart, sStart + bytes[4 + rLength + 1]!).toString('hex')}`);
}

describe('newNativeSigner', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const signer = newNativeSigner(privateKey);

  it('makes DER signatures over SHA-256 of the message that verify, always with low S', async () => {
    for (let i = 0; i < 64; i += 1) {
      const message = Buffer.from(`message ${i}`);
      const signature = await signer(message);
      expect(verify('sha256', message, { key: publicKey, dsaEncoding: 'der' }, signature)).toBe(true);
      expect(sOf(signature) <= ORDER / 2n).toBe(true);
    }
  });
});

describe('signLowS and hasLowS', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

  /** The same signature with S replaced by order − S (valid, but "high" when S was low). */
  function flipS(der: Uint8Array): Buffer {
    const bytes = Buffer.from(der);
    const rLength = bytes[3]!;
    const r = bytes.subarray(4, 4 + rLength);
    const flipped = ORDER - sOf(der);
    let hex = flipped.toString(16);
    if (hex.length % 2) hex = `0${hex}`;
    let s = Buffer.from(hex, 'hex');
    if (s[0]! & 0x80) s = Buffer.concat([Buffer.from([0]), s]);
    const body = Buffer.concat([Buffer.from([0x02, r.length]), r, Buffer.from([0x02, s.length]), s]);
    return Buffer.concat([Buffer.from([0x30, body.length]), body]);
  }

  it('encodes r and s minimally over many signatures (leading zeros, top bits), all verifying with low S', () => {
    for (let i = 0; i < 600; i += 1) {
      const message = Buffer.from(`m${i}`);
      const signature = signLowS(message, privateKey);
      expect(verify('sha256', message, { key: publicKey, dsaEncoding: 'der' }, signature)).toBe(true);
      expect(hasLowS(signature)).toBe(true);
      const high = flipS(signature);
      // The flipped signature is still mathematically valid, and refused only for its high S.
      expect(verify('sha256', message, { key: publicKey, dsaEncoding: 'der' }, high)).toBe(true);
      expect(hasLowS(high)).toBe(false);
    }
  });

  it('signs with P-384 keys over SHA-384', () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const message = Buffer.from('p-384');
    const signature = signLowS(message, p384.privateKey);
    expect(verify('sha384', message, { key: p384.publicKey, dsaEncoding: 'der' }, signature)).toBe(true);
  });

  it('refuses malformed DER', () => {
    expect(hasLowS(new Uint8Array())).toBe(false);
    expect(hasLowS(Buffer.from([0x30, 0x02, 0x05, 0x00]))).toBe(false);
  });
});
