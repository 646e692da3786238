/**
 * KYC with documents over HTTP (embedded PostgreSQL): the multipart upload and its refusals, encryption at rest,
 * the admin review and file reads, and the profile status machine's API-driven arrows and refusals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, startTestApi, type TestApi } from '../../../test/support/api-server.js';
import { samplePdf, samplePng } from '../../dev/sample-documents.js';
import { KYC_FILE_MAX_BYTES } from './kyc-files.js';

let api: TestApi;
let admin: Session;
beforeAll(async () => {
  api = await startTestApi();
  admin = await api.admin();
});
afterAll(() => api?.close());

interface Upload {
  fields?: Record<string, string>;
  files?: Record<string, { bytes: Buffer; name: string; type: string }>;
}

const FIELDS = { documentType: 'NATIONAL_ID', documentNumber: 'A1234567', documentCountry: 'my' };

/** Posts a multipart form as a browser would (the declared names and types are the client's to choose). */
async function upload(user: Session, form: Upload) {
  const body = new FormData();
  for (const [name, value] of Object.entries(form.fields ?? FIELDS)) body.append(name, value);
  for (const [name, file] of Object.entries(form.files ?? {})) {
    body.append(name, new Blob([file.bytes], { type: file.type }), file.name);
  }
  const response = await fetch(`${api.url}/api/v1/users/${user.profileId}/kyc`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.accessToken}` },
    body,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, text };
}

const png = (text: string) => ({ bytes: samplePng(text), name: 'front.png', type: 'image/png' });
const pdf = (text: string) => ({ bytes: samplePdf(text), name: 'back.pdf', type: 'application/pdf' });

async function stored(profileId: string) {
  const counts = await api.db.pool.query<{ submissions: number; files: number; blobs: number }>(
    `SELECT (SELECT count(*)::int FROM kyc_verification WHERE profile_id = $1) AS submissions,
            (SELECT count(*)::int FROM kyc_file WHERE profile_id = $1) AS files,
            (SELECT count(*)::int FROM kyc_blob) AS blobs`,
    [profileId],
  );
  return counts.rows[0]!;
}

async function accountStatus(profileId: string): Promise<string> {
  const row = await api.db.pool.query('SELECT account_status FROM user_profile WHERE profile_id = $1', [profileId]);
  return row.rows[0].account_status;
}

describe('POST /api/v1/users/:profileId/kyc (multipart)', () => {
  it('stores the files sealed, judged by their bytes, with their SHA-256; the admin reads them back, audited', async () => {
    const user = await api.registerUser();
    const secret = 'PASSPORT-SECRET-7731-QZX';
    const front = samplePng(secret);
    // A PNG named and declared as a PDF: the bytes decide.
    const answer = await upload(user, {
      files: {
        idFront: { bytes: front, name: 'front.pdf', type: 'application/pdf' },
        idBack: pdf('back side'),
      },
    });
    expect(answer.status, answer.text).toBe(201);
    expect(answer.body).toMatchObject({ status: 'SUBMITTED', documentType: 'NATIONAL_ID', documentCountry: 'MY' });
    const files = answer.body.files as Array<{ fileId: string; kind: string; contentType: string; sha256: string }>;
    expect(files.map((file) => [file.kind, file.contentType])).toEqual([
      ['ID_BACK', 'application/pdf'],
      ['ID_FRONT', 'image/png'],
    ]);
    const frontFile = files.find((file) => file.kind === 'ID_FRONT')!;
    const { createHash } = await import('node:crypto');
    expect(frontFile.sha256).toBe(createHash('sha256').update(front).digest('hex'));
    expect(await accountStatus(user.profileId)).toBe('KYC_SUBMITTED');

    // Without the key the database holds neither the file nor a known piece of it, nor the document number.
    const raw = await api.db.pool.query(
      `SELECT b.ciphertext, f.wrapped_data_key, f.sha256, k.document_number_encrypted
         FROM kyc_file f JOIN kyc_blob b ON b.storage_key = f.storage_key JOIN kyc_verification k ON k.id = f.kyc_id
        WHERE f.id = $1`,
      [frontFile.fileId],
    );
    const row = raw.rows[0];
    for (const column of Object.values(row) as Buffer[]) {
      expect(column.includes(front)).toBe(false);
      expect(column.includes(Buffer.from(secret))).toBe(false);
      expect(column.includes(Buffer.from('A1234567'))).toBe(false);
    }
    expect(row.ciphertext.includes(front.subarray(0, 16))).toBe(false);

    const read = await fetch(`${api.url}/api/v1/admin/kyc/${user.profileId}/files/${frontFile.fileId}`, {
      headers: { authorization: `Bearer ${admin.accessToken}`, 'x-request-id': 'read-front-1' },
    });
    expect(read.status).toBe(200);
    expect(read.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await read.arrayBuffer()).equals(front)).toBe(true);
    const audit = await api.db.pool.query(
      `SELECT actor_id, target_id, details FROM audit_log WHERE action = 'kyc.file.read' AND request_id = 'read-front-1'`,
    );
    expect(audit.rows).toEqual([
      { actor_id: admin.profileId, target_id: user.profileId, details: { fileId: frontFile.fileId, kind: 'ID_FRONT' } },
    ]);
    // Another profile's path does not open the file.
    const other = await api.registerUser();
    const wrongOwner = await api.request('GET', `/api/v1/admin/kyc/${other.profileId}/files/${frontFile.fileId}`, {
      token: admin.accessToken,
    });
    expect(wrongOwner.status).toBe(404);
  });

  it('takes the optional passport and proof of address', async () => {
    const user = await api.registerUser();
    const answer = await upload(user, {
      files: { idFront: png('f'), idBack: png('b'), passport: pdf('p'), proofOfAddress: pdf('a') },
    });
    expect(answer.status, answer.text).toBe(201);
    expect(answer.body.files).toHaveLength(4);
  });

  const refusals: Array<[string, Upload, number, string]> = [
    [
      'a file whose bytes are not JPEG, PNG or PDF (named and declared a PNG)',
      {
        files: {
          idFront: { bytes: Buffer.from('just some text, not an image'), name: 'x.png', type: 'image/png' },
          idBack: png('b'),
        },
      },
      400,
      'idFront',
    ],
    [
      'a zero-byte file',
      { files: { idFront: png('f'), idBack: { bytes: Buffer.alloc(0), name: 'b.png', type: 'image/png' } } },
      400,
      'idBack',
    ],
    [
      'a file of 10 MiB + 1 byte',
      {
        files: {
          idFront: {
            bytes: Buffer.concat([samplePng('big'), Buffer.alloc(KYC_FILE_MAX_BYTES + 1 - samplePng('big').length)]),
            name: 'big.png',
            type: 'image/png',
          },
          idBack: png('b'),
        },
      },
      413,
      'idFront',
    ],
    ['a missing required file', { files: { idFront: png('f') } }, 400, 'idBack'],
    ['an unknown file field', { files: { idFront: png('f'), idBack: png('b'), selfie: png('s') } }, 400, 'selfie'],
    [
      'a bad field',
      { fields: { ...FIELDS, documentCountry: 'Malaysia' }, files: { idFront: png('f'), idBack: png('b') } },
      400,
      'documentCountry',
    ],
  ];
  it.each(refusals)(
    'refuses %s with a clear 4xx naming the field, storing nothing',
    async (_name, form, status, field) => {
      const user = await api.registerUser();
      const before = await stored(user.profileId);
      const answer = await upload(user, form);
      expect(answer.status, answer.text).toBe(status);
      expect(
        answer.body.details?.map((detail: { field: string }) => detail.field),
        answer.text,
      ).toContain(field);
      expect(await stored(user.profileId)).toEqual(before);
      expect(await accountStatus(user.profileId)).toBe('REGISTERED');
    },
  );

  it('refuses a body that is neither multipart nor JSON (415), storing nothing', async () => {
    const user = await api.registerUser();
    const answer = await api.request('POST', `/api/v1/users/${user.profileId}/kyc`, {
      token: user.accessToken,
      rawBody: 'documentType=NATIONAL_ID',
      contentType: 'text/plain',
    });
    expect(answer.status).toBe(415);
    expect(await stored(user.profileId)).toMatchObject({ submissions: 0, files: 0 });
  });

  it('refuses a malformed multipart body (400), storing nothing', async () => {
    const user = await api.registerUser();
    for (const rawBody of [
      'not a multipart body at all',
      '--x\r\nContent-Disposition: form-data; name="idFront"; filename="a.png"\r\n\r\nabc',
    ]) {
      const answer = await api.request('POST', `/api/v1/users/${user.profileId}/kyc`, {
        token: user.accessToken,
        rawBody,
        contentType: 'multipart/form-data; boundary=x',
      });
      expect(answer.status, answer.text).toBe(400);
    }
    expect(await stored(user.profileId)).toMatchObject({ submissions: 0, files: 0 });
  });

  it('keeps the v1 JSON form', async () => {
    const user = await api.registerUser();
    const answer = await api.request('POST', `/api/v1/users/${user.profileId}/kyc`, {
      token: user.accessToken,
      body: { documentType: 'PASSPORT', documentNumber: 'X1234567', documentCountry: 'SG' },
    });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ status: 'SUBMITTED', files: [], rejectionReason: null });
    const missing = await api.request('POST', `/api/v1/users/${user.profileId}/kyc`, { token: user.accessToken });
    expect(missing.status).toBe(400);
  });
});

describe('review and the status machine', () => {
  const approveUser = (user: Session) =>
    api.request('POST', `/api/v1/admin/users/${user.profileId}/approve`, { token: admin.accessToken });
  const adminPost = (path: string, body?: unknown) => api.request('POST', path, { token: admin.accessToken, body });

  it('approval waits for KYC approval; a rejection lets the user resubmit; each refusal is a 409 naming the status', async () => {
    const user = await api.registerUser();
    const early = await approveUser(user);
    expect(early.status).toBe(409);
    expect(early.body.message).toContain('REGISTERED');
    // Nothing to review yet.
    const noReview = await adminPost(`/api/v1/admin/kyc/${user.profileId}/approve`);
    expect(noReview.status).toBe(409);
    expect(noReview.body.message).toContain('REGISTERED');

    expect((await upload(user, { files: { idFront: png('f'), idBack: png('b') } })).status).toBe(201);
    const underReview = await approveUser(user);
    expect(underReview.status).toBe(409);
    expect(underReview.body.message).toContain('KYC_SUBMITTED');
    const twice = await upload(user, { files: { idFront: png('f'), idBack: png('b') } });
    expect(twice.status).toBe(409);

    const queue = await api.request('GET', '/api/v1/admin/kyc?status=SUBMITTED&limit=100', {
      token: admin.accessToken,
    });
    expect(queue.status).toBe(200);
    expect(queue.body.items.map((item: { profileId: string }) => item.profileId)).toContain(user.profileId);

    const noReason = await adminPost(`/api/v1/admin/kyc/${user.profileId}/reject`, {});
    expect(noReason.status).toBe(400);
    expect(noReason.body.details[0].field).toBe('reason');
    const rejected = await adminPost(`/api/v1/admin/kyc/${user.profileId}/reject`, { reason: 'blurred photo' });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ status: 'REJECTED', rejectionReason: 'blurred photo' });
    expect(await accountStatus(user.profileId)).toBe('KYC_REJECTED');
    const afterRejection = await adminPost(`/api/v1/admin/kyc/${user.profileId}/approve`);
    expect(afterRejection.status).toBe(409);
    expect(afterRejection.body.message).toContain('KYC_REJECTED');

    expect((await upload(user, { files: { idFront: png('f2'), idBack: png('b2') } })).status).toBe(201);
    expect(await accountStatus(user.profileId)).toBe('KYC_SUBMITTED');
    expect((await adminPost(`/api/v1/admin/kyc/${user.profileId}/approve`)).status).toBe(200);
    expect(await accountStatus(user.profileId)).toBe('KYC_APPROVED');

    const approved = await approveUser(user);
    expect(approved.status, approved.text).toBe(202);
    expect(approved.body.user).toMatchObject({ accountStatus: 'PENDING_ONCHAIN', status: 'APPROVED' });

    const trail = await api.db.pool.query(
      `SELECT actor_id, details->>'from' AS "from", details->>'to' AS "to" FROM audit_log
        WHERE action = 'user.status' AND target_id = $1 ORDER BY id`,
      [user.profileId],
    );
    expect(trail.rows.map((row) => `${row.from}>${row.to}`)).toEqual([
      'REGISTERED>KYC_SUBMITTED',
      'KYC_SUBMITTED>KYC_REJECTED',
      'KYC_REJECTED>KYC_SUBMITTED',
      'KYC_SUBMITTED>KYC_APPROVED',
      'KYC_APPROVED>PENDING_ONCHAIN',
    ]);
    expect(trail.rows[1].actor_id).toBe(admin.profileId);
    expect(trail.rows[0].actor_id).toBe(user.profileId);
  });

  it('suspend (login and sessions refused), reinstate (the status before), close (final); refusals name the status', async () => {
    const user = await api.registerUser();
    await api.passKyc(user);
    const retry = await adminPost(`/api/v1/admin/users/${user.profileId}/retry-onchain`);
    expect(retry.status).toBe(409);
    expect(retry.body.message).toContain('KYC_APPROVED');

    const suspended = await adminPost(`/api/v1/admin/users/${user.profileId}/suspend`, { reason: 'fraud check' });
    expect(suspended.status).toBe(200);
    expect(suspended.body.accountStatus).toBe('SUSPENDED');
    const login = await api.request('POST', '/api/v1/auth/login', {
      body: { email: user.email, password: user.password },
    });
    expect(login.status).toBe(403);
    expect((await api.request('GET', '/api/v1/users/me', { token: user.accessToken })).status).toBe(403);
    const refresh = await api.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: user.refreshToken } });
    expect(refresh.status).toBe(401);
    const again = await adminPost(`/api/v1/admin/users/${user.profileId}/suspend`);
    expect(again.status).toBe(409);
    expect(again.body.message).toContain('SUSPENDED');

    const reinstated = await adminPost(`/api/v1/admin/users/${user.profileId}/reinstate`);
    expect(reinstated.status).toBe(200);
    expect(reinstated.body.accountStatus).toBe('KYC_APPROVED');
    const relogin = await api.request('POST', '/api/v1/auth/login', {
      body: { email: user.email, password: user.password },
    });
    expect(relogin.status).toBe(200);
    const notSuspended = await adminPost(`/api/v1/admin/users/${user.profileId}/reinstate`);
    expect(notSuspended.status).toBe(409);
    expect(notSuspended.body.message).toContain('KYC_APPROVED');

    const closed = await adminPost(`/api/v1/admin/users/${user.profileId}/close`, { reason: 'asked by the user' });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ accountStatus: 'CLOSED', email: user.email });
    for (const action of ['suspend', 'reinstate', 'close']) {
      const refused = await adminPost(`/api/v1/admin/users/${user.profileId}/${action}`);
      expect(refused.status).toBe(409);
      expect(refused.body.message).toContain('CLOSED');
    }
    const closedLogin = await api.request('POST', '/api/v1/auth/login', {
      body: { email: user.email, password: user.password },
    });
    expect(closedLogin.status).toBe(403);
    const closedList = await api.request('GET', '/api/v1/admin/users?accountStatus=CLOSED&limit=100', {
      token: admin.accessToken,
    });
    expect(closedList.body.items.map((profile: { profileId: string }) => profile.profileId)).toContain(user.profileId);
    expect(
      closedList.body.items.every((profile: { accountStatus: string }) => profile.accountStatus === 'CLOSED'),
    ).toBe(true);
    const badFilter = await api.request('GET', '/api/v1/admin/users?accountStatus=GONE', { token: admin.accessToken });
    expect(badFilter.status).toBe(400);
    expect(badFilter.body.details[0].field).toBe('accountStatus');
    expect((await approveUser(user)).status).toBe(409);

    const self = await adminPost(`/api/v1/admin/users/${admin.profileId}/suspend`);
    expect(self.status).toBe(409);
    const unknown = await adminPost('/api/v1/admin/users/00000000-0000-4000-8000-000000000000/close');
    expect(unknown.status).toBe(404);
  });

  it('GX_KYC_REQUIRED off lets an admin approve without KYC review', async () => {
    const devApi = await startTestApi({ kycRequired: false });
    try {
      const devAdmin = await devApi.admin();
      const user = await devApi.registerUser();
      const approved = await devApi.request('POST', `/api/v1/admin/users/${user.profileId}/approve`, {
        token: devAdmin.accessToken,
      });
      expect(approved.status).toBe(202);
      expect(approved.body.user.accountStatus).toBe('PENDING_ONCHAIN');
    } finally {
      await devApi.close();
    }
  });
});
