/**
 * The KYC chapter of `gx demo`, through the public HTTP API only: the user uploads ID documents (a small PNG
 * and PDF made on the spot), an admin finds the submission in the review queue and approves it. The user can
 * then be approved for on-chain registration (approval requires KYC_APPROVED). The benchmark's seeding uses it
 * too, so every path that approves users goes through KYC as a client would.
 */
import type { ApiClient } from './api-client.js';
import { samplePdf, samplePng } from './sample-documents.js';

interface Submission {
  kycId: string;
  profileId: string;
  status: string;
  files: Array<{ fileId: string; kind: string; contentType: string; sizeBytes: number; sha256: string }>;
}

/** Uploads `account`'s documents as the user, then approves them as `admin`. */
export async function passKyc(
  admin: ApiClient,
  account: { email: string; profileId: string; client: ApiClient },
  log: (line: string) => void = () => {},
): Promise<void> {
  const form = new FormData();
  form.append('documentType', 'NATIONAL_ID');
  form.append('documentNumber', `ID${account.profileId.slice(0, 8).toUpperCase()}`);
  form.append('documentCountry', 'MY');
  const label = `${account.email} ID`;
  form.append('idFront', new Blob([samplePng(`${label} front`)], { type: 'image/png' }), 'id-front.png');
  form.append('idBack', new Blob([samplePdf(`${label} back`)], { type: 'application/pdf' }), 'id-back.pdf');
  const submitted = await account.client.post<Submission>(`/api/v1/users/${account.profileId}/kyc`, form);
  for (const file of submitted.files) {
    log(`  KYC upload ${file.kind}: ${file.contentType}, ${file.sizeBytes} bytes, sha256 ${file.sha256.slice(0, 16)}…`);
  }
  const queue = await admin.get<{ items: Submission[] }>('/api/v1/admin/kyc?status=SUBMITTED&limit=100');
  const inQueue = queue.items.some((item) => item.kycId === submitted.kycId);
  log(`  admin review queue: ${queue.items.length} submission(s)${inQueue ? `, ${account.email}'s among them` : ''}`);
  const reviewed = await admin.post<Submission>(`/api/v1/admin/kyc/${account.profileId}/approve`);
  log(`  admin approved the KYC of ${account.email}: ${reviewed.status}`);
}
