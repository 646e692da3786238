/**
 * KYC submissions and their review: the document number is sealed by the keyring before it reaches the
 * database; document files (kyc-files.ts) are sealed, their ciphertext in the document store and their
 * metadata here. Every decision moves the profile along the status machine (account-status.ts).
 */
import type pg from 'pg';
import { decodeCursor, keysetPage, type Page } from '../../db/cursor.js';
import { type TransitionActor, transitionAccount } from './account-status.js';
import type { KycContentType, KycFileKind, SealedKycFile } from './kyc-files.js';
import type { KycKeyring } from './kyc-keyring.js';

export interface KycSubmission {
  documentType: string;
  documentNumber: string;
  documentCountry: string;
}

export type KycReviewStatus = 'SUBMITTED' | 'APPROVED' | 'REJECTED';

/** A stored document file, as reviewers see it (never its bytes). */
export interface KycFileView {
  fileId: string;
  kind: KycFileKind;
  contentType: KycContentType;
  sizeBytes: number;
  /** SHA-256 of the plaintext, hex. */
  sha256: string;
}

export interface KycStatus {
  kycId: string;
  profileId: string;
  status: KycReviewStatus;
  documentType: string;
  documentCountry: string;
  submittedAt: Date;
  reviewedAt: Date | null;
  rejectionReason: string | null;
  files: KycFileView[];
}

interface KycRow {
  id: string;
  profile_id: string;
  status: KycReviewStatus;
  document_type: string;
  document_country: string;
  submitted_at: Date;
  reviewed_at: Date | null;
  rejection_reason: string | null;
}

const KYC_COLUMNS = `id, profile_id, status, document_type, document_country, submitted_at, reviewed_at, rejection_reason`;

type Queryable = pg.Pool | pg.ClientBase;

/** The rows with their files (one query for all). */
async function withFiles(db: Queryable, rows: readonly KycRow[]): Promise<KycStatus[]> {
  const files = await db.query<{
    id: string;
    kyc_id: string;
    kind: KycFileKind;
    content_type: KycContentType;
    size_bytes: number;
    sha256: Buffer;
  }>(
    `SELECT id, kyc_id, kind, content_type, size_bytes, sha256 FROM kyc_file
      WHERE kyc_id = ANY($1::uuid[]) ORDER BY kind`,
    [rows.map((row) => row.id)],
  );
  return rows.map((row) => ({
    kycId: row.id,
    profileId: row.profile_id,
    status: row.status,
    documentType: row.document_type,
    documentCountry: row.document_country,
    submittedAt: row.submitted_at,
    reviewedAt: row.reviewed_at,
    rejectionReason: row.rejection_reason,
    files: files.rows
      .filter((file) => file.kyc_id === row.id)
      .map((file) => ({
        fileId: file.id,
        kind: file.kind,
        contentType: file.content_type,
        sizeBytes: file.size_bytes,
        sha256: file.sha256.toString('hex'),
      })),
  }));
}

/** The latest KYC submission of a profile. */
export async function latestKyc(db: Queryable, profileId: string): Promise<KycStatus | undefined> {
  const result = await db.query<KycRow>(
    `SELECT ${KYC_COLUMNS} FROM kyc_verification
      WHERE profile_id = $1 ORDER BY submitted_at DESC, id DESC LIMIT 1`,
    [profileId],
  );
  return (await withFiles(db, result.rows))[0];
}

/** Submissions by review status, oldest first (the review queue); keyset-paginated on (submitted_at, id). */
export async function listKyc(
  db: Queryable,
  options: { status?: KycReviewStatus | undefined; cursor?: string | undefined; limit: number },
): Promise<Page<KycStatus>> {
  const after = decodeCursor(options.cursor, 2);
  const result = await db.query<KycRow & { submitted_at_text: string }>(
    `SELECT ${KYC_COLUMNS}, submitted_at::text AS submitted_at_text FROM kyc_verification
      WHERE ($1::text IS NULL OR status = $1)
        AND ($2::timestamptz IS NULL OR (submitted_at, id) > ($2::timestamptz, $3::uuid))
      ORDER BY submitted_at, id
      LIMIT $4`,
    [options.status ?? null, after?.[0] ?? null, after?.[1] ?? null, options.limit + 1],
  );
  const page = keysetPage(
    result.rows,
    options.limit,
    (row) => row,
    (row) => [row.submitted_at_text, row.id],
  );
  return { ...page, items: await withFiles(db, page.items) };
}

/** Raised when a submission is already under review or approved. */
export class KycPendingError extends Error {
  constructor(status: string) {
    super(`a KYC submission is already ${status.toLowerCase()}`);
    this.name = 'KycPendingError';
  }
}

/**
 * Stores a submission (sealed) and the metadata of its files (their ciphertext is already in the store), and
 * moves the profile to KYC_SUBMITTED. Refused while the latest one is SUBMITTED or APPROVED; REJECTED may
 * resubmit. Throws TransitionRefusedError when the profile's status allows no submission.
 */
export async function submitKyc(
  client: pg.ClientBase,
  keyring: KycKeyring,
  profileId: string,
  submission: KycSubmission,
  files: readonly Omit<SealedKycFile, 'ciphertext'>[] = [],
): Promise<KycStatus> {
  // Serialises concurrent submissions of one profile.
  await client.query('SELECT 1 FROM user_profile WHERE profile_id = $1 FOR UPDATE', [profileId]);
  const latest = await latestKyc(client, profileId);
  if (latest && latest.status !== 'REJECTED') throw new KycPendingError(latest.status);
  await transitionAccount(client, profileId, 'SUBMIT_KYC', { actorId: profileId, actorRole: 'user' }, null);
  const { keyId, sealed } = keyring.encrypt(submission.documentNumber, profileId);
  const result = await client.query<{ id: string }>(
    `INSERT INTO kyc_verification (profile_id, document_type, document_number_encrypted, document_country, encryption_key_id)
     VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [profileId, submission.documentType, sealed, submission.documentCountry, keyId],
  );
  const kycId = result.rows[0]!.id;
  for (const file of files) {
    await client.query(
      `INSERT INTO kyc_file (id, kyc_id, profile_id, kind, content_type, size_bytes, sha256, storage_key,
         wrapped_data_key, encryption_key_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $10, $8, $9)`,
      [
        file.fileId,
        kycId,
        profileId,
        file.kind,
        file.contentType,
        file.sizeBytes,
        file.sha256,
        file.wrappedDataKey,
        file.encryptionKeyId,
        // The store's key is the file id (kyc-routes.ts stores each file under it).
        file.fileId,
      ],
    );
  }
  return (await latestKyc(client, profileId))!;
}

/** Raised when there is no submission awaiting review. */
export class KycNotUnderReviewError extends Error {
  constructor(status: string | undefined) {
    super(status ? `the latest KYC submission is ${status}, not SUBMITTED` : 'the profile has no KYC submission');
    this.name = 'KycNotUnderReviewError';
  }
}

/**
 * Records a reviewer's decision on the latest submission and moves the profile to KYC_APPROVED or
 * KYC_REJECTED (audited by the status machine), in the caller's transaction. A rejected user may resubmit.
 */
export async function reviewKyc(
  client: pg.ClientBase,
  profileId: string,
  decision: { approved: true } | { approved: false; reason: string },
  actor: TransitionActor,
): Promise<KycStatus | undefined> {
  const moved = await transitionAccount(
    client,
    profileId,
    decision.approved ? 'APPROVE_KYC' : 'REJECT_KYC',
    actor,
    decision.approved ? null : decision.reason,
  );
  if (!moved) return undefined;
  const latest = await latestKyc(client, profileId);
  if (latest?.status !== 'SUBMITTED') throw new KycNotUnderReviewError(latest?.status);
  await client.query(
    `UPDATE kyc_verification SET status = $2, reviewed_at = now(), reviewed_by = $3, rejection_reason = $4
      WHERE id = $1`,
    [
      latest.kycId,
      decision.approved ? 'APPROVED' : 'REJECTED',
      actor.actorId,
      decision.approved ? null : decision.reason,
    ],
  );
  return latestKyc(client, profileId);
}

/** What the store and the ring need to open one file of a profile. */
export async function findKycFile(
  db: Queryable,
  profileId: string,
  fileId: string,
): Promise<
  | { storageKey: string; contentType: KycContentType; wrappedDataKey: Buffer; encryptionKeyId: string; kind: string }
  | undefined
> {
  const result = await db.query<{
    storage_key: string;
    content_type: KycContentType;
    wrapped_data_key: Buffer;
    encryption_key_id: string;
    kind: string;
  }>(
    `SELECT storage_key, content_type, wrapped_data_key, encryption_key_id, kind FROM kyc_file
      WHERE profile_id = $1 AND id = $2`,
    [profileId, fileId],
  );
  const row = result.rows[0];
  return (
    row && {
      storageKey: row.storage_key,
      contentType: row.content_type,
      wrappedDataKey: row.wrapped_data_key,
      encryptionKeyId: row.encryption_key_id,
      kind: row.kind,
    }
  );
}
