/**
 * Where KYC document ciphertext lives: one interface, so the PostgreSQL store used by default can be swapped
 * for an S3-compatible object store (PutObject / GetObject / DeleteObject by key) without touching the slice.
 * Stores only ever see ciphertext; metadata and wrapped keys stay in `kyc_file`.
 */
import type pg from 'pg';

export interface KycDocumentStore {
  /** Stores `ciphertext` under a new `key` (a key is never reused). */
  put(key: string, ciphertext: Buffer): Promise<void>;
  /** The ciphertext stored under `key`, or undefined. */
  get(key: string): Promise<Buffer | undefined>;
  /** Removes `key` if present (an upload that could not be recorded leaves nothing behind). */
  remove(key: string): Promise<void>;
}

/** The default store: table `kyc_blob` (migration 0009). */
export function postgresKycStore(pool: pg.Pool): KycDocumentStore {
  return {
    async put(key, ciphertext) {
      await pool.query('INSERT INTO kyc_blob (storage_key, ciphertext) VALUES ($1, $2)', [key, ciphertext]);
    },
    async get(key) {
      const result = await pool.query<{ ciphertext: Buffer }>(
        'SELECT ciphertext FROM kyc_blob WHERE storage_key = $1',
        [key],
      );
      return result.rows[0]?.ciphertext;
    },
    async remove(key) {
      await pool.query('DELETE FROM kyc_blob WHERE storage_key = $1', [key]);
    },
  };
}
