/**
 * Low-S ECDSA signatures on node:crypto (OpenSSL), for the gateway client and for devnet's peer.
 *
 * fabric-gateway's own `signers.newPrivateKeySigner` is pure JavaScript (@noble/curves): about 1.9 ms per
 * signature on these machines, and every transaction needs three (proposal, transaction, commit-status
 * request), which alone would cap one process near 175 transactions/s. OpenSSL is ~30x faster. Fabric refuses
 * signatures whose S lies in the upper half of the curve order (malleability), so S is normalised.
 */
import { type KeyObject, sign } from 'node:crypto';

interface Curve {
  order: bigint;
  digest: string;
  size: number;
}

const P256: Curve = {
  order: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  digest: 'sha256',
  size: 32,
};
const P384: Curve = {
  order: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  digest: 'sha384',
  size: 48,
};

function curveOf(key: KeyObject): Curve {
  return key.asymmetricKeyDetails?.namedCurve === 'secp384r1' ? P384 : P256;
}

function bigIntOf(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

function derInteger(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
}

function derLength(length: number): Buffer {
  return length < 0x80 ? Buffer.from([length]) : Buffer.from([0x81, length]);
}

/** DER encoding of a raw (IEEE P1363 r ‖ s) signature, S normalised to the lower half of the order. */
function lowSDer(raw: Buffer, curve: Curve): Uint8Array {
  const r = bigIntOf(raw.subarray(0, curve.size));
  let s = bigIntOf(raw.subarray(curve.size));
  if (s > curve.order / 2n) s = curve.order - s;
  const body = Buffer.concat([derInteger(r), derInteger(s)]);
  return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
}

/** DER ECDSA signature over the curve's digest (SHA-256 for P-256) of `message`, with low S. */
export function signLowS(message: Uint8Array, key: KeyObject): Uint8Array {
  const curve = curveOf(key);
  return lowSDer(sign(curve.digest, message, { key, dsaEncoding: 'ieee-p1363' }), curve);
}

/** {@link signLowS} on libuv's thread pool, off the event loop. */
export function signLowSInBackground(message: Uint8Array, key: KeyObject): Promise<Uint8Array> {
  const curve = curveOf(key);
  return new Promise((resolve, reject) => {
    sign(curve.digest, message, { key, dsaEncoding: 'ieee-p1363' }, (error, raw) =>
      error ? reject(error) : resolve(lowSDer(raw, curve)),
    );
  });
}

/** Whether a DER P-256 ECDSA signature's S is at most half the order; malformed DER counts as no. */
export function hasLowS(der: Uint8Array): boolean {
  // SEQUENCE { INTEGER r, INTEGER s } with short-form lengths (a P-256 signature is at most 72 bytes).
  if (der[0] !== 0x30 || der[2] !== 0x02) return false;
  const rLength = der[3] ?? 0;
  const sAt = 4 + rLength;
  if (der[sAt] !== 0x02) return false;
  const sLength = der[sAt + 1] ?? 0;
  return bigIntOf(der.subarray(sAt + 2, sAt + 2 + sLength)) <= P256.order / 2n;
}

/** A gateway `Signer` for `key` (EC P-256 or P-384), to be used with `hash.none` (the signer hashes). */
export function newNativeSigner(key: KeyObject): (message: Uint8Array) => Promise<Uint8Array> {
  return async (message) => signLowS(message, key);
}
