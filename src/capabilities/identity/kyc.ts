/**
 * KYC submissions: the document number is sealed by the keyring before it reaches the database.
 */
import type pg from 'pg';
import type { KycKeyring } from './kyc-keyring.js';

export interface KycSubmission {
  documentType: string;
  documentNumber: string;
  documentCountry: string;
}

export interface KycStatus {
  kycId: string;
  status: 'SUBMITTED' | 'APPROVED' | 'REJECTED';
  documentType: string;
  documentCountry: string;
  submittedAt: Date;
  reviewedAt: Date | null;
}

interface KycRow {
  id: string;
  status: KycStatus['status'];
  document_type: string;
  document_country: string;
  submitted_at: Date;
  reviewed_at: Date | null;
}

const toStatus = (row: KycRow): KycStatus => ({
  kycId: row.id,
  status: row.status,
  documentType: row.document_type,
  documentCountry: row.document_country,
  submittedAt: row.submitted_at,
  reviewedAt: row.reviewed_at,
});

/** The latest KYC submission of a profile. */
export async function latestKyc(db: pg.Pool | pg.ClientBase, profileId: string): Promise<KycStatus | undefined> {
  const result = await db.query<KycRow>(
    `SELECT id, status, document_type, document_country, submitted_at, reviewed_at FROM kyc_verification
      WHERE profile_id = $1 ORDER BY submitted_at DESC, id DESC LIMIT 1`,
    [profileId],
  );
  const row = result.rows[0];
  return row === undefined ? undefined : toStatus(row);
}

/** Raised when a submission is already under review or approved. */
export class KycPendingError extends Error {
  constructor(status: string) {
    super(`a KYC submission is already ${status.toLowerCase()}`);
    this.name = 'KycPendingError';
  }
}

/** Stores a submission (sealed). Refused while the latest one is SUBMITTED or APPROVED; REJECTED may resubmit. */
export async function submitKyc(
  client: pg.ClientBase,
  keyring: KycKeyring,
  profileId: string,
  submission: KycSubmission,
): Promise<KycStatus> {
  // Serialises concurrent submissions of one profile.
  await client.query('SELECT 1 FROM user_profile WHERE profile_id = $1 FOR UPDATE', [profileId]);
  const latest = await latestKyc(client, profileId);
  if (latest && latest.status !== 'REJECTED') throw new KycPendingError(latest.status);
  const { keyId, sealed } = keyring.encrypt(submission.documentNumber, profileId);
  const result = await client.query<KycRow>(
    `INSERT INTO kyc_verification (profile_id, document_type, document_number_encrypted, document_country, encryption_key_id)
     VALUES ($1, $2, $3, $4, $5)
     RETURNING id, status, document_type, document_country, submitted_at, reviewed_at`,
    [profileId, submission.documentType, sealed, submission.documentCountry, keyId],
  );
  return toStatus(result.rows[0]!);
}
