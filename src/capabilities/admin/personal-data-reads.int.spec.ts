/**
 * An admin's read of someone's personal data (a profile, its KYC status, the list of profiles) is audited in
 * the same transaction as the read (issue 29): no such read exists without its audit entry, and an owner's
 * reads of their own data are not audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, startTestApi, type TestApi } from '../../../test/support/api-server.js';

let api: TestApi;
let admin: Session;
let user: Session;
beforeAll(async () => {
  api = await startTestApi();
  admin = await api.admin();
  user = await api.registerUser();
  const kyc = await api.request('POST', `/api/v1/users/${user.profileId}/kyc`, {
    token: user.accessToken,
    body: { documentType: 'PASSPORT', documentNumber: 'P7654321', documentCountry: 'MY' },
  });
  expect(kyc.status).toBe(201);
});
afterAll(() => api?.close());

async function audited(action: string) {
  const result = await api.db.pool.query(
    'SELECT actor_id, action, target_id, request_id, details FROM audit_log WHERE action = $1 ORDER BY id',
    [action],
  );
  return result.rows;
}

describe("admin reads of someone's personal data", () => {
  it('are each audited with the admin, the target and the request id', async () => {
    const headers = { 'x-request-id': 'read-profile-1' };
    expect(
      (await api.request('GET', `/api/v1/users/${user.profileId}`, { token: admin.accessToken, headers })).status,
    ).toBe(200);
    expect((await api.request('GET', `/api/v1/users/${user.profileId}/kyc`, { token: admin.accessToken })).status).toBe(
      200,
    );
    const list = await api.request('GET', '/api/v1/admin/users?status=REGISTERED', { token: admin.accessToken });
    expect(list.status).toBe(200);

    expect(await audited('user.read')).toEqual([
      {
        actor_id: admin.profileId,
        action: 'user.read',
        target_id: user.profileId,
        request_id: 'read-profile-1',
        details: null,
      },
    ]);
    expect(await audited('kyc.read')).toEqual([
      expect.objectContaining({ actor_id: admin.profileId, target_id: user.profileId }),
    ]);
    const [listed] = await audited('users.list');
    expect(listed?.details).toMatchObject({ profileIds: expect.arrayContaining([user.profileId]) });
  });

  it('are refused (5xx) rather than served unaudited when the audit entry cannot be written', async () => {
    await api.db.pool.query(
      `CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit down'; END $$`,
    );
    await api.db.pool.query(
      'CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_audit()',
    );
    try {
      const response = await api.request('GET', `/api/v1/users/${user.profileId}/kyc`, { token: admin.accessToken });
      expect(response.status).toBeGreaterThanOrEqual(500);
      expect(response.text).not.toContain('PASSPORT');
    } finally {
      await api.db.pool.query('DROP TRIGGER refuse_audit ON audit_log');
      await api.db.pool.query('DROP FUNCTION refuse_audit()');
    }
  });

  it('are not audited when the owner reads their own data', async () => {
    const before = (await api.db.pool.query('SELECT count(*)::int AS n FROM audit_log')).rows[0].n;
    expect((await api.request('GET', `/api/v1/users/${user.profileId}`, { token: user.accessToken })).status).toBe(200);
    expect((await api.request('GET', `/api/v1/users/${user.profileId}/kyc`, { token: user.accessToken })).status).toBe(
      200,
    );
    expect((await api.db.pool.query('SELECT count(*)::int AS n FROM audit_log')).rows[0].n).toBe(before);
  });
});
