/**
 * Every route of docs/api.md × anonymous / another user / the owner / an auditor / an admin / a super admin. A
 * cell expects either the exact
 * refusal (401 anonymous, 403 not allowed) or "allowed": any answer that is neither 401 nor 403 (nor 5xx),
 * since business outcomes (404 before registration, 409 after an earlier cell changed state) are not
 * authorization. For admin routes the "owner" is the user the action targets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, startTestApi, type TestApi } from '../../test/support/api-server.js';

type Role = 'anonymous' | 'other' | 'owner' | 'auditor' | 'admin' | 'superAdmin';
type Expectation = 400 | 401 | 403 | 404 | 'allowed';

interface Fixtures {
  owner: Session;
  other: Session;
  auditor: Session;
  admin: Session;
  superAdmin: Session;
  subject: Session;
  ownerCommandId: string;
  failedCommandId: string;
  /** A four-eyes request of the admin fixture, for a super admin to decide. */
  approvalId: string;
  /** A pending relationship someone asked the owner to confirm (the owner is its other party). */
  relationshipId: string;
  /** A verified organization the owner is a stakeholder of, with a pending payment the owner may approve. */
  orgId: string;
  paymentId: string;
}

interface RouteCase {
  method: string;
  path: (f: Fixtures) => string;
  body?: (f: Fixtures, role: Role) => unknown;
  /** For admin routes the owner is the subject of the action. */
  ownerIs?: 'owner' | 'subject';
  expect: Record<Role, Expectation>;
}

const anyone: Record<Role, Expectation> = {
  anonymous: 'allowed',
  other: 'allowed',
  owner: 'allowed',
  auditor: 'allowed',
  admin: 'allowed',
  superAdmin: 'allowed',
};
const signedIn: Record<Role, Expectation> = { ...anyone, anonymous: 401 };
/** Reads of one account: the owner and every staff role (auditors read everything). */
const selfOrStaff: Record<Role, Expectation> = { ...signedIn, other: 403 };
/** Changes to one account: the owner, admins and super admins; an auditor changes nothing. */
const selfOrAdmin: Record<Role, Expectation> = { ...selfOrStaff, auditor: 403 };
const selfOnly: Record<Role, Expectation> = { ...selfOrAdmin, admin: 403, superAdmin: 403 };
/** Admin views: auditors, admins and super admins. */
const staffRead: Record<Role, Expectation> = { ...signedIn, other: 403, owner: 403 };
/** Admin actions: admins and super admins. */
const adminOnly: Record<Role, Expectation> = { ...staffRead, auditor: 403 };
/** Four-eyes decisions. */
const superAdminOnly: Record<Role, Expectation> = { ...adminOnly, admin: 403 };
/** Another user's resource answers 404, as an unknown id does: its existence is not revealed. */
const selfOrStaffHidden: Record<Role, Expectation> = { ...selfOrStaff, other: 404 };
const routes: RouteCase[] = [
  {
    method: 'POST',
    path: () => '/api/v1/auth/register',
    body: () => ({
      fname: 'A',
      lname: 'B',
      email: `m${Math.random().toString(36).slice(2)}@gx.test`,
      phoneNum: '+60123456789',
      password: 'long enough password',
      nationalityCountryCode: 'MY',
      dateOfBirth: '1990-01-01',
      gender: 'other',
    }),
    expect: anyone,
  },
  {
    method: 'POST',
    path: () => '/api/v1/auth/login',
    body: (f) => ({ email: f.owner.email, password: f.owner.password }),
    expect: anyone,
  },
  {
    method: 'POST',
    path: () => '/api/v1/auth/refresh',
    // Whoever holds a refresh token may use it: the anonymous caller presents the subject's.
    body: (f, role) => ({ refreshToken: f[role === 'anonymous' ? 'subject' : role].refreshToken }),
    expect: anyone,
  },
  { method: 'GET', path: () => '/api/v1/users/me', expect: signedIn },
  { method: 'GET', path: (f) => `/api/v1/users/${f.owner.profileId}`, expect: selfOrStaff },
  {
    method: 'PATCH',
    path: (f) => `/api/v1/users/${f.owner.profileId}`,
    body: () => ({ lastName: 'Changed' }),
    expect: selfOrAdmin,
  },
  {
    method: 'POST',
    path: (f) => `/api/v1/users/${f.owner.profileId}/kyc`,
    body: () => ({ documentType: 'PASSPORT', documentNumber: 'X1234567', documentCountry: 'MY' }),
    expect: selfOnly,
  },
  { method: 'GET', path: (f) => `/api/v1/users/${f.owner.profileId}/kyc`, expect: selfOrStaff },
  { method: 'POST', path: () => '/api/v1/bootstrap', ownerIs: 'subject', expect: adminOnly },
  { method: 'GET', path: () => '/api/v1/admin/users?status=REGISTERED', ownerIs: 'subject', expect: staffRead },
  {
    method: 'POST',
    path: (f) => `/api/v1/admin/users/${f.subject.profileId}/approve`,
    ownerIs: 'subject',
    expect: adminOnly,
  },
  {
    method: 'POST',
    path: (f) => `/api/v1/admin/users/${f.subject.profileId}/deny`,
    body: () => ({ reason: 'no' }),
    ownerIs: 'subject',
    expect: adminOnly,
  },
  {
    method: 'POST',
    path: (f) => `/api/v1/admin/users/${f.subject.profileId}/lock`,
    body: () => ({ reason: 'test' }),
    ownerIs: 'subject',
    expect: adminOnly,
  },
  {
    method: 'POST',
    path: (f) => `/api/v1/admin/users/${f.subject.profileId}/unlock`,
    ownerIs: 'subject',
    expect: adminOnly,
  },
  {
    method: 'POST',
    path: (f) => `/api/v1/admin/users/${f.subject.profileId}/genesis`,
    ownerIs: 'subject',
    expect: adminOnly,
  },
  { method: 'GET', path: () => '/api/v1/admin/commands?status=FAILED', ownerIs: 'subject', expect: staffRead },
  {
    method: 'POST',
    path: (f) => `/api/v1/admin/commands/${f.failedCommandId}/retry`,
    ownerIs: 'subject',
    expect: adminOnly,
  },
  {
    method: 'POST',
    path: (f) => `/api/v1/admin/commands/${f.failedCommandId}/discard`,
    ownerIs: 'subject',
    expect: adminOnly,
  },
  { method: 'GET', path: () => '/api/v1/admin/system', ownerIs: 'subject', expect: staffRead },
  {
    method: 'POST',
    path: () => '/api/v1/admin/approvals',
    body: () => ({ action: 'RESUME_SYSTEM', payload: { reason: 'matrix' } }),
    ownerIs: 'subject',
    expect: adminOnly,
  },
  { method: 'GET', path: () => '/api/v1/admin/approvals?status=PENDING', ownerIs: 'subject', expect: staffRead },
  {
    method: 'POST',
    path: (f) => `/api/v1/admin/approvals/${f.approvalId}/approve`,
    ownerIs: 'subject',
    expect: superAdminOnly,
  },
  {
    method: 'POST',
    path: (f) => `/api/v1/admin/approvals/${f.approvalId}/reject`,
    ownerIs: 'subject',
    expect: superAdminOnly,
  },
  {
    method: 'POST',
    path: (f) => `/api/v1/admin/users/${f.subject.profileId}/freeze`,
    body: () => ({ reason: 'ADMIN_ACTION' }),
    ownerIs: 'subject',
    expect: adminOnly,
  },
  {
    method: 'POST',
    path: (f) => `/api/v1/admin/users/${f.subject.profileId}/unfreeze`,
    body: () => ({ reason: 'ADMIN_ACTION' }),
    ownerIs: 'subject',
    expect: adminOnly,
  },
  { method: 'GET', path: () => '/api/v1/supply', expect: anyone },
  { method: 'GET', path: () => '/api/v1/countries', expect: anyone },
  { method: 'GET', path: () => '/api/v1/countries/MY', expect: anyone },
  {
    method: 'GET',
    path: () => '/api/v1/fees/quote?toFabricUserId=SG%201B2%20CDE123%201WXYZ%209876&amount=5',
    // Staff hold no ledger account: a quote, like a transfer, needs one (403).
    expect: { ...signedIn, auditor: 403, admin: 403, superAdmin: 403 },
  },
  { method: 'GET', path: () => '/api/v1/wallets/me', expect: signedIn },
  {
    method: 'POST',
    path: () => '/api/v1/transfers',
    body: () => ({ toFabricUserId: 'SG 1B2 CDE123 1WXYZ 9876', amount: '1' }),
    // Staff hold no ledger account: their refusal is a business rule (403), like any unregistered user's.
    expect: { ...signedIn, auditor: 403, admin: 403, superAdmin: 403 },
  },
  { method: 'GET', path: () => '/api/v1/transactions', expect: signedIn },
  { method: 'GET', path: (f) => `/api/v1/commands/${f.ownerCommandId}`, expect: selfOrStaffHidden },
  { method: 'GET', path: (f) => `/api/v1/commands/${f.ownerCommandId}/events`, expect: selfOrStaffHidden },
  {
    method: 'POST',
    path: () => '/api/v1/relationships',
    body: () => ({ toFabricUserId: 'SG 1B2 CDE123 1WXYZ 9876', type: 'FRIEND' }),
    // Nobody registered has that id (400); staff hold no ledger account, so no relationships (403).
    expect: { ...signedIn, other: 400, owner: 400, auditor: 403, admin: 403, superAdmin: 403 },
  },
  ...(['confirm', 'reject', 'end'] as const).map(
    (action): RouteCase => ({
      method: 'POST',
      path: (f) => `/api/v1/relationships/${f.relationshipId}/${action}`,
      // Another user's relationship answers 404, as an unknown id does; staff hold no ledger account.
      expect: { ...signedIn, other: 404, auditor: 403, admin: 403, superAdmin: 403 },
    }),
  ),
  { method: 'GET', path: () => '/api/v1/relationships', expect: signedIn },
  { method: 'GET', path: () => '/api/v1/users/me/trust', expect: signedIn },
  // Organizations: staff hold no ledger account (403 on every action); to a user who is no stakeholder the
  // organization does not exist (404). Reads: stakeholders and staff.
  {
    method: 'POST',
    path: () => '/api/v1/organizations',
    body: () => ({
      name: 'Matrix Ltd',
      type: 'BUSINESS',
      countryCode: 'MY',
      stakeholders: ['SG 1B2 CDE123 1WXYZ 9876', 'MY A3F HBF934 0ABCD 1234'],
    }),
    // The caller is not among the stakeholders (400).
    expect: { ...signedIn, other: 400, owner: 400, auditor: 403, admin: 403, superAdmin: 403 },
  },
  {
    method: 'POST',
    path: (f) => `/api/v1/organizations/${f.orgId}/endorse`,
    // Verified already: a 409 for the owner, past authorization.
    expect: { ...signedIn, other: 404, auditor: 403, admin: 403, superAdmin: 403 },
  },
  {
    method: 'PUT',
    path: (f) => `/api/v1/organizations/${f.orgId}/rules`,
    body: () => [],
    expect: { ...signedIn, other: 404, auditor: 403, admin: 403, superAdmin: 403 },
  },
  {
    method: 'POST',
    path: (f) => `/api/v1/organizations/${f.orgId}/payments`,
    body: () => ({ toFabricUserId: 'SG 1B2 CDE123 1WXYZ 9876', amount: '1' }),
    // No wallet has that id (400 for the owner).
    expect: { ...signedIn, other: 404, owner: 400, auditor: 403, admin: 403, superAdmin: 403 },
  },
  ...(['approve', 'reject'] as const).map(
    (action): RouteCase => ({
      method: 'POST',
      path: (f) => `/api/v1/organizations/${f.orgId}/payments/${f.paymentId}/${action}`,
      expect: { ...signedIn, other: 404, auditor: 403, admin: 403, superAdmin: 403 },
    }),
  ),
  { method: 'GET', path: () => '/api/v1/organizations', expect: signedIn },
  { method: 'GET', path: (f) => `/api/v1/organizations/${f.orgId}`, expect: { ...signedIn, other: 404 } },
  {
    method: 'GET',
    path: (f) => `/api/v1/organizations/${f.orgId}/payments?status=PENDING`,
    expect: { ...signedIn, other: 404 },
  },
  {
    method: 'GET',
    path: (f) => `/api/v1/organizations/${f.orgId}/transactions`,
    expect: { ...signedIn, other: 404 },
  },
  {
    method: 'POST',
    path: () => '/api/v1/auth/password',
    // A wrong current password: the change is refused (400) after authorization, and no fixture changes.
    body: () => ({ currentPassword: 'not the password at all', newPassword: 'Quiet harbour lanterns 97!' }),
    expect: { ...signedIn, anonymous: 401, other: 400, owner: 400, auditor: 400, admin: 400, superAdmin: 400 },
  },
  // Identity v2 (issue 19). Last: suspending and closing the subject bar it for good.
  { method: 'GET', path: () => '/api/v1/admin/kyc?status=SUBMITTED', ownerIs: 'subject', expect: staffRead },
  {
    method: 'GET',
    path: (f) => `/api/v1/admin/kyc/${f.subject.profileId}/files/00000000-0000-4000-8000-000000000000`,
    ownerIs: 'subject',
    expect: staffRead,
  },
  {
    method: 'POST',
    path: (f) => `/api/v1/admin/kyc/${f.subject.profileId}/approve`,
    ownerIs: 'subject',
    expect: adminOnly,
  },
  {
    method: 'POST',
    path: (f) => `/api/v1/admin/kyc/${f.subject.profileId}/reject`,
    body: () => ({ reason: 'matrix' }),
    ownerIs: 'subject',
    expect: adminOnly,
  },
  {
    method: 'POST',
    path: (f) => `/api/v1/admin/users/${f.subject.profileId}/retry-onchain`,
    ownerIs: 'subject',
    expect: adminOnly,
  },
  {
    method: 'POST',
    path: (f) => `/api/v1/admin/users/${f.subject.profileId}/suspend`,
    ownerIs: 'subject',
    expect: adminOnly,
  },
  {
    method: 'POST',
    path: (f) => `/api/v1/admin/users/${f.subject.profileId}/reinstate`,
    ownerIs: 'subject',
    expect: adminOnly,
  },
  {
    method: 'POST',
    path: (f) => `/api/v1/admin/users/${f.subject.profileId}/close`,
    ownerIs: 'subject',
    expect: adminOnly,
  },
];

let api: TestApi;
let fixtures: Fixtures;

beforeAll(async () => {
  api = await startTestApi();
  const [owner, other, subject] = [await api.registerUser(), await api.registerUser(), await api.registerUser()];
  const [auditor, admin, superAdmin] = [await api.staff('auditor'), await api.staff('admin'), await api.admin()];
  const ownerId = await api.putOnLedger(owner);
  await api.putOnLedger(other);
  const relationshipId = 'a'.repeat(32);
  await api.db.pool.query(
    `INSERT INTO relationship (relationship_id, type, from_user_id, to_user_id, status, requested_at, changed_at,
                               last_block)
     VALUES ($1, 'FRIEND', 'SG 1B2 CDE123 1WXYZ 9876', $2, 'PENDING', now(), now(), 1)`,
    [relationshipId, ownerId],
  );
  const [orgId, paymentId, partner] = ['b'.repeat(32), 'c'.repeat(32), 'SG 1B2 CDE123 1WXYZ 9876'];
  const rule = { minAmount: '1', requiredApprovals: 2, approvers: [ownerId, partner] };
  await api.db.pool.query(
    `INSERT INTO organization (org_id, name, type, country_code, proposer, status, fabric_user_id, rules, created_at,
                               changed_at, last_block)
     VALUES ($1, 'Matrix Org', 'BUSINESS', 'MY', $2, 'VERIFIED', 'MY 111 AAA000 1ABCD 0001', $3, now(), now(), 1)`,
    [orgId, ownerId, JSON.stringify([rule])],
  );
  await api.db.pool.query(
    `INSERT INTO organization_stakeholder (org_id, fabric_user_id, endorsed_at, last_block)
     VALUES ($1, $2, now(), 1), ($1, $3, now(), 1)`,
    [orgId, ownerId, partner],
  );
  await api.db.pool.query(
    `INSERT INTO organization_payment (payment_id, org_id, from_account, to_user_id, amount, memo, initiator, rule,
                                       required_approvals, status, created_at, expires_at, changed_at, last_block)
     VALUES ($1, $2, 'MY 111 AAA000 1ABCD 0001', $3, 10, '', $3, $4, 2, 'PENDING', now(), now() + interval '3 days',
             now(), 1)`,
    [paymentId, orgId, partner, JSON.stringify(rule)],
  );
  await api.db.pool.query(
    `INSERT INTO organization_payment_approval (payment_id, approver, approved_at, last_block) VALUES ($1, $2, now(), 1)`,
    [paymentId, partner],
  );
  const transfer = await api.request('POST', '/api/v1/transfers', {
    token: owner.accessToken,
    body: { toFabricUserId: 'SG 1B2 CDE123 1WXYZ 9876', amount: '5' },
  });
  // Projected already, so the event stream ends at once for those allowed to open it.
  await api.db.pool.query(
    "UPDATE outbox_command SET status = 'COMMITTED', committed_at = now(), projected_at = now() WHERE id = $1",
    [transfer.body.commandId],
  );
  const failed = await api.db.pool.query(
    `INSERT INTO outbox_command (command_type, request_id, payload, status, error, next_attempt_at)
     VALUES ('DISTRIBUTE_GENESIS', gen_random_uuid()::text, '{"fabricUserId":"MY A3F HBF934 0ABCD 1234"}', 'FAILED', 'x', NULL)
     RETURNING id`,
  );
  const approval = await api.request('POST', '/api/v1/admin/approvals', {
    token: admin.accessToken,
    body: { action: 'PAUSE_SYSTEM', payload: { reason: 'matrix' } },
  });
  fixtures = {
    approvalId: approval.body.approvalId,
    owner,
    other,
    auditor,
    admin,
    superAdmin,
    subject,
    ownerCommandId: transfer.body.commandId,
    failedCommandId: failed.rows[0].id,
    relationshipId,
    orgId,
    paymentId,
  };
});
afterAll(() => api?.close());

const roles: Role[] = ['anonymous', 'other', 'owner', 'auditor', 'admin', 'superAdmin'];
const cells = routes.flatMap((route) => roles.map((role) => ({ route, role })));

describe('authorization matrix', () => {
  it.each(
    cells.map((cell) => [
      `${cell.route.method} ${cell.route.path.toString().split('=>')[1]?.trim()} as ${cell.role}`,
      cell,
    ]),
  )('%s', async (_name, { route, role }) => {
    const session =
      role === 'anonymous' ? undefined : role === 'owner' ? fixtures[route.ownerIs ?? 'owner'] : fixtures[role];
    const response = await api.request(route.method, route.path(fixtures), {
      token: session?.accessToken,
      body: route.body?.(fixtures, role),
    });
    const expected = route.expect[role];
    if (expected === 'allowed') {
      expect([401, 403], response.text).not.toContain(response.status);
      expect(response.status, response.text).toBeLessThan(500);
    } else {
      expect(response.status, response.text).toBe(expected);
    }
  });

  it('covers every route the API serves', () => {
    const served = api.app
      .printRoutes({ commonPrefix: false })
      .split('\n')
      .filter((line) => line.includes('/api/v1/'));
    expect(served.length).toBeGreaterThan(0);
    const covered = new Set(routes.map((route) => `${route.method} ${route.path(fixtures).split('?')[0]}`));
    // Every docs/api.md route pattern, with the fixture ids substituted.
    const expected = [
      'POST /api/v1/auth/register',
      'POST /api/v1/auth/login',
      'POST /api/v1/auth/refresh',
      'POST /api/v1/auth/logout',
      'POST /api/v1/auth/password',
      'GET /api/v1/users/me',
      'GET /api/v1/users/:profileId',
      'PATCH /api/v1/users/:profileId',
      'POST /api/v1/users/:profileId/kyc',
      'GET /api/v1/users/:profileId/kyc',
      'POST /api/v1/bootstrap',
      'GET /api/v1/admin/users',
      'POST /api/v1/admin/users/:profileId/approve',
      'POST /api/v1/admin/users/:profileId/deny',
      'POST /api/v1/admin/users/:profileId/lock',
      'POST /api/v1/admin/users/:profileId/unlock',
      'POST /api/v1/admin/users/:profileId/genesis',
      'GET /api/v1/admin/commands',
      'POST /api/v1/admin/commands/:commandId/retry',
      'POST /api/v1/admin/commands/:commandId/discard',
      'GET /api/v1/admin/system',
      'POST /api/v1/admin/approvals',
      'POST /api/v1/admin/users/:profileId/freeze',
      'POST /api/v1/admin/users/:profileId/unfreeze',
      'GET /api/v1/supply',
      'GET /api/v1/countries',
      'GET /api/v1/countries/:code',
      'GET /api/v1/fees/quote',
      'GET /api/v1/admin/approvals',
      'POST /api/v1/admin/approvals/:approvalId/approve',
      'POST /api/v1/admin/approvals/:approvalId/reject',
      'GET /api/v1/wallets/me',
      'POST /api/v1/transfers',
      'GET /api/v1/transactions',
      'GET /api/v1/commands/:commandId',
      'GET /api/v1/commands/:commandId/events',
      'GET /api/v1/admin/kyc',
      'GET /api/v1/admin/kyc/:profileId/files/00000000-0000-4000-8000-000000000000',
      'POST /api/v1/admin/kyc/:profileId/approve',
      'POST /api/v1/admin/kyc/:profileId/reject',
      'POST /api/v1/admin/users/:profileId/suspend',
      'POST /api/v1/admin/users/:profileId/reinstate',
      'POST /api/v1/admin/users/:profileId/close',
      'POST /api/v1/admin/users/:profileId/retry-onchain',
      'POST /api/v1/relationships',
      'POST /api/v1/relationships/:id/confirm',
      'POST /api/v1/relationships/:id/reject',
      'POST /api/v1/relationships/:id/end',
      'GET /api/v1/relationships',
      'GET /api/v1/users/me/trust',
      'POST /api/v1/organizations',
      'POST /api/v1/organizations/:orgId/endorse',
      'PUT /api/v1/organizations/:orgId/rules',
      'POST /api/v1/organizations/:orgId/payments',
      'POST /api/v1/organizations/:orgId/payments/:paymentId/approve',
      'POST /api/v1/organizations/:orgId/payments/:paymentId/reject',
      'GET /api/v1/organizations',
      'GET /api/v1/organizations/:orgId',
      'GET /api/v1/organizations/:orgId/payments',
      'GET /api/v1/organizations/:orgId/transactions',
    ];
    const substitute = (pattern: string) =>
      pattern
        .replace(':profileId/approve', `${fixtures.subject.profileId}/approve`)
        .replace(/admin\/kyc\/:profileId/, `admin/kyc/${fixtures.subject.profileId}`)
        .replace(/admin\/users\/:profileId/, `admin/users/${fixtures.subject.profileId}`)
        .replace(':profileId', fixtures.owner.profileId)
        .replace(/admin\/commands\/:commandId/, `admin/commands/${fixtures.failedCommandId}`)
        .replace(':commandId', fixtures.ownerCommandId)
        .replace(':approvalId', fixtures.approvalId)
        .replace(':code', 'MY')
        .replace('relationships/:id', `relationships/${fixtures.relationshipId}`)
        .replace(':orgId', fixtures.orgId)
        .replace(':paymentId', fixtures.paymentId);
    const missing = expected.map(substitute).filter((route) => !covered.has(route) && !route.includes('logout'));
    expect(missing).toEqual([]);
  });
});

describe('logout (last: it revokes sessions)', () => {
  it.each(roles.map((role) => [role]))('as %s', async (role) => {
    const session = role === 'anonymous' ? undefined : fixtures[role];
    const response = await api.request('POST', '/api/v1/auth/logout', { token: session?.accessToken });
    expect(response.status).toBe(role === 'anonymous' ? 401 : 204);
  });
});
