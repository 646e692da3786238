import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.js';
import { inTransaction } from '../../db/pool.js';
import { submitKyc } from './kyc.js';
import { parseKycKeyring, reencryptKycDocuments } from './kyc-keyring.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrated: true });
});
afterAll(() => db?.drop());

describe('KYC key rotation', () => {
  it('re-seals every document under the new first key; the old key can then be dropped', async () => {
    const oldKey = randomBytes(32).toString('hex');
    const newKey = randomBytes(32).toString('base64');
    const before = parseKycKeyring(`2025:${oldKey}`);
    const numbers = ['P1111111', 'P2222222', 'P3333333'];
    const profiles: string[] = [];
    for (const [i, documentNumber] of numbers.entries()) {
      const row = await db.pool.query<{ profile_id: string }>(
        `INSERT INTO user_profile (email, password_hash, first_name, last_name) VALUES ($1, 'x', 'A', 'B') RETURNING profile_id`,
        [`kyc${i}@gx.test`],
      );
      const profileId = row.rows[0]!.profile_id;
      profiles.push(profileId);
      await inTransaction(db.pool, (client) =>
        submitKyc(client, before, profileId, { documentType: 'PASSPORT', documentNumber, documentCountry: 'MY' }),
      );
    }
    const rotating = parseKycKeyring(`2026:${newKey},2025:${oldKey}`);
    expect(await reencryptKycDocuments(db.pool, rotating, 2)).toBe(3);
    expect(await reencryptKycDocuments(db.pool, rotating)).toBe(0);
    const after = parseKycKeyring(`2026:${newKey}`);
    const rows = await db.pool.query<{
      profile_id: string;
      document_number_encrypted: Buffer;
      encryption_key_id: string;
    }>('SELECT profile_id, document_number_encrypted, encryption_key_id FROM kyc_verification');
    expect(rows.rows.every((row) => row.encryption_key_id === '2026')).toBe(true);
    const opened = rows.rows
      .map((row) => after.decrypt(row.document_number_encrypted, row.encryption_key_id, row.profile_id))
      .sort();
    expect(opened).toEqual(numbers);
  });
});
