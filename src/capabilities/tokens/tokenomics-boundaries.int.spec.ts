/**
 * Tokenomics v2 at its boundaries, from the outside: real HTTP, real PostgreSQL, devnet over real gRPC with the
 * submitter and the projector. A ledger bootstrapped with tiny phases (MY and SG: 2 slots in phase 1, 1 in
 * phase 2; ID: 4 and 2) is crossed phase by phase until a country has none left; ages 12, 13, 73 and 74; every
 * fee cell with the 3 GX and 100 GX band edges, each charge checked against the quote; the fee cap; a pause
 * refusing a transfer and a registration with nothing changed; and bad input refused with a 400 naming the
 * field, the outbox and the read models untouched.
 *
 * Devnet only: it bootstraps its own ledger and pauses it, which a shared external network must not see.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session, TestApi } from '../../../test/support/api-server.js';
import { devnetOnly, externalLedger } from '../../../test/support/ledger.js';
import { approvedAction, settleCommand, startTestSystem, type TestSystem } from '../../../test/support/system.js';
import { DEFAULT_SYSTEM_PARAMS } from '../admin/default-system-params.js';

const GX = 1_000_000n;
let system: TestSystem;
let api: TestApi;
let superAdmin: Session;
let admin: Session;

const phases = [
  { limit: 8, userAmount: (1000n * GX).toString(), treasuryAmount: (50n * GX).toString() },
  { limit: 4, userAmount: (400n * GX).toString(), treasuryAmount: (40n * GX).toString() },
];
const params = {
  ...DEFAULT_SYSTEM_PARAMS,
  genesis: { minAge: 13, maxAge: 73, phases },
  countries: [
    { code: 'MY', populationShare: 0.25 },
    { code: 'SG', populationShare: 0.25 },
    { code: 'ID', populationShare: 0.5 },
  ],
};

beforeAll(async () => {
  if (externalLedger) return;
  system = await startTestSystem('tokenomics-boundaries-int');
  ({ api } = system);
  superAdmin = await api.admin();
  admin = await api.staff('admin');
}, 120_000);

afterAll(async () => {
  await system?.stop();
});

const settle = (response: { status: number; text: string; body: { commandId: string } }, token: string) =>
  settleCommand(api, response, token);

interface Account {
  session: Session;
  id: string;
}

/** Registers a user and approves it (CREATE_USER with genesis), followed to its end on the ledger. */
async function register(overrides: Record<string, unknown>, accountType = 0) {
  const session = await api.registerUser(overrides);
  // Approval needs KYC_APPROVED (identity v2).
  await api.passKyc(session);
  const approval = await api.request('POST', `/api/v1/admin/users/${session.profileId}/approve`, {
    token: admin.accessToken,
    body: { accountType },
  });
  const end = await settle(approval, admin.accessToken);
  return { account: { session, id: approval.body.fabricUserId as string }, end };
}

/** A registered account, whose registration must have committed. */
async function registered(overrides: Record<string, unknown>, accountType = 0): Promise<Account> {
  const { account, end } = await register(overrides, accountType);
  expect(end.event, JSON.stringify(end.data)).toBe('projected');
  return account;
}

async function balanceOf(id: string): Promise<bigint> {
  const row = await api.db.pool.query<{ balance: string }>(
    'SELECT balance::text AS balance FROM wallet WHERE fabric_user_id = $1',
    [id],
  );
  return BigInt(row.rows[0]?.balance ?? '-1');
}

/** A date of birth `years` years before today (UTC), shifted by `days`: the age boundary is the birthday. */
function bornYearsAgo(years: number, days = 0): string {
  const date = new Date();
  date.setUTCFullYear(date.getUTCFullYear() - years);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** Everything a refused request must leave as it was: the outbox and the read models. */
async function snapshot(): Promise<Record<string, unknown>> {
  const read = async (sql: string) => (await api.db.pool.query(sql)).rows;
  return {
    outbox: await read('SELECT id, status FROM outbox_command ORDER BY id'),
    approvals: await read('SELECT id, status FROM approval_request ORDER BY id'),
    wallets: await read('SELECT fabric_user_id, balance::text FROM wallet ORDER BY fabric_user_id'),
    history: await read('SELECT count(*)::int AS n FROM transaction_history'),
    pools: await read('SELECT pool, minted::text, balance::text FROM system_pool ORDER BY pool'),
    phases: await read('SELECT code, phase, used FROM country_phase ORDER BY code, phase'),
    countries: await read('SELECT code, treasury_status FROM country ORDER BY code'),
    freezes: await read('SELECT fabric_user_id, frozen, reason FROM wallet_freeze ORDER BY fabric_user_id'),
    state: await read('SELECT key, value FROM system_state ORDER BY key'),
  };
}

/** The fields a 400's details name. */
const fieldsOf = (body: { details?: { field: string }[] }) => (body.details ?? []).map((detail) => detail.field);

describe.skipIf(externalLedger)(
  `tokenomics v2 at its boundaries ${devnetOnly('bootstraps and pauses its ledger')}`,
  () => {
    const people = {} as Record<
      'alice' | 'bob' | 'carol' | 'dave' | 'sam' | 'shop' | 'shop2' | 'sgShop' | 'late',
      Account
    >;

    it('a bootstrap with an unknown country, shares not summing to 1 or a fee above the cap is a 400 naming it; nothing changes', async () => {
      const before = await snapshot();
      for (const [body, field] of [
        [{ params: { ...params, countries: [{ code: 'ZZ', populationShare: 1 }] } }, 'params.countries.0.code'],
        [
          {
            params: {
              ...params,
              countries: [
                { code: 'MY', populationShare: 0.5 },
                { code: 'SG', populationShare: 0.4 },
              ],
            },
          },
          'params.countries',
        ],
        [
          {
            params: {
              ...params,
              fees: { ...params.fees, B2B: { ...params.fees.B2B, LOCAL: [{ minAmount: '0', bps: 1001 }] } },
            },
          },
          'params.fees.B2B.LOCAL.0.bps',
        ],
      ] as const) {
        const response = await api.request('POST', '/api/v1/bootstrap', { token: superAdmin.accessToken, body });
        expect(response.status, response.text).toBe(400);
        expect(fieldsOf(response.body)).toContain(field);
      }
      expect(await snapshot()).toEqual(before);
    });

    it('bootstraps the tiny phases', async () => {
      const bootstrap = await api.request('POST', '/api/v1/bootstrap', {
        token: superAdmin.accessToken,
        body: { params },
      });
      expect((await settle(bootstrap, superAdmin.accessToken)).event).toBe('projected');
      const my = await api.request('GET', '/api/v1/countries/MY');
      expect(my.body).toMatchObject({
        currentPhase: 1,
        phases: [
          { phase: 1, slots: 2, used: 0 },
          { phase: 2, slots: 1, used: 0 },
        ],
      });
    });

    it("phase boundaries: a country's phase 1 used up gives phase 2's allocation; all used up gives 0, registered all the same", async () => {
      people.alice = await registered({ nationalityCountryCode: 'MY' });
      people.bob = await registered({ nationalityCountryCode: 'MY' });
      expect((await api.request('GET', '/api/v1/countries/MY')).body).toMatchObject({
        currentPhase: 2,
        phases: [
          { phase: 1, slots: 2, used: 2 },
          { phase: 2, slots: 1, used: 0 },
        ],
      });
      people.carol = await registered({ nationalityCountryCode: 'MY' });
      people.dave = await registered({ nationalityCountryCode: 'MY' });
      // Another country's phases are its own: SG still serves phase 1.
      people.sam = await registered({ nationalityCountryCode: 'SG' });
      expect(await balanceOf(people.alice.id)).toBe(1000n * GX);
      expect(await balanceOf(people.bob.id)).toBe(1000n * GX);
      expect(await balanceOf(people.carol.id)).toBe(400n * GX);
      expect(await balanceOf(people.dave.id)).toBe(0n);
      expect(await balanceOf(people.sam.id)).toBe(1000n * GX);
      const dave = await api.request('GET', '/api/v1/wallets/me', { token: people.dave.session.accessToken });
      expect(dave.body).toMatchObject({ balance: '0', frozen: false });
      expect((await api.request('GET', '/api/v1/countries/MY')).body).toMatchObject({
        currentPhase: null,
        slotsLeft: 0,
        phases: [
          { phase: 1, slots: 2, used: 2 },
          { phase: 2, slots: 1, used: 1 },
        ],
        // 50 + 50 from phase 1, 40 from phase 2, nothing for the user who got nothing.
        treasury: { status: 'LOCKED', balance: (140n * GX).toString() },
      });
      expect((await api.request('GET', '/api/v1/countries/SG')).body).toMatchObject({
        currentPhase: 1,
        phases: [
          { phase: 1, slots: 2, used: 1 },
          { phase: 2, slots: 1, used: 0 },
        ],
      });
    });

    it('ages: 12 and 74 get 0 and take no slot; 13 (on the birthday) and 73 (the day before turning 74) get genesis', async () => {
      const cases = [
        [bornYearsAgo(13, 1), 0n],
        [bornYearsAgo(13), 1000n * GX],
        [bornYearsAgo(74, 1), 1000n * GX],
        [bornYearsAgo(74), 0n],
      ] as const;
      for (const [dateOfBirth, expected] of cases) {
        const user = await registered({ nationalityCountryCode: 'ID', dateOfBirth });
        expect(await balanceOf(user.id), dateOfBirth).toBe(expected);
      }
      expect((await api.request('GET', '/api/v1/countries/ID')).body).toMatchObject({
        phases: [
          { phase: 1, slots: 4, used: 2 },
          { phase: 2, slots: 2, used: 0 },
        ],
        treasury: { balance: (100n * GX).toString() },
      });
    });

    it('businesses register with no genesis; genesis is fee-exempt: the supply is exactly the allocations', async () => {
      people.shop = await registered({ nationalityCountryCode: 'MY' }, 1);
      people.shop2 = await registered({ nationalityCountryCode: 'MY' }, 1);
      people.sgShop = await registered({ nationalityCountryCode: 'SG' }, 1);
      for (const shop of [people.shop, people.shop2, people.sgShop]) expect(await balanceOf(shop.id)).toBe(0n);
      const supply = await api.request('GET', '/api/v1/supply');
      const pool = (name: string) => supply.body.pools.find((entry: { pool: string }) => entry.pool === name);
      // Users: MY 1000 + 1000 + 400, SG 1000, ID 1000 + 1000. Treasuries: MY 140, SG 50, ID 100.
      expect(pool('USER_GENESIS')).toMatchObject({ minted: (5400n * GX).toString() });
      expect(pool('GOVERNMENT_GENESIS')).toMatchObject({ minted: (290n * GX).toString() });
      expect(pool('OPERATIONS')).toMatchObject({ balance: '0' });
      expect(supply.body).toMatchObject({ minted: (5690n * GX).toString(), circulating: (5690n * GX).toString() });
    });

    it('every fee cell, at the 3 GX and 100 GX edges: the charge is the quote and the rate of domain.md', async () => {
      const { alice, bob, sam, shop, shop2, sgShop } = people;
      const myTreasury = 'MY 000 AAA000 6TRSY 0001';
      const sgTreasury = 'SG 000 AAA000 6TRSY 0001';
      const cells: [Account, string, bigint, string, string, number][] = [
        [alice, bob.id, 3n * GX - 1n, 'P2P', 'LOCAL', 0],
        [alice, bob.id, 3n * GX, 'P2P', 'LOCAL', 5],
        [alice, bob.id, 3n * GX + 1n, 'P2P', 'LOCAL', 5],
        [alice, bob.id, 100n * GX, 'P2P', 'LOCAL', 5],
        [alice, bob.id, 100n * GX + 1n, 'P2P', 'LOCAL', 10],
        [alice, sam.id, 3n * GX - 1n, 'P2P', 'CROSS_BORDER', 15],
        [alice, sam.id, 100n * GX, 'P2P', 'CROSS_BORDER', 15],
        [alice, sam.id, 100n * GX + 1n, 'P2P', 'CROSS_BORDER', 25],
        [alice, shop.id, 10n * GX, 'MERCHANT', 'LOCAL', 15],
        [alice, sgShop.id, 10n * GX, 'MERCHANT', 'CROSS_BORDER', 30],
        [alice, myTreasury, 10n * GX, 'GOVERNMENT', 'LOCAL', 10],
        [alice, sgTreasury, 10n * GX, 'GOVERNMENT', 'CROSS_BORDER', 20],
        [shop, shop2.id, GX, 'B2B', 'LOCAL', 20],
        [shop, sgShop.id, GX, 'B2B', 'CROSS_BORDER', 40],
      ];
      let fees = 0n;
      for (const [from, to, amount, type, scope, feeBps] of cells) {
        const label = `${type} ${scope} ${amount}`;
        const token = from.session.accessToken;
        const quote = await api.request(
          'GET',
          `/api/v1/fees/quote?toFabricUserId=${encodeURIComponent(to)}&amount=${amount}`,
          { token },
        );
        const fee = (amount * BigInt(feeBps)) / 10_000n;
        expect(quote.body, label).toEqual({
          type,
          scope,
          feeBps,
          fee: fee.toString(),
          total: (amount + fee).toString(),
        });
        const [senderBefore, recipientBefore] = [await balanceOf(from.id), await balanceOf(to)];
        const sent = await api.request('POST', '/api/v1/transfers', {
          token,
          body: { toFabricUserId: to, amount: amount.toString() },
        });
        const end = await settle(sent, token);
        expect(end.event, `${label}: ${JSON.stringify(end.data)}`).toBe('projected');
        expect(senderBefore - (await balanceOf(from.id)), label).toBe(amount + fee);
        expect((await balanceOf(to)) - recipientBefore, label).toBe(amount);
        const history = await api.request('GET', '/api/v1/transactions?limit=1', { token });
        expect(history.body.items[0], label).toMatchObject({
          type: 'TRANSFER_OUT',
          amount: amount.toString(),
          fee: quote.body.fee,
          feeBps,
          transferType: type,
          scope,
        });
        fees += fee;
      }
      // GET /supply answers up to 30 s old (SUPPLY_CACHE_MS), and it was read above: the fund's own row is read.
      const operations = await api.db.pool.query<{ balance: string }>(
        "SELECT balance::text AS balance FROM system_pool WHERE pool = 'OPERATIONS'",
      );
      expect(operations.rows[0]?.balance).toBe(fees.toString());
      const onLedger = JSON.parse(
        Buffer.from(
          await system.ledger.evaluate('TokenomicsContract', 'GetBalance', ['XX 000 AAA000 FPOOL 0006']),
        ).toString(),
      );
      expect(onLedger.balance).toBe(fees.toString());
    });

    it('the fee cap: a fee cell above 1,000 bps is refused (400 naming it) and nothing changes', async () => {
      const before = await snapshot();
      const request = await api.request('POST', '/api/v1/admin/approvals', {
        token: admin.accessToken,
        body: { action: 'SET_PARAMETER', payload: { name: 'fees.P2P.LOCAL', value: [{ minAmount: '0', bps: 1001 }] } },
      });
      expect(request.status, request.text).toBe(400);
      expect(fieldsOf(request.body)).toContain('payload.value.0.bps');
      expect(await snapshot()).toEqual(before);
    });

    it('bad input is a 4xx naming the field (unknown country, amounts, memo, freeze reason), with nothing enqueued or changed', async () => {
      const { alice, bob } = people;
      const before = await snapshot();
      const token = alice.session.accessToken;
      for (const [body, field] of [
        [{ toFabricUserId: bob.id, amount: '-5' }, 'amount'],
        [{ toFabricUserId: bob.id, amount: '1.5' }, 'amount'],
        [{ toFabricUserId: bob.id, amount: 5 }, 'amount'],
        [{ toFabricUserId: bob.id, amount: '5', memo: 'x'.repeat(501) }, 'memo'],
        [{ toFabricUserId: 'bob', amount: '5' }, 'toFabricUserId'],
      ] as const) {
        const response = await api.request('POST', '/api/v1/transfers', { token, body });
        expect(response.status, JSON.stringify(body)).toBe(400);
        expect(fieldsOf(response.body)).toContain(field);
      }
      const freeze = await api.request('POST', `/api/v1/admin/users/${alice.session.profileId}/freeze`, {
        token: admin.accessToken,
        body: { reason: 'BECAUSE' },
      });
      expect(freeze.status).toBe(400);
      expect(fieldsOf(freeze.body)).toEqual(['reason']);
      const activation = await api.request('POST', '/api/v1/admin/approvals', {
        token: admin.accessToken,
        body: { action: 'ACTIVATE_TREASURY', payload: { countryCode: 'FR' } },
      });
      expect(activation.status).toBe(404);
      // A user of a country outside the bootstrapped table: refused before anything is enqueued.
      const stranger = await api.registerUser({ nationalityCountryCode: 'FR' });
      await api.passKyc(stranger);
      const approval = await api.request('POST', `/api/v1/admin/users/${stranger.profileId}/approve`, {
        token: admin.accessToken,
        body: { accountType: 0 },
      });
      expect(approval.status).toBe(409);
      expect(approval.body.message).toContain('nationalityCountryCode FR');
      const profile = await api.db.pool.query('SELECT status, onchain_status FROM user_profile WHERE profile_id = $1', [
        stranger.profileId,
      ]);
      expect(profile.rows[0]).toEqual({ status: 'REGISTERED', onchain_status: 'NOT_REGISTERED' });
      expect(await snapshot()).toEqual(before);
    });

    it('pause: self-approval is refused; approved, it stops transfers and registrations (GX_SYSTEM_PAUSED) with nothing changed; resumed, they commit', async () => {
      const { alice, bob } = people;
      const own = await api.request('POST', '/api/v1/admin/approvals', {
        token: superAdmin.accessToken,
        body: { action: 'PAUSE_SYSTEM', payload: { reason: 'mine' } },
      });
      expect(own.status, own.text).toBe(201);
      const selfApproval = await api.request('POST', `/api/v1/admin/approvals/${own.body.approvalId}/approve`, {
        token: superAdmin.accessToken,
      });
      expect(selfApproval.status).toBe(403);
      expect(
        (
          await api.db.pool.query('SELECT count(*)::int AS n FROM outbox_command WHERE command_type = $1', [
            'PAUSE_SYSTEM',
          ])
        ).rows[0].n,
      ).toBe(0);

      const pause = await approvedAction(api, { requester: admin, approver: superAdmin }, 'PAUSE_SYSTEM', {
        reason: 'drill',
      });
      expect(pause.event).toBe('projected');
      const before = await snapshot();
      const transfer = await settle(
        await api.request('POST', '/api/v1/transfers', {
          token: alice.session.accessToken,
          body: { toFabricUserId: bob.id, amount: GX.toString() },
        }),
        alice.session.accessToken,
      );
      expect(transfer.event).toBe('failed');
      expect(String(transfer.data.error)).toContain('GX_SYSTEM_PAUSED');
      const { account: late, end } = await register({ nationalityCountryCode: 'SG' });
      expect(end.event).toBe('failed');
      expect(String(end.data.error)).toContain('GX_SYSTEM_PAUSED');
      const after = await snapshot();
      // Only the two failed commands are new; no balance, supply, phase counter or history row moved.
      const { outbox: outboxBefore, ...readBefore } = before;
      const { outbox: outboxAfter, ...readAfter } = after;
      expect(readAfter).toEqual(readBefore);
      expect((outboxAfter as unknown[]).length - (outboxBefore as unknown[]).length).toBe(2);
      expect(await balanceOf(late.id)).toBe(-1n);

      const resume = await approvedAction(api, { requester: admin, approver: superAdmin }, 'RESUME_SYSTEM', {
        reason: 'drill over',
      });
      expect(resume.event).toBe('projected');
      const again = await settle(
        await api.request('POST', '/api/v1/transfers', {
          token: alice.session.accessToken,
          body: { toFabricUserId: bob.id, amount: GX.toString() },
        }),
        alice.session.accessToken,
      );
      expect(again.event).toBe('projected');
      people.late = await registered({ nationalityCountryCode: 'SG' });
      expect(await balanceOf(people.late.id)).toBe(1000n * GX);
    });
  },
);
