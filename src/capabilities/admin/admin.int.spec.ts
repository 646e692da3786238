import { checkFabricUserId, identityDigest } from '@gx/chaincode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, startTestApi, type TestApi } from '../../../test/support/api-server.js';
import { toLedgerCall } from '../../commands/catalogue.js';
import { ensureFirstAdmin } from '../identity/index.js';
import { DEFAULT_SYSTEM_PARAMS } from './default-system-params.js';

let api: TestApi;
let admin: Session;
beforeAll(async () => {
  api = await startTestApi();
  admin = await api.admin();
});
afterAll(() => api?.close());

async function auditEntries(action: string, targetId: string) {
  const result = await api.db.pool.query(
    'SELECT actor_id, actor_role, action, target_type, target_id, request_id, details, created_at FROM audit_log WHERE action = $1 AND target_id = $2',
    [action, targetId],
  );
  return result.rows;
}

describe('first admin', () => {
  it('is the first super admin and its token carries the role', async () => {
    const me = await api.request('GET', '/api/v1/users/me', { token: admin.accessToken });
    expect(me.status).toBe(200);
    expect(me.body.role).toBe('super_admin');
    const payload = JSON.parse(Buffer.from(admin.accessToken.split('.')[1]!, 'base64url').toString());
    expect(payload).toMatchObject({ sub: admin.profileId, role: 'super_admin' });
    expect(payload.exp - payload.iat).toBe(900);
  });

  it('an account of the configured email made admin by an earlier release becomes super admin at start', async () => {
    const email = `earlier-admin-${Date.now()}@gx.test`;
    await ensureFirstAdmin(api.db.pool, { email, password: 'an-earlier-admin-password' });
    await api.db.pool.query("UPDATE user_profile SET role = 'admin' WHERE lower(email) = lower($1)", [email]);
    expect(await ensureFirstAdmin(api.db.pool, { email, password: 'ignored-password' })).toBe('promoted');
    const row = await api.db.pool.query('SELECT role FROM user_profile WHERE lower(email) = lower($1)', [email]);
    expect(row.rows[0].role).toBe('super_admin');
    expect(await ensureFirstAdmin(api.db.pool, { email, password: 'ignored-password' })).toBe('exists');
  });
});

describe('the last super admin', () => {
  it('cannot be locked (409); another super admin can be while the first stays unlocked', async () => {
    const otherAdmin = await api.staff('admin');
    const lock = (profileId: string, token = otherAdmin.accessToken) =>
      api.request('POST', `/api/v1/admin/users/${profileId}/lock`, { token, body: { reason: 'test' } });
    // Every other super admin of this database is locked first, so the configured one is the last.
    await api.db.pool.query(
      "UPDATE user_profile SET is_locked = true WHERE role = 'super_admin' AND profile_id <> $1",
      [admin.profileId],
    );
    const refused = await lock(admin.profileId);
    expect(refused.status, refused.text).toBe(409);
    expect(refused.body.message).toContain('last unlocked super admin');
    const second = await api.staff('super_admin');
    expect((await lock(second.profileId)).status).toBe(200);
    expect((await lock(admin.profileId)).status).toBe(409);
    await api.request('POST', `/api/v1/admin/users/${second.profileId}/unlock`, { token: otherAdmin.accessToken });
    expect((await lock(second.profileId)).status).toBe(200);
  });
});

describe('POST /api/v1/admin/users/:id/approve', () => {
  it('enqueues CREATE_USER with a valid Fabric user id, marks the profile APPROVED/PENDING, and audits', async () => {
    const user = await api.registerUser({ dateOfBirth: '1985-12-01', gender: 'male', nationalityCountryCode: 'SG' });
    await api.passKyc(user);
    const response = await api.request('POST', `/api/v1/admin/users/${user.profileId}/approve`, {
      token: admin.accessToken,
      headers: { 'x-request-id': 'req-approve-1' },
    });
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ commandId: expect.any(String), status: 'PENDING' });
    expect(response.body.user).toMatchObject({ status: 'APPROVED', onchainStatus: 'PENDING', fabricUserId: null });
    const row = await api.db.pool.query(
      'SELECT command_type, payload, submitted_by, status FROM outbox_command WHERE id = $1',
      [response.body.commandId],
    );
    expect(row.rows[0]).toMatchObject({
      command_type: 'CREATE_USER',
      submitted_by: admin.profileId,
      status: 'PENDING',
    });
    const payload = row.rows[0].payload;
    expect(payload.fabricUserId).toBe(response.body.fabricUserId);
    expect(() => toLedgerCall('CREATE_USER', 'r1', payload)).not.toThrow();
    const facts = { email: user.email, dateOfBirth: '1985-12-01', countryCode: 'SG' };
    expect(payload.identityDigest).toBe(identityDigest(facts));
    expect(
      checkFabricUserId(payload.fabricUserId, {
        identityDigest: identityDigest(facts),
        countryCode: 'SG',
        dateOfBirth: '1985-12-01',
        gender: 'male',
        accountType: 0,
      }),
    ).toEqual([]);
    const audit = await auditEntries('user.approve', user.profileId);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor_id: admin.profileId,
      actor_role: 'super_admin',
      target_type: 'user_profile',
      request_id: 'req-approve-1',
    });
    expect(audit[0].details.commandId).toBe(response.body.commandId);
  });

  it('answers 409 when the profile is not REGISTERED and 404 when unknown', async () => {
    const user = await api.registerUser();
    await api.passKyc(user);
    const url = `/api/v1/admin/users/${user.profileId}/approve`;
    expect((await api.request('POST', url, { token: admin.accessToken })).status).toBe(202);
    const again = await api.request('POST', url, { token: admin.accessToken });
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('InvalidProfileState');
    const unknown = await api.request('POST', '/api/v1/admin/users/00000000-0000-4000-8000-000000000000/approve', {
      token: admin.accessToken,
    });
    expect(unknown.status).toBe(404);
    const badType = await api.request('POST', url, { token: admin.accessToken, body: { accountType: 99 } });
    expect(badType.status).toBe(400);
  });

  it('Idempotency-Key: the same key replays the first answer without a second command', async () => {
    const user = await api.registerUser();
    await api.passKyc(user);
    const url = `/api/v1/admin/users/${user.profileId}/approve`;
    const headers = { 'idempotency-key': `approve-${user.profileId}` };
    const first = await api.request('POST', url, { token: admin.accessToken, headers });
    const second = await api.request('POST', url, { token: admin.accessToken, headers });
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const count = await api.db.pool.query(
      "SELECT count(*)::int AS n FROM outbox_command WHERE command_type = 'CREATE_USER' AND payload->>'profileId' = $1",
      [user.profileId],
    );
    expect(count.rows[0].n).toBe(1);
  });
});

describe('deny, lock, unlock', () => {
  it('deny: 200 with DENIED and the reason; 400 without a reason; audited', async () => {
    const user = await api.registerUser();
    const url = `/api/v1/admin/users/${user.profileId}/deny`;
    expect((await api.request('POST', url, { token: admin.accessToken, body: {} })).status).toBe(400);
    const denied = await api.request('POST', url, {
      token: admin.accessToken,
      body: { reason: 'documents unreadable' },
    });
    expect(denied.status).toBe(200);
    expect(denied.body).toMatchObject({ status: 'DENIED', denialReason: 'documents unreadable' });
    expect((await api.request('POST', url, { token: admin.accessToken, body: { reason: 'again' } })).status).toBe(409);
    expect(await auditEntries('user.deny', user.profileId)).toHaveLength(1);
  });

  it('lock blocks login and transfers; unlock restores; on-chain users get UPDATE_USER_STATUS', async () => {
    const user = await api.registerUser();
    const fabricUserId = await api.putOnLedger(user);
    const lock = await api.request('POST', `/api/v1/admin/users/${user.profileId}/lock`, {
      token: admin.accessToken,
      body: { reason: 'suspicious activity', notes: 'ticket 42' },
    });
    expect(lock.status).toBe(200);
    expect(lock.body).toMatchObject({ isLocked: true, lockReason: 'suspicious activity' });
    const command = await api.db.pool.query('SELECT command_type, payload FROM outbox_command WHERE id = $1', [
      lock.body.commandId,
    ]);
    expect(command.rows[0]).toMatchObject({
      command_type: 'UPDATE_USER_STATUS',
      payload: { fabricUserId, status: 'LOCKED', reason: 'suspicious activity' },
    });
    const login = await api.request('POST', '/api/v1/auth/login', {
      body: { email: user.email, password: user.password },
    });
    expect(login.status).toBe(403);
    const transfer = await api.request('POST', '/api/v1/transfers', {
      token: user.accessToken,
      body: { toFabricUserId: 'MY A3F HBF934 0ABCD 1234', amount: '1' },
    });
    expect(transfer.status).toBe(403);
    expect(
      (
        await api.request('POST', `/api/v1/admin/users/${user.profileId}/lock`, {
          token: admin.accessToken,
          body: { reason: 'twice' },
        })
      ).status,
    ).toBe(409);
    const unlock = await api.request('POST', `/api/v1/admin/users/${user.profileId}/unlock`, {
      token: admin.accessToken,
    });
    expect(unlock.status).toBe(200);
    expect(unlock.body.isLocked).toBe(false);
    expect(
      (await api.request('POST', '/api/v1/auth/login', { body: { email: user.email, password: user.password } }))
        .status,
    ).toBe(200);
    expect(await auditEntries('user.lock', user.profileId)).toHaveLength(1);
    expect(await auditEntries('user.unlock', user.profileId)).toHaveLength(1);
  });

  it('lock without a reason is 400; off-chain users get no command', async () => {
    const user = await api.registerUser();
    const url = `/api/v1/admin/users/${user.profileId}/lock`;
    expect((await api.request('POST', url, { token: admin.accessToken, body: { notes: 'x' } })).status).toBe(400);
    const lock = await api.request('POST', url, { token: admin.accessToken, body: { reason: 'r' } });
    expect(lock.status).toBe(200);
    expect(lock.body.commandId).toBeNull();
  });
});

describe('POST /api/v1/admin/users/:id/genesis', () => {
  it('answers 409 before on-chain registration and 202 DISTRIBUTE_GENESIS after', async () => {
    const user = await api.registerUser();
    const url = `/api/v1/admin/users/${user.profileId}/genesis`;
    expect((await api.request('POST', url, { token: admin.accessToken })).status).toBe(409);
    const fabricUserId = await api.putOnLedger(user);
    const response = await api.request('POST', url, { token: admin.accessToken });
    expect(response.status).toBe(202);
    const row = await api.db.pool.query('SELECT command_type, payload FROM outbox_command WHERE id = $1', [
      response.body.commandId,
    ]);
    expect(row.rows[0]).toEqual({ command_type: 'DISTRIBUTE_GENESIS', payload: { fabricUserId } });
    expect(await auditEntries('user.genesis', user.profileId)).toHaveLength(1);
  });
});

describe('POST /api/v1/bootstrap', () => {
  const half = (code: string) => ({ code, populationShare: 0.5 });
  it.each([
    ['an unknown code', [half('MY'), half('QQ')], 'countries.1.code'],
    ['a reserved code', [half('MY'), half('XX')], 'countries.1.code'],
    ['a malformed code', [half('MY'), half('sg')], 'countries.1.code'],
    ['a duplicate code', [half('MY'), half('MY')], 'countries.1.code'],
    ['shares not summing to 1', [half('MY'), { code: 'SG', populationShare: 0.4 }], 'countries'],
    [
      'a share of 0',
      [
        { code: 'MY', populationShare: 1 },
        { code: 'SG', populationShare: 0 },
      ],
      'countries.1.populationShare',
    ],
  ])(
    'answers 400 naming the field for a country table with %s, and enqueues nothing',
    async (_name, countries, field) => {
      for (const body of [{ countries }, { params: { ...DEFAULT_SYSTEM_PARAMS, countries } }]) {
        const response = await api.request('POST', '/api/v1/bootstrap', { token: admin.accessToken, body });
        expect(response.status, response.text).toBe(400);
        const prefix = 'params' in body ? 'params.' : '';
        expect(response.body.details.map((detail: { field: string }) => detail.field)).toContain(`${prefix}${field}`);
      }
      const commands = await api.db.pool.query(
        "SELECT count(*)::int AS n FROM outbox_command WHERE command_type = 'BOOTSTRAP_SYSTEM'",
      );
      expect(commands.rows[0].n).toBe(0);
    },
  );

  it('enqueues BOOTSTRAP_SYSTEM once; a second bootstrap is refused with a clear error', async () => {
    const bad = await api.request('POST', '/api/v1/bootstrap', {
      token: admin.accessToken,
      body: { params: { tokenName: '' } },
    });
    expect(bad.status).toBe(400);
    const first = await api.request('POST', '/api/v1/bootstrap', { token: admin.accessToken });
    expect(first.status).toBe(202);
    const row = await api.db.pool.query('SELECT command_type, payload FROM outbox_command WHERE id = $1', [
      first.body.commandId,
    ]);
    expect(row.rows[0].command_type).toBe('BOOTSTRAP_SYSTEM');
    expect(() => toLedgerCall('BOOTSTRAP_SYSTEM', 'r', row.rows[0].payload)).not.toThrow();
    // Without a body: the default parameters, every sovereign state in the country table.
    expect(row.rows[0].payload.params).toEqual(DEFAULT_SYSTEM_PARAMS);
    const second = await api.request('POST', '/api/v1/bootstrap', { token: admin.accessToken });
    expect(second.status).toBe(409);
    expect(second.body.error).toBe('AlreadyBootstrapped');
    expect(await auditEntries('system.bootstrap', 'system')).toHaveLength(1);
  });
});

describe('GET /api/v1/admin/users', () => {
  it('lists by status with cursor pagination', async () => {
    for (let i = 0; i < 3; i += 1) await api.registerUser();
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = await api.request('GET', `/api/v1/admin/users?status=REGISTERED&limit=2${query}`, {
        token: admin.accessToken,
      });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      for (const item of page.body.items) {
        expect(item.status).toBe('REGISTERED');
        expect(seen.has(item.profileId)).toBe(false);
        seen.add(item.profileId);
      }
      cursor = page.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 50);
    const count = await api.db.pool.query("SELECT count(*)::int AS n FROM user_profile WHERE status = 'REGISTERED'");
    expect(seen.size).toBe(count.rows[0].n);
    expect(pages).toBeGreaterThan(1);
  });

  it('answers 400 for an unknown status, a bad cursor or an unknown parameter', async () => {
    for (const query of ['status=NOPE', 'cursor=garbage', 'limit=1000', 'sort=asc']) {
      const response = await api.request('GET', `/api/v1/admin/users?${query}`, { token: admin.accessToken });
      expect(response.status, query).toBe(400);
    }
  });
});

describe('dead letters', () => {
  async function failedCommand(retrying: boolean): Promise<string> {
    const row = await api.db.pool.query(
      `INSERT INTO outbox_command (command_type, request_id, payload, status, attempts, error, error_kind, next_attempt_at, submitted_by)
       VALUES ('DISTRIBUTE_GENESIS', gen_random_uuid()::text, '{"fabricUserId":"MY A3F HBF934 0ABCD 1234"}', 'FAILED', 8,
               'UNAVAILABLE: peer down', 'TRANSIENT', $1, 'someone') RETURNING id`,
      [retrying ? new Date() : null],
    );
    return row.rows[0].id;
  }

  it('lists FAILED commands with retrying flags', async () => {
    const dead = await failedCommand(false);
    const retrying = await failedCommand(true);
    const response = await api.request('GET', '/api/v1/admin/commands?status=FAILED', { token: admin.accessToken });
    expect(response.status).toBe(200);
    const byId = new Map(response.body.items.map((item: { commandId: string }) => [item.commandId, item]));
    expect(byId.get(dead)).toMatchObject({ status: 'FAILED', retrying: false, error: 'UNAVAILABLE: peer down' });
    expect(byId.get(retrying)).toMatchObject({ status: 'FAILED', retrying: true });
  });

  it('retry requeues a FAILED command; discard gives up on one; both audited; others 409/404', async () => {
    const retried = await failedCommand(false);
    const response = await api.request('POST', `/api/v1/admin/commands/${retried}/retry`, { token: admin.accessToken });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ commandId: retried, status: 'PENDING', attempts: 0, error: null });
    // Not FAILED any more: a second retry or a discard is a conflict.
    expect(
      (await api.request('POST', `/api/v1/admin/commands/${retried}/retry`, { token: admin.accessToken })).status,
    ).toBe(409);
    expect(
      (await api.request('POST', `/api/v1/admin/commands/${retried}/discard`, { token: admin.accessToken })).status,
    ).toBe(409);

    const discardedId = await failedCommand(true);
    const discarded = await api.request('POST', `/api/v1/admin/commands/${discardedId}/discard`, {
      token: admin.accessToken,
    });
    expect(discarded.status).toBe(200);
    expect(discarded.body).toMatchObject({ status: 'FAILED', retrying: false });
    expect(discarded.body.discardedAt).not.toBeNull();
    const row = await api.db.pool.query('SELECT discarded_by, next_attempt_at FROM outbox_command WHERE id = $1', [
      discardedId,
    ]);
    expect(row.rows[0]).toEqual({ discarded_by: admin.profileId, next_attempt_at: null });
    expect(await auditEntries('command.retry', retried)).toHaveLength(1);
    expect(await auditEntries('command.discard', discardedId)).toHaveLength(1);
    expect(
      (
        await api.request('POST', '/api/v1/admin/commands/00000000-0000-4000-8000-000000000000/retry', {
          token: admin.accessToken,
        })
      ).status,
    ).toBe(404);
  });
});

describe('PATCH /api/v1/users/:id by an admin', () => {
  it("changes another user's profile and audits it (an owner's own change is not audited)", async () => {
    const user = await api.registerUser();
    const response = await api.request('PATCH', `/api/v1/users/${user.profileId}`, {
      token: admin.accessToken,
      body: { lastName: 'Corrected' },
      headers: { 'x-request-id': 'req-patch-1' },
    });
    expect(response.status).toBe(200);
    expect(response.body.lastName).toBe('Corrected');
    const audit = await auditEntries('user.update', user.profileId);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor_id: admin.profileId,
      request_id: 'req-patch-1',
      details: { fields: ['lastName'] },
    });
    await api.request('PATCH', `/api/v1/users/${user.profileId}`, {
      token: user.accessToken,
      body: { lastName: 'Mine' },
    });
    expect(await auditEntries('user.update', user.profileId)).toHaveLength(1);
  });
});

describe('GET /api/v1/admin/system', () => {
  it('reports ledger, outbox, projector and database', async () => {
    await api.db.pool.query(
      `INSERT INTO projector_state (name, last_block, ledger_height, last_applied_at) VALUES ('main', 7, 10, now() - interval '5 seconds')`,
    );
    const response = await api.request('GET', '/api/v1/admin/system', { token: admin.accessToken });
    expect(response.status).toBe(200);
    expect(response.body.ledger).toMatchObject({ reachable: false, endorsable: false, latencyMs: null });
    expect(response.body.outbox).toEqual({
      pending: expect.any(Number),
      failed: expect.any(Number),
      oldestPendingAgeMs: expect.any(Number),
    });
    expect(response.body.projector.lastBlock).toBe(7);
    expect(response.body.projector.lagBlocks).toBe(2);
    expect(response.body.projector.lagMs).toBeGreaterThanOrEqual(5000);
    expect(response.body.database).toEqual({ migration: expect.any(Number), current: true });
  });
});
