/**
 * Encryption of KYC personal data at rest: AES-256-GCM with keys from `GX_KYC_ENCRYPTION_KEYS`.
 *
 * The setting is a comma-separated list of `keyId:key` (key = 32 bytes as base64 or 64 hex digits). The first
 * key encrypts; every listed key decrypts. Each row stores the id of the key that sealed it, so rotating is:
 * put the new key first, keep the old ones, run {@link reencryptKycDocuments}, then drop the old keys that its
 * report no longer names in `stillNeeded`.
 * The profile id is bound as additional authenticated data, so a ciphertext cannot be moved to another user.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type pg from 'pg';

const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface KycKeyring {
  /** The key id new data is sealed with. */
  currentKeyId: string;
  /** Every key id, the current one first. */
  keyIds: readonly string[];
  encrypt(plaintext: string, profileId: string): { keyId: string; sealed: Buffer };
  decrypt(sealed: Buffer, keyId: string, profileId: string): string;
  hasKey(keyId: string): boolean;
}

/** Raised for a malformed `GX_KYC_ENCRYPTION_KEYS`. */
export class KeyringError extends Error {
  constructor(message: string) {
    super(`GX_KYC_ENCRYPTION_KEYS: ${message}`);
    this.name = 'KeyringError';
  }
}

function decodeKey(text: string, keyId: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new KeyringError(`key "${keyId}" must be 32 bytes (base64 or 64 hex digits)`);
  return key;
}

/** Parses the setting; throws {@link KeyringError} naming what is wrong. */
export function parseKycKeyring(setting: string): KycKeyring {
  const keys = new Map<string, Buffer>();
  for (const entry of setting
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const separator = entry.indexOf(':');
    if (separator <= 0) throw new KeyringError('each entry must be keyId:key');
    const keyId = entry.slice(0, separator);
    if (keys.has(keyId)) throw new KeyringError(`key id "${keyId}" appears twice`);
    keys.set(keyId, decodeKey(entry.slice(separator + 1), keyId));
  }
  const currentKeyId = keys.keys().next().value;
  if (currentKeyId === undefined) throw new KeyringError('no key given');
  const keyOf = (keyId: string) => {
    const key = keys.get(keyId);
    if (!key) throw new KeyringError(`no key with id "${keyId}" (was it removed before re-encryption?)`);
    return key;
  };
  return {
    currentKeyId,
    keyIds: [...keys.keys()],
    hasKey: (keyId) => keys.has(keyId),
    encrypt(plaintext, profileId) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', keyOf(currentKeyId), iv);
      cipher.setAAD(Buffer.from(profileId));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return { keyId: currentKeyId, sealed: Buffer.concat([iv, cipher.getAuthTag(), body]) };
    },
    decrypt(sealed, keyId, profileId) {
      const decipher = createDecipheriv('aes-256-gcm', keyOf(keyId), sealed.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(profileId));
      decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    },
  };
}

/** What a re-encryption pass did, and what it left for the operator. */
export interface ReencryptionReport {
  /** Rows re-sealed under the current key. */
  resealed: number;
  /** Rows that could not be opened (a key missing from the setting, or a damaged ciphertext): left as they are. */
  failed: Array<{ id: string; keyId: string; reason: string }>;
  /**
   * Rows still sealed with an older key, by key id: a key listed here must stay in `GX_KYC_ENCRYPTION_KEYS`.
   * Empty once every row is under the current key, when the older keys may be removed.
   */
  stillNeeded: Record<string, number>;
}

/** The sealed columns a rotation re-seals: document numbers, and the data keys of document files (kyc-files.ts). */
const SEALED_COLUMNS = [
  { table: 'kyc_verification', column: 'document_number_encrypted' },
  { table: 'kyc_file', column: 'wrapped_data_key' },
] as const;

/**
 * Re-seals every KYC document number and file data key not sealed with the current key (a file's bytes stay as
 * they are: only its data key is re-wrapped). A row it cannot open is reported and skipped, never a reason to
 * stop: the pass walks each table once in id order, so it always ends, and the rows after a bad one are still
 * re-sealed (issue 29).
 */
export async function reencryptKycDocuments(
  pool: pg.Pool,
  keyring: KycKeyring,
  batchSize = 500,
): Promise<ReencryptionReport> {
  const report: ReencryptionReport = { resealed: 0, failed: [], stillNeeded: {} };
  for (const { table, column } of SEALED_COLUMNS) {
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows = await pool.query<{ id: string; profile_id: string; sealed: Buffer; encryption_key_id: string }>(
        `SELECT id, profile_id, ${column} AS sealed, encryption_key_id FROM ${table}
          WHERE encryption_key_id <> $1 AND id > $2 ORDER BY id LIMIT $3`,
        [keyring.currentKeyId, after, batchSize],
      );
      if (rows.rows.length === 0) break;
      for (const row of rows.rows) {
        after = row.id;
        let plaintext: string;
        try {
          plaintext = keyring.decrypt(row.sealed, row.encryption_key_id, row.profile_id);
        } catch (error) {
          report.failed.push({ id: row.id, keyId: row.encryption_key_id, reason: (error as Error).message });
          continue;
        }
        const { keyId, sealed } = keyring.encrypt(plaintext, row.profile_id);
        const updated = await pool.query(
          `UPDATE ${table} SET ${column} = $2, encryption_key_id = $3 WHERE id = $1 AND encryption_key_id = $4`,
          [row.id, sealed, keyId, row.encryption_key_id],
        );
        report.resealed += updated.rowCount ?? 0;
      }
    }
  }
  const left = await pool.query<{ encryption_key_id: string; rows: number }>(
    `SELECT encryption_key_id, count(*)::int AS rows FROM (
       SELECT encryption_key_id FROM kyc_verification UNION ALL SELECT encryption_key_id FROM kyc_file) sealed
      WHERE encryption_key_id <> $1 GROUP BY encryption_key_id ORDER BY encryption_key_id`,
    [keyring.currentKeyId],
  );
  for (const row of left.rows) report.stillNeeded[row.encryption_key_id] = row.rows;
  return report;
}
