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
  /** order / 2, big-endian in `size` bytes: S above it is "high". */
  halfOrder: Buffer;
  digest: string;
  size: number;
}

function curve(order: bigint, digest: string, size: number): Curve {
  return { order, halfOrder: fixedBytes(order / 2n, size), digest, size };
}

const P256 = curve(0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n, 'sha256', 32);
const P384 = curve(
  0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  'sha384',
  48,
);

function curveOf(key: KeyObject): Curve {
  return key.asymmetricKeyDetails?.namedCurve === 'secp384r1' ? P384 : P256;
}

/** `value` as `size` big-endian bytes. */
function fixedBytes(value: bigint, size: number): Buffer {
  return Buffer.from(value.toString(16).padStart(size * 2, '0'), 'hex');
}

/** A DER INTEGER of the unsigned big-endian `bytes`: leading zeros dropped, a zero added if the top bit is set. */
function derInteger(bytes: Uint8Array): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const pad = (bytes[start] ?? 0) & 0x80 ? 1 : 0;
  const length = bytes.length - start + pad;
  const out = Buffer.allocUnsafe(2 + length);
  out[0] = 0x02;
  out[1] = length;
  if (pad) out[2] = 0;
  out.set(bytes.subarray(start), 2 + pad);
  return out;
}

/**
 * DER encoding of a raw (IEEE P1363 r ‖ s) signature, S normalised to the lower half of the order. Byte
 * comparisons, with big integers only to flip a high S (half of all signatures): this runs for every signature.
 */
function lowSDer(raw: Buffer, curve: Curve): Uint8Array {
  const r = raw.subarray(0, curve.size);
  let s: Uint8Array = raw.subarray(curve.size);
  if (Buffer.compare(s, curve.halfOrder) > 0) {
    s = fixedBytes(curve.order - BigInt(`0x${Buffer.from(s).toString('hex')}`), curve.size);
  }
  const body = Buffer.concat([derInteger(r), derInteger(s)]);
  const header = body.length < 0x80 ? Buffer.from([0x30, body.length]) : Buffer.from([0x30, 0x81, body.length]);
  return Buffer.concat([header, body]);
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
  let s = der.subarray(sAt + 2, sAt + 2 + sLength);
  while (s.length > 0 && s[0] === 0) s = s.subarray(1);
  if (s.length !== P256.size) return s.length < P256.size;
  return Buffer.compare(s, P256.halfOrder) <= 0;
}

/** A gateway `Signer` for `key` (EC P-256 or P-384), to be used with `hash.none` (the signer hashes). */
export function newNativeSigner(key: KeyObject): (message: Uint8Array) => Promise<Uint8Array> {
  return async (message) => signLowS(message, key);
}
