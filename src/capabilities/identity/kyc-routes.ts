/**
 * KYC over HTTP: the user's submission (v1 JSON, or v2 multipart with document files), its status, and the
 * admin review (queue, file reads, approve, reject). Admin reads of personal data are audited in the same
 * transaction as the read (db/audit.ts).
 */
import { randomUUID } from 'node:crypto';
import multipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type AuditEntry, auditedRead, recordAudit } from '../../db/audit.js';
import { inTransaction } from '../../db/pool.js';
import { assertSelf, assertSelfOr } from '../../http/auth.js';
import { HttpError, httpErrors } from '../../http/errors.js';
import { errorResponses, pageQuery, profileIdParams } from '../../http/schemas.js';
import { issuesToDetails, type ZodTypeProvider } from '../../http/zod-schemas.js';
import type { CapabilityContext } from '../index.js';
import { TransitionRefusedError } from './account-status.js';
import {
  findKycFile,
  KycNotUnderReviewError,
  KycPendingError,
  type KycSubmission,
  latestKyc,
  listKyc,
  reviewKyc,
  submitKyc,
} from './kyc.js';
import {
  isKycFileField,
  KYC_FILE_MAX_BYTES,
  type KycFileField,
  KycFileRefusedError,
  kycContentTypes,
  kycFileFields,
  openKycFile,
  type SealedKycFile,
  sealKycFile,
} from './kyc-files.js';
import type { KycKeyring } from './kyc-keyring.js';
import { type KycDocumentStore, postgresKycStore } from './kyc-store.js';

const countryCode = z
  .string()
  .regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166-1 alpha-2 code')
  .transform((value) => value.toUpperCase());
const kycBody = z.strictObject({
  documentType: z.enum(['PASSPORT', 'NATIONAL_ID', 'DRIVING_LICENSE', 'RESIDENCE_PERMIT']),
  documentNumber: z.string().trim().min(3).max(64),
  documentCountry: countryCode,
});

const kycFile = z.object({
  fileId: z.uuid(),
  kind: z.enum(['ID_FRONT', 'ID_BACK', 'PASSPORT', 'PROOF_OF_ADDRESS']),
  contentType: z.enum(kycContentTypes),
  sizeBytes: z.number().int(),
  sha256: z.string(),
});
const kycStatus = z.object({
  kycId: z.uuid(),
  profileId: z.uuid(),
  status: z.enum(['SUBMITTED', 'APPROVED', 'REJECTED']),
  documentType: z.string(),
  documentCountry: z.string(),
  submittedAt: z.date(),
  reviewedAt: z.date().nullable(),
  rejectionReason: z.string().nullable(),
  files: z.array(kycFile),
});
const fileParams = z.strictObject({ profileId: z.uuid(), fileId: z.uuid() });

/** Multipart limits: the file fields, the three text fields, and nothing else. */
const MULTIPART_LIMITS = {
  fileSize: KYC_FILE_MAX_BYTES,
  files: Object.keys(kycFileFields).length,
  fields: 3,
  fieldSize: 256,
  parts: Object.keys(kycFileFields).length + 3,
};

function adminEntry(request: FastifyRequest, action: string, targetId: string, details?: Record<string, unknown>) {
  return {
    actorId: request.user.sub,
    actorRole: request.user.role,
    action,
    targetType: 'user_profile',
    targetId,
    requestId: request.id,
    ...(details ? { details } : {}),
  } satisfies AuditEntry;
}

/** Maps the slice's refusals to HTTP answers (409 names the current status). */
function mapKycError(error: unknown): never {
  if (error instanceof KycPendingError) throw httpErrors.conflict(error.message, 'KycAlreadySubmitted');
  if (error instanceof KycNotUnderReviewError) throw httpErrors.conflict(error.message, 'InvalidKycState');
  if (error instanceof TransitionRefusedError) throw httpErrors.conflict(error.message, 'InvalidProfileState');
  throw error;
}

/**
 * Reads a multipart submission: each file is sealed as it streams in (its type checked from the bytes, at
 * most {@link KYC_FILE_MAX_BYTES}); the fields are checked once all parts are read. Nothing is stored here.
 */
async function readUpload(
  request: FastifyRequest,
  keyring: KycKeyring,
  profileId: string,
): Promise<{ submission: KycSubmission; files: SealedKycFile[] }> {
  const fields: Record<string, string> = {};
  const files = new Map<KycFileField, SealedKycFile>();
  // The file being read, named by a refusal raised while it streams.
  let reading: string | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        fields[part.fieldname] = String(part.value);
        continue;
      }
      const file: MultipartFile = part;
      const field = file.fieldname;
      reading = field;
      if (!isKycFileField(field) || files.has(field)) {
        file.file.resume();
        throw httpErrors.invalidInput([
          { field, message: isKycFileField(field) ? 'is given twice' : 'unknown file field' },
        ]);
      }
      const sealed = await sealKycFile(field, file.file, keyring, profileId, randomUUID());
      // Past the limit the parser ends the stream early (truncated) and raises its error only at the next part.
      if (file.file.truncated) throw Object.assign(new Error('file too large'), { code: 'FST_REQ_FILE_TOO_LARGE' });
      files.set(field, sealed);
      reading = undefined;
    }
  } catch (error) {
    if (error instanceof KycFileRefusedError) {
      throw httpErrors.invalidInput([{ field: error.field, message: error.message }]);
    }
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
      const field = reading ?? '(body)';
      throw new HttpError(413, 'PayloadTooLarge', `${field} is larger than ${KYC_FILE_MAX_BYTES} bytes`, {
        details: [{ field, message: `must be at most ${KYC_FILE_MAX_BYTES} bytes` }],
      });
    }
    // The parser's own refusals (limits) carry their 4xx; anything else it raises (a body cut short, a broken
    // boundary) is the client's malformed body, not a server fault.
    if (error instanceof HttpError || typeof (error as { statusCode?: unknown }).statusCode === 'number') throw error;
    request.log.warn({ err: error }, 'malformed multipart KYC upload');
    throw httpErrors.invalidInput([
      { field: reading ?? '(body)', message: `is not well-formed multipart/form-data (${(error as Error).message})` },
    ]);
  }
  const checked = kycBody.safeParse(fields);
  const problems = checked.success ? [] : issuesToDetails(checked.error.issues);
  for (const [field, { required }] of Object.entries(kycFileFields)) {
    if (required && !files.has(field as KycFileField)) problems.push({ field, message: 'is required' });
  }
  if (!checked.success || problems.length > 0) throw httpErrors.invalidInput(problems);
  return { submission: checked.data, files: [...files.values()] };
}

/** Stores the sealed files, then records the submission; a failure removes what was stored. */
async function storeSubmission(
  context: { pool: CapabilityContext['pool']; store: KycDocumentStore; keyring: KycKeyring },
  profileId: string,
  submission: KycSubmission,
  files: readonly SealedKycFile[],
) {
  const stored: string[] = [];
  try {
    for (const file of files) {
      await context.store.put(file.fileId, file.ciphertext);
      stored.push(file.fileId);
    }
    return await inTransaction(context.pool, (client) =>
      submitKyc(client, context.keyring, profileId, submission, files),
    );
  } catch (error) {
    await Promise.allSettled(stored.map((key) => context.store.remove(key)));
    throw error;
  }
}

export async function kycRoutes(root: FastifyInstance, options: CapabilityContext): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { pool } = options;
  const store = postgresKycStore(pool);
  await app.register(multipart, { limits: MULTIPART_LIMITS, throwFileSizeLimit: true });
  const keyringOr503 = () => {
    if (!options.kycKeyring) throw httpErrors.unavailable('KYC is not configured (GX_KYC_ENCRYPTION_KEYS)');
    return options.kycKeyring;
  };

  app.post(
    '/api/v1/users/:profileId/kyc',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['kyc'],
        summary:
          'Submit KYC (owner only): JSON {documentType, documentNumber, documentCountry}, or multipart/form-data ' +
          'with those fields and the files idFront, idBack, passport (optional), proofOfAddress (optional): ' +
          'JPEG, PNG or PDF (checked from the bytes), at most 10 MB each; everything is encrypted at rest',
        params: profileIdParams,
        // Multipart bodies are read by the handler (request.parts()); a JSON body is checked here.
        body: kycBody.nullish(),
        response: { 201: kycStatus, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 503) },
      },
    },
    async (request, reply) => {
      const { profileId } = request.params;
      assertSelf(request, profileId);
      const keyring = keyringOr503();
      let status: Awaited<ReturnType<typeof submitKyc>>;
      if (request.isMultipart()) {
        const upload = await readUpload(request, keyring, profileId);
        status = await storeSubmission({ pool, store, keyring }, profileId, upload.submission, upload.files).catch(
          mapKycError,
        );
      } else {
        const body = request.body;
        if (body === undefined || body === null)
          throw httpErrors.invalidInput([{ field: '(body)', message: 'is required' }]);
        status = await inTransaction(pool, (client) => submitKyc(client, keyring, profileId, body)).catch(mapKycError);
      }
      return reply.code(201).send(status);
    },
  );

  app.get(
    '/api/v1/users/:profileId/kyc',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['kyc'],
        summary: 'The latest KYC submission (owner or admin); 404 when none',
        params: profileIdParams,
        response: { 200: kycStatus, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { profileId } = request.params;
      assertSelfOr(request, profileId, 'auditor');
      const status = await auditedRead(
        pool,
        (db) => latestKyc(db, profileId),
        request.user.sub === profileId ? undefined : (found) => found && adminEntry(request, 'kyc.read', profileId),
      );
      if (!status) throw httpErrors.notFound('KYC submission');
      return status;
    },
  );

  app.get(
    '/api/v1/admin/kyc',
    {
      config: { auth: 'auditor' },
      schema: {
        tags: ['kyc'],
        summary: 'KYC submissions, oldest first, by review status (the review queue: ?status=SUBMITTED)',
        querystring: z.strictObject({ status: z.enum(['SUBMITTED', 'APPROVED', 'REJECTED']).optional(), ...pageQuery }),
        response: {
          200: z.object({ items: z.array(kycStatus), nextCursor: z.string().nullable() }),
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) =>
      auditedRead(
        pool,
        (db) => listKyc(db, request.query),
        (page) => ({
          ...adminEntry(request, 'kyc.list', 'kyc_verification'),
          targetId: undefined,
          details: { profileIds: page.items.map((item) => item.profileId) },
        }),
      ),
  );

  app.get(
    '/api/v1/admin/kyc/:profileId/files/:fileId',
    {
      config: { auth: 'auditor' },
      schema: {
        tags: ['kyc'],
        summary: 'A KYC document file, decrypted, with its content type; every read is audited',
        params: fileParams,
        // The bytes as stored by the user; Fastify sends a Buffer as it is.
        response: {
          200: z.custom<Buffer>((value) => Buffer.isBuffer(value)),
          ...errorResponses(400, 401, 403, 404, 503),
        },
      },
    },
    async (request, reply) => {
      const { profileId, fileId } = request.params;
      const keyring = keyringOr503();
      const bytes = await inTransaction(pool, async (client) => {
        const file = await findKycFile(client, profileId, fileId);
        const ciphertext = file && (await store.get(file.storageKey));
        if (!file || !ciphertext) return undefined;
        const plaintext = openKycFile(keyring, { profileId, fileId, ...file, ciphertext });
        // The read and its audit entry commit together: no file is served without its entry.
        await recordAudit(client, adminEntry(request, 'kyc.file.read', profileId, { fileId, kind: file.kind }));
        return { plaintext, contentType: file.contentType };
      });
      if (!bytes) throw httpErrors.notFound('KYC file');
      return reply
        .type(bytes.contentType)
        .header('content-disposition', 'attachment')
        .header('cache-control', 'no-store')
        .send(bytes.plaintext);
    },
  );

  /** Records the decision on the submission under review with its audit entry, in one transaction. */
  const decide = async (
    request: FastifyRequest,
    profileId: string,
    decision: { approved: true } | { approved: false; reason: string },
  ) => {
    const action = decision.approved ? 'kyc.approve' : 'kyc.reject';
    const reviewed = await inTransaction(pool, async (client) => {
      const status = await reviewKyc(client, profileId, decision, {
        actorId: request.user.sub,
        actorRole: request.user.role,
        requestId: request.id,
      });
      if (status) await recordAudit(client, adminEntry(request, action, profileId, { kycId: status.kycId }));
      return status;
    }).catch(mapKycError);
    if (!reviewed) throw httpErrors.notFound('Profile');
    return reviewed;
  };

  app.post(
    '/api/v1/admin/kyc/:profileId/approve',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['kyc'],
        summary: 'Approve the KYC submission under review: the profile becomes KYC_APPROVED',
        params: profileIdParams,
        body: z.strictObject({}).nullish(),
        response: { 200: kycStatus, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    (request) => decide(request, request.params.profileId, { approved: true }),
  );

  app.post(
    '/api/v1/admin/kyc/:profileId/reject',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['kyc'],
        summary: 'Reject the KYC submission under review: the profile becomes KYC_REJECTED and may resubmit',
        params: profileIdParams,
        body: z.strictObject({ reason: z.string().trim().min(1).max(500) }),
        response: { 200: kycStatus, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    (request) => decide(request, request.params.profileId, { approved: false, reason: request.body.reason }),
  );
}
