/**
 * `gx verify` on the whole system: real HTTP, real PostgreSQL, devnet over real gRPC with the submitter and the
 * projector. After a bootstrap, registrations with genesis, a transfer with a fee, a freeze and an organization
 * that pays from its wallet, the read models match the ledger and the supply invariant holds; each tampered v2 read model is then reported as the
 * drift it is, and the report is clean again once the row is put back.
 *
 * Devnet only: it bootstraps its own ledger, whose pools and countries a shared network's other runs would move.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../test/support/api-server.js';
import { devnetOnly, externalLedger } from '../../test/support/ledger.js';
import { settleCommand, startTestSystem, type TestSystem } from '../../test/support/system.js';
import { DEFAULT_SYSTEM_PARAMS } from '../capabilities/admin/default-system-params.js';
import { formatVerifyReport, verifyReadModels } from './verify-read-models.js';

const GX = 1_000_000n;
let system: TestSystem;
let admin: Session;
const ids: Record<'alice' | 'sam' | 'org' | 'account' | 'payment', string> = {
  alice: '',
  sam: '',
  org: '',
  account: '',
  payment: '',
};

beforeAll(async () => {
  if (externalLedger) return;
  system = await startTestSystem('verify-int');
  const { api } = system;
  const superAdmin = await api.admin();
  admin = await api.staff('admin');
  const params = {
    ...DEFAULT_SYSTEM_PARAMS,
    countries: [
      { code: 'MY', populationShare: 0.5 },
      { code: 'SG', populationShare: 0.5 },
    ],
  };
  const bootstrap = await api.request('POST', '/api/v1/bootstrap', { token: superAdmin.accessToken, body: { params } });
  expect((await settleCommand(api, bootstrap, superAdmin.accessToken)).event).toBe('projected');
  const sessions: Record<string, Session> = {};
  for (const [name, country] of [
    ['alice', 'MY'],
    ['sam', 'SG'],
  ] as const) {
    sessions[name] = await api.registerUser({ nationalityCountryCode: country });
    // Approval needs KYC_APPROVED (identity v2).
    await api.passKyc(sessions[name]);
    const approval = await api.request('POST', `/api/v1/admin/users/${sessions[name].profileId}/approve`, {
      token: admin.accessToken,
      body: { accountType: 0 },
    });
    expect((await settleCommand(api, approval, admin.accessToken)).event).toBe('projected');
    ids[name] = approval.body.fabricUserId;
  }
  const alice = sessions.alice as Session;
  const transfer = await api.request('POST', '/api/v1/transfers', {
    token: alice.accessToken,
    body: { toFabricUserId: ids.sam, amount: (20n * GX).toString() },
  });
  expect((await settleCommand(api, transfer, alice.accessToken)).event).toBe('projected');
  const freeze = await api.request('POST', `/api/v1/admin/users/${(sessions.sam as Session).profileId}/freeze`, {
    token: admin.accessToken,
    body: { reason: 'COURT_ORDER' },
  });
  expect((await settleCommand(api, freeze, admin.accessToken)).event).toBe('projected');
  // An organization of alice and sam, funded by alice, paying alice back (no rule: one approval executes it).
  const sam = sessions.sam as Session;
  const act = async (who: Session, method: string, path: string, body?: unknown) => {
    const response = await api.request(method, path, { token: who.accessToken, body });
    expect((await settleCommand(api, response, who.accessToken)).event).toBe('projected');
    return response.body;
  };
  ids.org = (
    await act(alice, 'POST', '/api/v1/organizations', {
      name: 'Verify Co',
      type: 'BUSINESS',
      countryCode: 'MY',
      stakeholders: [ids.alice, ids.sam],
    })
  ).orgId;
  await act(sam, 'POST', `/api/v1/organizations/${ids.org}/endorse`);
  ids.account = (
    await api.request('GET', `/api/v1/organizations/${ids.org}`, { token: alice.accessToken })
  ).body.fabricUserId;
  await act(alice, 'POST', '/api/v1/transfers', { toFabricUserId: ids.account, amount: (5n * GX).toString() });
  ids.payment = (
    await act(alice, 'POST', `/api/v1/organizations/${ids.org}/payments`, {
      toFabricUserId: ids.alice,
      amount: (1n * GX).toString(),
    })
  ).paymentId;
}, 180_000);

afterAll(async () => {
  await system?.stop();
});

/** Changes one read-model row for the duration of a verification, then puts it back. */
async function withTampered<T>(change: string, restore: string, params: unknown[], run: () => Promise<T>): Promise<T> {
  const { pool } = system.api.db;
  expect((await pool.query(change, params)).rowCount).toBe(1);
  try {
    return await run();
  } finally {
    await pool.query(restore, params);
  }
}

const verify = () => verifyReadModels(system.api.db.pool, system.ledger);

describe.skipIf(externalLedger)(`gx verify ${devnetOnly('bootstraps its own ledger')}`, () => {
  it('passes on an untouched system: no drift, the supply invariant holds', async () => {
    const report = await verify();
    expect(report.drift).toEqual([]);
    expect(report.violations).toEqual([]);
    // Two users, the two treasuries their genesis funded and the organization.
    expect(report.wallets).toBe(5);
    expect(formatVerifyReport(report)).toContain('Supply invariant holds');
  });

  it('reports each tampered v2 read model as its drift', async () => {
    const cases: [string, string, unknown[], object | object[]][] = [
      [
        "UPDATE system_pool SET minted = minted + 1 WHERE pool = 'USER_GENESIS'",
        "UPDATE system_pool SET minted = minted - 1 WHERE pool = 'USER_GENESIS'",
        [],
        { kind: 'pool', subject: 'USER_GENESIS.minted' },
      ],
      [
        "UPDATE country_phase SET used = used + 1 WHERE code = 'MY' AND phase = 1",
        "UPDATE country_phase SET used = used - 1 WHERE code = 'MY' AND phase = 1",
        [],
        { kind: 'country', subject: 'MY.phase1.used', readModel: '2', ledger: '1' },
      ],
      [
        "UPDATE country SET treasury_status = 'ACTIVE' WHERE code = 'SG'",
        "UPDATE country SET treasury_status = 'LOCKED' WHERE code = 'SG'",
        [],
        { kind: 'country', subject: 'SG.treasuryStatus', readModel: 'ACTIVE', ledger: 'LOCKED' },
      ],
      [
        'UPDATE wallet_freeze SET frozen = false WHERE fabric_user_id = $1',
        'UPDATE wallet_freeze SET frozen = true WHERE fabric_user_id = $1',
        [ids.sam],
        { kind: 'freeze', subject: ids.sam, readModel: 'not frozen', ledger: 'frozen (COURT_ORDER)' },
      ],
      [
        "UPDATE transaction_history SET fee = fee + 7 WHERE fabric_user_id = $1 AND type = 'TRANSFER_OUT' AND to_user_id = $2",
        "UPDATE transaction_history SET fee = fee - 7 WHERE fabric_user_id = $1 AND type = 'TRANSFER_OUT' AND to_user_id = $2",
        [ids.alice, ids.sam],
        { kind: 'fees', subject: 'operations fund' },
      ],
      [
        'UPDATE wallet SET balance = balance + 1 WHERE fabric_user_id = $1',
        'UPDATE wallet SET balance = balance - 1 WHERE fabric_user_id = $1',
        [ids.account],
        // An organization's balance is part of the supply the wallets hold.
        [{ kind: 'balance', subject: ids.account }, { kind: 'total-supply' }],
      ],
      [
        "UPDATE organization SET status = 'PENDING' WHERE org_id = $1",
        "UPDATE organization SET status = 'VERIFIED' WHERE org_id = $1",
        [ids.org],
        { kind: 'organization', subject: ids.org },
      ],
      [
        "UPDATE organization_payment SET status = 'PENDING' WHERE payment_id = $1",
        "UPDATE organization_payment SET status = 'EXECUTED' WHERE payment_id = $1",
        [ids.payment],
        { kind: 'payment', subject: ids.payment, readModel: `PENDING approved by ${ids.alice}` },
      ],
    ];
    for (const [change, restore, params, expected] of cases) {
      const report = await withTampered(change, restore, params, verify);
      const wanted = Array.isArray(expected) ? expected : [expected];
      expect(report.drift, change).toEqual(wanted.map((drift) => expect.objectContaining(drift)));
      // The ledger itself is untouched: its invariant still holds.
      expect(report.violations).toEqual([]);
    }
    expect((await verify()).drift).toEqual([]);
  });
});
