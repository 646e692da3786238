import { generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newNativeSigner } from './signer.js';

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
