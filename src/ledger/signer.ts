/**
 * ECDSA signing on node:crypto (OpenSSL) for the gateway client.
 *
 * fabric-gateway's own `signers.newPrivateKeySigner` is pure JavaScript (@noble/curves): about 1.9 ms per
 * signature on these machines, and every transaction needs three (proposal, transaction, commit-status
 * request), which alone would cap one process near 175 transactions/s. OpenSSL is ~30x faster. Used with
 * `hash.none`: the signer receives the message, hashes it with the curve's digest and signs, then normalises
 * S to the lower half of the curve order, which Fabric requires (it rejects high-S signatures).
 */
import { type KeyObject, sign } from 'node:crypto';

const CURVES: Record<string, { order: bigint; digest: string; size: number }> = {
  'P-256': { order: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n, digest: 'sha256', size: 32 },
  'P-384': {
    order: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
    digest: 'sha384',
    size: 48,
  },
};

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

/** A gateway `Signer` for `key` (EC P-256 or P-384), to be used with `hash.none`. */
export function newNativeSigner(key: KeyObject): (message: Uint8Array) => Promise<Uint8Array> {
  const curveName = key.asymmetricKeyDetails?.namedCurve === 'secp384r1' ? 'P-384' : 'P-256';
  const curve = CURVES[curveName]!;
  const half = curve.order / 2n;
  return async (message) => {
    const raw = sign(curve.digest, message, { key, dsaEncoding: 'ieee-p1363' });
    const r = BigInt(`0x${raw.subarray(0, curve.size).toString('hex')}`);
    let s = BigInt(`0x${raw.subarray(curve.size).toString('hex')}`);
    if (s > half) s = curve.order - s;
    const body = Buffer.concat([derInteger(r), derInteger(s)]);
    return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
  };
}
