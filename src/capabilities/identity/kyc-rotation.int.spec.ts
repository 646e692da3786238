import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.js';
import { inTransaction } from '../../db/pool.js';
import { samplePng } from '../../dev/sample-documents.js';
import { submitKyc } from './kyc.js';
import { openKycFile, sealKycFile } from './kyc-files.js';
import { parseKycKeyring, reencryptKycDocuments } from './kyc-keyring.js';
import { postgresKycStore } from './kyc-store.js';

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
    expect(await reencryptKycDocuments(db.pool, rotating, 2)).toEqual({ resealed: 3, failed: [], stillNeeded: {} });
    expect(await reencryptKycDocuments(db.pool, rotating)).toEqual({ resealed: 0, failed: [], stillNeeded: {} });
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

  it('resumes past a row it cannot open, reports it, and names the keys rows still need (issue 29)', async () => {
    const oldKey = randomBytes(32).toString('hex');
    const newKey = randomBytes(32).toString('hex');
    const before = parseKycKeyring(`k1:${oldKey}`);
    // The documents of the test before, sealed with keys this one does not list, are not this test's.
    await db.pool.query('DELETE FROM kyc_verification');
    const ids: string[] = [];
    for (const i of [0, 1, 2, 3]) {
      const row = await db.pool.query<{ profile_id: string }>(
        `INSERT INTO user_profile (email, password_hash, first_name, last_name) VALUES ($1, 'x', 'A', 'B') RETURNING profile_id`,
        [`resume${i}@gx.test`],
      );
      const profileId = row.rows[0]!.profile_id;
      const kyc = await inTransaction(db.pool, (client) =>
        submitKyc(client, before, profileId, {
          documentType: 'PASSPORT',
          documentNumber: `X${i}000000`,
          documentCountry: 'MY',
        }),
      );
      ids.push(kyc.kycId);
    }
    // One tampered ciphertext, one sealed with a key nobody listed.
    await db.pool.query(
      `UPDATE kyc_verification SET document_number_encrypted = set_byte(document_number_encrypted, 20, 0) WHERE id = $1`,
      [ids[1]],
    );
    await db.pool.query(`UPDATE kyc_verification SET encryption_key_id = 'lost' WHERE id = $1`, [ids[2]]);

    const rotating = parseKycKeyring(`k2:${newKey},k1:${oldKey}`);
    const report = await reencryptKycDocuments(db.pool, rotating, 1);

    expect(report.resealed).toBe(2);
    expect(report.failed.map((failure) => failure.id).sort()).toEqual([ids[1], ids[2]].sort());
    expect(report.failed.find((failure) => failure.id === ids[2])?.reason).toMatch(/no key with id "lost"/);
    // k1 must stay listed: a row still needs it (and one needs a key that is not listed at all).
    expect(report.stillNeeded).toEqual({ k1: 1, lost: 1 });
    // A second run does the same work on what is left, and terminates.
    expect(await reencryptKycDocuments(db.pool, rotating, 1)).toMatchObject({
      resealed: 0,
      stillNeeded: { k1: 1, lost: 1 },
    });
  });

  it("re-wraps document files' data keys, never their bytes: files stay readable before and after (envelope)", async () => {
    const oldKey = randomBytes(32).toString('hex');
    const newKey = randomBytes(32).toString('hex');
    const before = parseKycKeyring(`f1:${oldKey}`);
    await db.pool.query('DELETE FROM kyc_verification');
    const row = await db.pool.query<{ profile_id: string }>(
      `INSERT INTO user_profile (email, password_hash, first_name, last_name) VALUES ('files@gx.test', 'x', 'A', 'B') RETURNING profile_id`,
    );
    const profileId = row.rows[0]!.profile_id;
    const plaintext = samplePng('rotation test document');
    const chunks = (async function* () {
      yield plaintext.subarray(0, 10);
      yield plaintext.subarray(10);
    })();
    const sealed = await sealKycFile('idFront', chunks, before, profileId, randomUUID());
    const store = postgresKycStore(db.pool);
    await store.put(sealed.fileId, sealed.ciphertext);
    await inTransaction(db.pool, (client) =>
      submitKyc(
        client,
        before,
        profileId,
        { documentType: 'PASSPORT', documentNumber: 'F1234567', documentCountry: 'MY' },
        [sealed],
      ),
    );
    const read = async (ring: ReturnType<typeof parseKycKeyring>) => {
      const file = await db.pool.query<{ wrapped_data_key: Buffer; encryption_key_id: string }>(
        'SELECT wrapped_data_key, encryption_key_id FROM kyc_file WHERE id = $1',
        [sealed.fileId],
      );
      const { wrapped_data_key, encryption_key_id } = file.rows[0]!;
      const ciphertext = (await store.get(sealed.fileId))!;
      return openKycFile(ring, {
        profileId,
        fileId: sealed.fileId,
        wrappedDataKey: wrapped_data_key,
        encryptionKeyId: encryption_key_id,
        ciphertext,
      });
    };
    const rotating = parseKycKeyring(`f2:${newKey},f1:${oldKey}`);
    // Before the pass: the old key, still listed, opens the file.
    expect((await read(rotating)).equals(plaintext)).toBe(true);
    // One document number and one file key.
    expect(await reencryptKycDocuments(db.pool, rotating)).toEqual({ resealed: 2, failed: [], stillNeeded: {} });
    expect((await store.get(sealed.fileId))!.equals(sealed.ciphertext)).toBe(true);
    const after = parseKycKeyring(`f2:${newKey}`);
    expect((await read(after)).equals(plaintext)).toBe(true);
  });
});
