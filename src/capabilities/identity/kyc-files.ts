/**
 * KYC document files: checked from their bytes, hashed and sealed while they stream in.
 *
 * Envelope encryption: each file gets its own random AES-256-GCM data key; only that key is sealed by the KYC
 * key ring (kyc-keyring.ts), bound to the profile. Rotating the ring's key re-seals the small wrapped keys
 * (`reencryptKycDocuments` in kyc-keyring.ts), never the files, and a file sealed under an older ring key stays readable as long
 * as that key is listed. The file's ciphertext is bound to its profile and id (additional authenticated data).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import type { KycKeyring } from './kyc-keyring.js';

/** At most this many bytes per file (docs/domain.md, "KYC"). */
export const KYC_FILE_MAX_BYTES = 10 * 1024 * 1024;

/** The accepted types, as sniffed from the bytes (never from the name or the declared type). */
export const kycContentTypes = ['image/jpeg', 'image/png', 'application/pdf'] as const;
export type KycContentType = (typeof kycContentTypes)[number];

/** The upload's file fields and the document each carries. `proofOfAddress` is optional (docs/domain.md). */
export const kycFileFields = {
  idFront: { kind: 'ID_FRONT', required: true },
  idBack: { kind: 'ID_BACK', required: true },
  passport: { kind: 'PASSPORT', required: false },
  proofOfAddress: { kind: 'PROOF_OF_ADDRESS', required: false },
} as const;
export type KycFileField = keyof typeof kycFileFields;
export type KycFileKind = (typeof kycFileFields)[KycFileField]['kind'];

export const isKycFileField = (name: string): name is KycFileField => Object.hasOwn(kycFileFields, name);

/** Bytes file-type needs to recognise any of the accepted types. */
const SNIFF_BYTES = 4100;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Why a file was refused; the route answers 400 naming its field. */
export class KycFileRefusedError extends Error {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(reason);
    this.name = 'KycFileRefusedError';
  }
}

/** A file sealed in memory, ready for the store (at most {@link KYC_FILE_MAX_BYTES} of plaintext). */
export interface SealedKycFile {
  fileId: string;
  kind: KycFileKind;
  contentType: KycContentType;
  sizeBytes: number;
  /** SHA-256 of the plaintext. */
  sha256: Buffer;
  /** iv ‖ ciphertext ‖ tag, under the file's data key. */
  ciphertext: Buffer;
  wrappedDataKey: Buffer;
  encryptionKeyId: string;
}

const aad = (profileId: string, fileId: string) => Buffer.from(`${profileId}/${fileId}`);

async function sniff(head: Buffer, field: string): Promise<KycContentType> {
  const found = await fileTypeFromBuffer(head);
  const type = kycContentTypes.find((accepted) => accepted === found?.mime);
  if (!type) throw new KycFileRefusedError(field, 'must be a JPEG, PNG or PDF file (checked from its content)');
  return type;
}

/**
 * Reads one file part, checking its type from the first bytes, hashing and encrypting each chunk as it
 * arrives. The size bound is the multipart parser's (it fails the stream past the limit), so at most one file
 * of ciphertext is held.
 */
export async function sealKycFile(
  field: KycFileField,
  chunks: AsyncIterable<Buffer>,
  keyring: KycKeyring,
  profileId: string,
  fileId: string,
): Promise<SealedKycFile> {
  const dataKey = randomBytes(32);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', dataKey, iv);
  cipher.setAAD(aad(profileId, fileId));
  const hash = createHash('sha256');
  const sealed: Buffer[] = [iv];
  let head = Buffer.alloc(0);
  let contentType: KycContentType | undefined;
  let sizeBytes = 0;
  for await (const chunk of chunks) {
    sizeBytes += chunk.length;
    hash.update(chunk);
    if (contentType === undefined) {
      head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES - head.length)]);
      // Refused as soon as the type is known, before the rest is read.
      if (head.length >= SNIFF_BYTES) contentType = await sniff(head, field);
    }
    sealed.push(cipher.update(chunk));
  }
  if (sizeBytes === 0) throw new KycFileRefusedError(field, 'is empty');
  contentType ??= await sniff(head, field);
  sealed.push(cipher.final(), cipher.getAuthTag());
  const { keyId, sealed: wrappedDataKey } = keyring.encrypt(dataKey.toString('base64'), profileId);
  return {
    fileId,
    kind: kycFileFields[field].kind,
    contentType,
    sizeBytes,
    sha256: hash.digest(),
    ciphertext: Buffer.concat(sealed),
    wrappedDataKey,
    encryptionKeyId: keyId,
  };
}

/** Opens a stored file: unwraps its data key with the ring, then decrypts and authenticates the bytes. */
export function openKycFile(
  keyring: KycKeyring,
  file: { profileId: string; fileId: string; wrappedDataKey: Buffer; encryptionKeyId: string; ciphertext: Buffer },
): Buffer {
  const dataKey = Buffer.from(keyring.decrypt(file.wrappedDataKey, file.encryptionKeyId, file.profileId), 'base64');
  const { ciphertext } = file;
  const decipher = createDecipheriv('aes-256-gcm', dataKey, ciphertext.subarray(0, IV_BYTES));
  decipher.setAAD(aad(file.profileId, file.fileId));
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - TAG_BYTES));
  return Buffer.concat([
    decipher.update(ciphertext.subarray(IV_BYTES, ciphertext.length - TAG_BYTES)),
    decipher.final(),
  ]);
}
