/**
 * Four-eyes requests over real HTTP on real PostgreSQL: who may request, list and decide; what a decision
 * writes (the request, its command, the audit trail) and what it refuses (self-approval, a decided or expired
 * request). The ledger side (the approved command committing on devnet) is in tokenomics.int.spec.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, startTestApi, type TestApi } from '../../../test/support/api-server.js';

let api: TestApi;
let requester: Session;
let superAdmin: Session;
let secondSuperAdmin: Session;
let auditor: Session;
beforeAll(async () => {
  api = await startTestApi();
  [requester, superAdmin, secondSuperAdmin, auditor] = [
    await api.staff('admin'),
    await api.admin(),
    await api.staff('super_admin'),
    await api.staff('auditor'),
  ];
});
afterAll(() => api?.close());

const pause = { action: 'PAUSE_SYSTEM', payload: { reason: 'incident 42' } };
const create = (body: unknown, token = requester.accessToken) =>
  api.request('POST', '/api/v1/admin/approvals', { token, body });
const decide = (id: string, decision: 'approve' | 'reject', token: string, body?: unknown) =>
  api.request('POST', `/api/v1/admin/approvals/${id}/${decision}`, { token, body });

describe('POST /api/v1/admin/approvals', () => {
  it('records a PENDING request that expires in 24 hours by default, audited', async () => {
    const response = await create(pause);
    expect(response.status, response.text).toBe(201);
    expect(response.body).toMatchObject({
      action: 'PAUSE_SYSTEM',
      status: 'PENDING',
      requestedBy: requester.profileId,
    });
    const lifetime = Date.parse(response.body.expiresAt) - Date.parse(response.body.createdAt);
    expect(lifetime).toBe(24 * 3600 * 1000);
    const audit = await api.db.pool.query('SELECT actor_id FROM audit_log WHERE action = $1 AND target_id = $2', [
      'approval.request',
      response.body.approvalId,
    ]);
    expect(audit.rows).toEqual([{ actor_id: requester.profileId }]);
  });

  it.each([
    [{ action: 'MINT_EVERYTHING', payload: {} }, 'action'],
    [{ action: 'PAUSE_SYSTEM', payload: {} }, 'payload.reason'],
    [{ action: 'PAUSE_SYSTEM', payload: { reason: 'x', extra: 1 } }, 'payload.extra'],
    [{ action: 'APPOINT_ADMIN', payload: { profileId: 'not-a-uuid', role: 'admin' } }, 'payload.profileId'],
    [
      { action: 'APPOINT_ADMIN', payload: { profileId: '6f1c2a4e-8b8f-4d6e-9d3a-1c2b3d4e5f60', role: 'root' } },
      'payload.role',
    ],
    [{ action: 'ACTIVATE_TREASURY', payload: { countryCode: 'my' } }, 'payload.countryCode'],
    [
      { action: 'SET_PARAMETER', payload: { name: 'fees.P2P.GALACTIC', value: [{ minAmount: '0', bps: 5 }] } },
      'payload.name',
    ],
    [
      { action: 'SET_PARAMETER', payload: { name: 'fees.P2P.LOCAL', value: [{ minAmount: '0', bps: 1001 }] } },
      'payload.value.0.bps',
    ],
  ])('answers 400 naming the field for %j, and writes nothing', async (body, field) => {
    const before = await api.db.pool.query('SELECT count(*)::int AS n FROM approval_request');
    const response = await create(body);
    expect(response.status, response.text).toBe(400);
    expect(response.body.details.map((detail: { field: string }) => detail.field)).toContain(field);
    const after = await api.db.pool.query('SELECT count(*)::int AS n FROM approval_request');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('refuses the activation of an unknown country (404): only bootstrapped countries have treasuries', async () => {
    const response = await create({ action: 'ACTIVATE_TREASURY', payload: { countryCode: 'MY' } });
    expect(response.status, response.text).toBe(404);
  });

  it('refuses an appointment of oneself (403) and of an unknown profile (404)', async () => {
    const self = await create({ action: 'APPOINT_ADMIN', payload: { profileId: requester.profileId, role: 'admin' } });
    expect(self.status, self.text).toBe(403);
    const unknown = await create({
      action: 'APPOINT_ADMIN',
      payload: { profileId: '6f1c2a4e-8b8f-4d6e-9d3a-1c2b3d4e5f60', role: 'admin' },
    });
    expect(unknown.status, unknown.text).toBe(404);
  });
});

describe('deciding', () => {
  it('approve: the request becomes APPROVED and its command is enqueued in the same transaction; 202 {commandId}', async () => {
    const request = (await create(pause)).body;
    const response = await decide(request.approvalId, 'approve', superAdmin.accessToken);
    expect(response.status, response.text).toBe(202);
    expect(response.body.approval).toMatchObject({
      status: 'APPROVED',
      decidedBy: superAdmin.profileId,
      commandId: response.body.commandId,
    });
    const command = await api.db.pool.query(
      'SELECT command_type, payload, submitted_by FROM outbox_command WHERE id = $1',
      [response.body.commandId],
    );
    expect(command.rows[0]).toEqual({
      command_type: 'PAUSE_SYSTEM',
      payload: { reason: 'incident 42' },
      submitted_by: superAdmin.profileId,
    });
    const audit = await api.db.pool.query(
      'SELECT actor_id, details FROM audit_log WHERE action = $1 AND target_id = $2',
      ['approval.approve', request.approvalId],
    );
    expect(audit.rows).toEqual([
      { actor_id: superAdmin.profileId, details: { action: 'PAUSE_SYSTEM', commandId: response.body.commandId } },
    ]);
    // Decided once: a second approval or a rejection is a conflict, and no second command exists.
    expect((await decide(request.approvalId, 'approve', secondSuperAdmin.accessToken)).status).toBe(409);
    expect((await decide(request.approvalId, 'reject', secondSuperAdmin.accessToken)).status).toBe(409);
  });

  it('APPOINT_ADMIN carries the appointee and the approving super admin to the command', async () => {
    const appointee = await api.registerUser();
    const request = (
      await create({ action: 'APPOINT_ADMIN', payload: { profileId: appointee.profileId, role: 'admin' } })
    ).body;
    const response = await decide(request.approvalId, 'approve', superAdmin.accessToken);
    expect(response.status, response.text).toBe(202);
    const command = await api.db.pool.query('SELECT payload FROM outbox_command WHERE id = $1', [
      response.body.commandId,
    ]);
    expect(command.rows[0].payload).toEqual({
      profileId: appointee.profileId,
      role: 'admin',
      appointedBy: superAdmin.profileId,
    });
  });

  it('REVOKE_ADMIN: only of a staff account; the approving super admin is the revoker; nobody approves their own', async () => {
    const user = await api.registerUser();
    const notStaff = await create({ action: 'REVOKE_ADMIN', payload: { profileId: user.profileId } });
    expect(notStaff.status, notStaff.text).toBe(409);
    const target = await api.staff('admin');
    const request = (await create({ action: 'REVOKE_ADMIN', payload: { profileId: target.profileId } })).body;
    const response = await decide(request.approvalId, 'approve', superAdmin.accessToken);
    expect(response.status, response.text).toBe(202);
    const command = await api.db.pool.query('SELECT command_type, payload FROM outbox_command WHERE id = $1', [
      response.body.commandId,
    ]);
    expect(command.rows[0]).toEqual({
      command_type: 'REVOKE_ADMIN',
      payload: { profileId: target.profileId, revokedBy: superAdmin.profileId },
    });
    // A super admin cannot approve the revocation of their own rights (nor an appointment of themselves).
    const own = (await create({ action: 'REVOKE_ADMIN', payload: { profileId: secondSuperAdmin.profileId } })).body;
    expect((await decide(own.approvalId, 'approve', secondSuperAdmin.accessToken)).status).toBe(403);
    const still = await api.db.pool.query('SELECT status FROM approval_request WHERE id = $1', [own.approvalId]);
    expect(still.rows[0].status).toBe('PENDING');
  });

  it('self-approval and self-rejection are 403, by an admin 403, by an auditor 403; nothing changes', async () => {
    const own = (await create(pause, superAdmin.accessToken)).body;
    expect((await decide(own.approvalId, 'approve', superAdmin.accessToken)).status).toBe(403);
    expect((await decide(own.approvalId, 'reject', superAdmin.accessToken)).status).toBe(403);
    const other = (await create(pause)).body;
    expect((await decide(other.approvalId, 'approve', requester.accessToken)).status).toBe(403);
    expect((await decide(other.approvalId, 'approve', auditor.accessToken)).status).toBe(403);
    const rows = await api.db.pool.query(
      'SELECT status, command_id FROM approval_request WHERE id = ANY($1::uuid[]) ORDER BY created_at',
      [[own.approvalId, other.approvalId]],
    );
    expect(rows.rows).toEqual([
      { status: 'PENDING', command_id: null },
      { status: 'PENDING', command_id: null },
    ]);
  });

  it('an expired request reads EXPIRED and cannot be decided (409)', async () => {
    const request = (await create(pause)).body;
    await api.db.pool.query("UPDATE approval_request SET expires_at = now() - interval '1 second' WHERE id = $1", [
      request.approvalId,
    ]);
    const approve = await decide(request.approvalId, 'approve', superAdmin.accessToken);
    expect(approve.status, approve.text).toBe(409);
    expect(approve.body.message).toContain('EXPIRED');
    expect((await decide(request.approvalId, 'reject', superAdmin.accessToken)).status).toBe(409);
    const list = await api.request('GET', '/api/v1/admin/approvals?status=EXPIRED', { token: auditor.accessToken });
    expect(list.body.items.map((item: { approvalId: string }) => item.approvalId)).toContain(request.approvalId);
    const commands = await api.db.pool.query(
      "SELECT count(*)::int AS n FROM outbox_command WHERE submitted_by = $1 AND command_type = 'PAUSE_SYSTEM' AND created_at > $2",
      [superAdmin.profileId, request.createdAt],
    );
    expect(commands.rows[0].n).toBe(0);
  });

  it('reject: 200 REJECTED with the reason, audited; unknown id 404', async () => {
    const request = (await create(pause)).body;
    const response = await decide(request.approvalId, 'reject', superAdmin.accessToken, { reason: 'not needed' });
    expect(response.status, response.text).toBe(200);
    expect(response.body).toMatchObject({ status: 'REJECTED', decisionReason: 'not needed', commandId: null });
    const audit = await api.db.pool.query(
      'SELECT count(*)::int AS n FROM audit_log WHERE action = $1 AND target_id = $2',
      ['approval.reject', request.approvalId],
    );
    expect(audit.rows[0].n).toBe(1);
    const unknown = await decide('6f1c2a4e-8b8f-4d6e-9d3a-1c2b3d4e5f60', 'reject', superAdmin.accessToken);
    expect(unknown.status).toBe(404);
  });
});

describe('GET /api/v1/admin/approvals', () => {
  it('lists newest first by status, page by page, for auditors too; a forged cursor is 400', async () => {
    const created = [];
    for (let i = 0; i < 3; i += 1) created.push((await create(pause)).body.approvalId);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/api/v1/admin/approvals?status=PENDING&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await api.request('GET', query, { token: auditor.accessToken });
      expect(page.status, page.text).toBe(200);
      expect(page.body.items.every((item: { status: string }) => item.status === 'PENDING')).toBe(true);
      seen.push(...page.body.items.map((item: { approvalId: string }) => item.approvalId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.slice(0, 3)).toEqual(created.reverse());
    const forged = Buffer.from(JSON.stringify(['yesterday', 'x'])).toString('base64url');
    const bad = await api.request('GET', `/api/v1/admin/approvals?cursor=${forged}`, { token: auditor.accessToken });
    expect(bad.status, bad.text).toBe(400);
    expect(
      (await api.request('GET', '/api/v1/admin/approvals?status=DONE', { token: auditor.accessToken })).status,
    ).toBe(400);
  });
});
