/**
 * devnet's membership service: which creators it accepts and how their signatures are checked.
 *
 * A creator is a serialized identity (MSP id + PEM certificate). It is accepted when the MSP id is devnet's
 * and its certificate was issued by devnet's CA and is in its validity period. Parsed certificates are cached
 * by their bytes, because every request of a client carries the same ones.
 */
import { createPrivateKey, createPublicKey, type KeyObject, verify, X509Certificate } from 'node:crypto';
import { msp } from '@hyperledger/fabric-protos';
import { hasLowS, signLowS, signLowSInBackground } from '../ledger/signer.js';

/** A creator that passed the checks. */
export interface VerifiedCreator {
  mspId: string;
  certPem: string;
  /** The certificate's PEM bytes, as the chaincode's `getCreator().idBytes` gives them. */
  certBytes: Uint8Array;
  publicKey: KeyObject;
}

/**
 * Raised for a creator devnet does not accept. `unknown`: not deserializable as a member of the channel (another
 * MSP id, an unparsable certificate, a certificate from a foreign CA); `invalid`: a member's certificate that
 * fails validation (expired, not yet valid). A peer words the two differently (see {@link accessDenied}).
 */
export class IdentityError extends Error {
  readonly kind: 'unknown' | 'invalid';
  /** The creator's MSP id, for an `invalid` member. */
  readonly mspId: string | undefined;

  constructor(message: string, kind: 'unknown' | 'invalid' = 'unknown', mspId?: string) {
    super(message);
    this.kind = kind;
    this.mspId = mspId;
  }
}

/**
 * How a Fabric 2.5 peer refuses a proposal's creator (core/endorser's proposal validation; docs/fabric.md, "How a Fabric 2.5 peer answers"): a
 * creator it cannot place in the channel's MSPs is "org unknown, creator is malformed"; a member's certificate
 * that fails validation, or a signature that does not verify, names the org. The real reason is not told.
 */
export function accessDenied(channel: string, mspId?: string): string {
  return mspId === undefined
    ? `access denied: channel [${channel}] creator org unknown, creator is malformed`
    : `access denied: channel [${channel}] creator org [${mspId}]`;
}

/** Checks creators and signatures against one MSP (one CA). */
export class Membership {
  readonly #mspId: string;
  readonly #ca: X509Certificate;
  readonly #creators = new Map<string, VerifiedCreator>();

  constructor(mspId: string, caCertPem: string) {
    this.#mspId = mspId;
    this.#ca = new X509Certificate(caCertPem);
  }

  /** Decodes and checks serialized identity bytes; throws {@link IdentityError} when not acceptable. */
  creator(serializedIdentity: Uint8Array): VerifiedCreator {
    const cacheKey = Buffer.from(serializedIdentity).toString('base64');
    const cached = this.#creators.get(cacheKey);
    if (cached) return cached;
    const identity = msp.SerializedIdentity.deserializeBinary(serializedIdentity);
    const mspId = identity.getMspid();
    if (mspId !== this.#mspId) throw new IdentityError(`creator MSP '${mspId}' is not a member of this channel`);
    const certPem = Buffer.from(identity.getIdBytes_asU8()).toString('utf8');
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(certPem);
    } catch {
      throw new IdentityError('creator certificate could not be parsed');
    }
    if (!cert.checkIssued(this.#ca) || !cert.verify(this.#ca.publicKey)) {
      throw new IdentityError('creator certificate was not issued by the MSP CA');
    }
    const now = Date.now();
    if (now < Date.parse(cert.validFrom) || now > Date.parse(cert.validTo)) {
      throw new IdentityError('creator certificate has expired or is not yet valid', 'invalid', mspId);
    }
    const verified = { mspId, certPem, certBytes: Buffer.from(certPem), publicKey: cert.publicKey };
    if (this.#creators.size > 10_000) this.#creators.clear();
    this.#creators.set(cacheKey, verified);
    return verified;
  }

  /**
   * Whether `signature` (DER ECDSA over the SHA-256 of `message`, as Fabric signs) is the creator's. Like a
   * Fabric MSP, a signature whose S is in the upper half of the curve order is refused (malleability).
   */
  static verifies(creator: VerifiedCreator, message: Uint8Array, signature: Uint8Array): boolean {
    if (signature.length === 0 || !hasLowS(signature)) return false;
    try {
      return verify('sha256', message, creator.publicKey, signature);
    } catch {
      return false;
    }
  }

  /**
   * {@link Membership.verifies} on libuv's thread pool, off the event loop. It costs more CPU in all (~74 µs
   * against ~61 µs, the hand-off and wake-ups) but lets the verification run beside the event loop, which is
   * devnet's bottleneck when its clients leave a core free: measured +15–25% transactions/s (README).
   */
  static verifiesInBackground(creator: VerifiedCreator, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
    if (signature.length === 0 || !hasLowS(signature)) return Promise.resolve(false);
    return new Promise((resolve) => {
      try {
        verify('sha256', message, creator.publicKey, signature, (error, valid) => resolve(!error && valid));
      } catch {
        resolve(false);
      }
    });
  }
}

/** The peer's signing identity: serialized creator bytes and a signer producing Fabric-style signatures. */
export class PeerSigner {
  readonly serializedIdentity: Uint8Array;
  readonly #key: KeyObject;
  readonly publicKey: KeyObject;

  constructor(mspId: string, certPem: string, keyPem: string) {
    const identity = new msp.SerializedIdentity();
    identity.setMspid(mspId);
    identity.setIdBytes(Buffer.from(certPem));
    this.serializedIdentity = identity.serializeBinary();
    this.#key = createPrivateKey(keyPem);
    this.publicKey = createPublicKey(this.#key);
  }

  /** DER ECDSA signature over SHA-256 of `message`, with low S as Fabric requires. */
  sign(message: Uint8Array): Uint8Array {
    return signLowS(message, this.#key);
  }

  /** {@link PeerSigner.sign} on libuv's thread pool. */
  signInBackground(message: Uint8Array): Promise<Uint8Array> {
    return signLowSInBackground(message, this.#key);
  }
}
