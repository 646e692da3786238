/**
 * Tokenomics v2 from the outside: real HTTP, real PostgreSQL, devnet over real gRPC with the submitter and the
 * projector. Registration with genesis, then supply and countries; the fee quote against the fee the ledger
 * charges; freezes refusing a transfer either way; four-eyes pause and resume, treasury activation and an
 * admin appointment, each approved by a second person and committed on the ledger.
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

/** The default parameters with two countries and a first phase of two slots per country. */
const params = {
  ...DEFAULT_SYSTEM_PARAMS,
  genesis: {
    minAge: 13,
    maxAge: 73,
    phases: [
      { limit: 4, userAmount: (500n * GX).toString(), treasuryAmount: (50n * GX).toString() },
      { limit: 100, userAmount: (100n * GX).toString(), treasuryAmount: (10n * GX).toString() },
    ],
  },
  countries: [
    { code: 'MY', populationShare: 0.5 },
    { code: 'SG', populationShare: 0.5 },
  ],
};

beforeAll(async () => {
  if (externalLedger) return;
  system = await startTestSystem('tokenomics-int');
  ({ api } = system);
  superAdmin = await api.admin();
  admin = await api.staff('admin');
}, 120_000);

afterAll(async () => {
  await system?.stop();
});

const settle = (response: { status: number; text: string; body: { commandId: string } }, token: string) =>
  settleCommand(api, response, token);

/** A four-eyes request by the admin, approved by the super admin, followed to its end on the ledger. */
const approved = (action: string, payload: Record<string, unknown>) =>
  approvedAction(api, { requester: admin, approver: superAdmin }, action, payload);

const send = (from: Session, toFabricUserId: string, amount: bigint) =>
  api.request('POST', '/api/v1/transfers', {
    token: from.accessToken,
    body: { toFabricUserId, amount: amount.toString() },
  });

describe.skipIf(externalLedger)(
  `tokenomics v2 over the whole system ${devnetOnly('bootstraps and pauses its ledger')}`,
  () => {
    const users: Record<'alice' | 'bob' | 'carol', { session: Session; id: string }> = {} as never;

    it('bootstraps, and registers individuals with genesis from their country phase', async () => {
      const bootstrap = await api.request('POST', '/api/v1/bootstrap', {
        token: superAdmin.accessToken,
        body: { params },
      });
      expect((await settle(bootstrap, superAdmin.accessToken)).event).toBe('projected');
      for (const [name, country] of [
        ['alice', 'MY'],
        ['bob', 'MY'],
        ['carol', 'SG'],
      ] as const) {
        const session = await api.registerUser({ nationalityCountryCode: country });
        await api.passKyc(session);
        const approval = await api.request('POST', `/api/v1/admin/users/${session.profileId}/approve`, {
          token: admin.accessToken,
          body: { accountType: 0 },
        });
        const end = await settle(approval, admin.accessToken);
        expect(end.event, JSON.stringify(end.data)).toBe('projected');
        users[name] = { session, id: approval.body.fabricUserId };
        const wallet = await api.request('GET', '/api/v1/wallets/me', { token: session.accessToken });
        expect(wallet.body).toMatchObject({ balance: (500n * GX).toString(), frozen: false });
      }
    });

    it('supply and countries show what the registrations minted and used', async () => {
      const supply = await api.request('GET', '/api/v1/supply');
      expect(supply.status, supply.text).toBe(200);
      const pool = (name: string) => supply.body.pools.find((entry: { pool: string }) => entry.pool === name);
      expect(supply.body.maxSupply).toBe(DEFAULT_SYSTEM_PARAMS.maxSupply);
      expect(pool('USER_GENESIS')).toMatchObject({
        cap: DEFAULT_SYSTEM_PARAMS.pools.USER_GENESIS,
        minted: (1500n * GX).toString(),
      });
      expect(pool('GOVERNMENT_GENESIS')).toMatchObject({ minted: (150n * GX).toString(), balance: '0' });
      expect(supply.body).toMatchObject({ minted: (1650n * GX).toString(), circulating: (1650n * GX).toString() });

      const my = await api.request('GET', '/api/v1/countries/MY');
      expect(my.status, my.text).toBe(200);
      expect(my.body).toMatchObject({
        sharePpb: 500_000_000,
        populationShare: 0.5,
        currentPhase: 2,
        slotsLeft: 50,
        phases: [
          { phase: 1, slots: 2, used: 2 },
          { phase: 2, slots: 50, used: 0 },
        ],
        treasury: { status: 'LOCKED', balance: (100n * GX).toString() },
      });
      const list = await api.request('GET', '/api/v1/countries');
      expect(
        list.body.items.map((country: { code: string; slotsLeft: number }) => [country.code, country.slotsLeft]),
      ).toEqual([
        ['MY', 50],
        ['SG', 1],
      ]);
      expect((await api.request('GET', '/api/v1/countries/FR')).status).toBe(404);
      expect((await api.request('GET', '/api/v1/countries/my')).status).toBe(400);
    });

    it('the fee charged, in history and balances, is the quote', async () => {
      const { alice, bob, carol } = users;
      for (const [to, amount] of [
        [bob, 50n * GX],
        [carol, 150n * GX],
      ] as const) {
        const quote = await api.request(
          'GET',
          `/api/v1/fees/quote?toFabricUserId=${encodeURIComponent(to.id)}&amount=${amount}`,
          { token: alice.session.accessToken },
        );
        expect(quote.status, quote.text).toBe(200);
        const before = BigInt(
          (await api.request('GET', '/api/v1/wallets/me', { token: alice.session.accessToken })).body.balance,
        );
        const end = await settle(await send(alice.session, to.id, amount), alice.session.accessToken);
        expect(end.event, JSON.stringify(end.data)).toBe('projected');
        const history = await api.request('GET', '/api/v1/transactions?limit=1', { token: alice.session.accessToken });
        expect(history.body.items[0]).toMatchObject({
          type: 'TRANSFER_OUT',
          amount: amount.toString(),
          fee: quote.body.fee,
          feeBps: quote.body.feeBps,
          transferType: quote.body.type,
          scope: quote.body.scope,
        });
        const after = BigInt(
          (await api.request('GET', '/api/v1/wallets/me', { token: alice.session.accessToken })).body.balance,
        );
        expect((before - after).toString()).toBe(quote.body.total);
      }
      // domain.md's example: a local P2P transfer of 50 GX pays 5 bps, 0.025 GX. Cross-border above 100 GX: 25 bps.
      const quotes = await Promise.all(
        [
          [bob.id, 50n * GX],
          [carol.id, 150n * GX],
        ].map(
          async ([to, amount]) =>
            (
              await api.request(
                'GET',
                `/api/v1/fees/quote?toFabricUserId=${encodeURIComponent(String(to))}&amount=${amount}`,
                {
                  token: alice.session.accessToken,
                },
              )
            ).body,
        ),
      );
      expect(quotes).toEqual([
        { type: 'P2P', scope: 'LOCAL', feeBps: 5, fee: '25000', total: '50025000' },
        { type: 'P2P', scope: 'CROSS_BORDER', feeBps: 25, fee: '375000', total: '150375000' },
      ]);
    });

    it('quote refusals: a bad amount or id is 400 naming it, an unknown recipient 404', async () => {
      const token = users.alice.session.accessToken;
      const quote = (query: string) => api.request('GET', `/api/v1/fees/quote?${query}`, { token });
      const bob = encodeURIComponent(users.bob.id);
      for (const [query, field] of [
        [`toFabricUserId=${bob}&amount=0`, 'amount'],
        [`toFabricUserId=${bob}&amount=1.5`, 'amount'],
        ['toFabricUserId=bob&amount=5', 'toFabricUserId'],
      ] as const) {
        const response = await quote(query);
        expect(response.status, query).toBe(400);
        expect(response.body.details.map((detail: { field: string }) => detail.field)).toContain(field);
      }
      expect((await quote(`toFabricUserId=${encodeURIComponent('SG 1B2 CDE123 0WXYZ 9876')}&amount=5`)).status).toBe(
        404,
      );
    });

    it('a frozen wallet can neither send nor receive; unfrozen it can', async () => {
      const { alice, bob } = users;
      const freeze = await api.request('POST', `/api/v1/admin/users/${alice.session.profileId}/freeze`, {
        token: admin.accessToken,
        body: { reason: 'COMPLIANCE_REVIEW', notes: 'case 12' },
      });
      expect((await settle(freeze, admin.accessToken)).event).toBe('projected');
      expect((await api.request('GET', '/api/v1/wallets/me', { token: alice.session.accessToken })).body).toMatchObject(
        {
          frozen: true,
          freezeReason: 'COMPLIANCE_REVIEW',
        },
      );
      const again = await api.request('POST', `/api/v1/admin/users/${alice.session.profileId}/freeze`, {
        token: admin.accessToken,
        body: { reason: 'COMPLIANCE_REVIEW' },
      });
      expect(again.status).toBe(409);
      for (const [from, to] of [
        [alice, bob],
        [bob, alice],
      ] as const) {
        const end = await settle(await send(from.session, to.id, GX), from.session.accessToken);
        expect(end.event).toBe('failed');
        expect(String(end.data.error)).toContain('GX_ACCOUNT_FROZEN');
      }
      const badReason = await api.request('POST', `/api/v1/admin/users/${alice.session.profileId}/unfreeze`, {
        token: admin.accessToken,
        body: { reason: 'BECAUSE' },
      });
      expect(badReason.status).toBe(400);
      expect(badReason.body.details.map((detail: { field: string }) => detail.field)).toEqual(['reason']);
      const unfreeze = await api.request('POST', `/api/v1/admin/users/${alice.session.profileId}/unfreeze`, {
        token: admin.accessToken,
        body: { reason: 'ADMIN_ACTION' },
      });
      expect((await settle(unfreeze, admin.accessToken)).event).toBe('projected');
      expect((await settle(await send(alice.session, bob.id, GX), alice.session.accessToken)).event).toBe('projected');
    });

    it('four eyes: an approved pause stops transfers (GX_SYSTEM_PAUSED); an approved resume lets them commit', async () => {
      const { alice, bob } = users;
      expect((await approved('PAUSE_SYSTEM', { reason: 'incident 7' })).event).toBe('projected');
      const paused = await api.db.pool.query("SELECT value FROM system_state WHERE key = 'paused'");
      expect(paused.rows[0].value).toMatchObject({ paused: true, reason: 'incident 7' });
      const refused = await settle(await send(alice.session, bob.id, GX), alice.session.accessToken);
      expect(refused.event).toBe('failed');
      expect(String(refused.data.error)).toContain('GX_SYSTEM_PAUSED');
      expect((await approved('RESUME_SYSTEM', { reason: 'resolved' })).event).toBe('projected');
      expect((await settle(await send(alice.session, bob.id, GX), alice.session.accessToken)).event).toBe('projected');
    });

    it('four eyes: treasury activation and an admin appointment commit and reach the read models', async () => {
      expect((await approved('ACTIVATE_TREASURY', { countryCode: 'MY' })).event).toBe('projected');
      expect((await api.request('GET', '/api/v1/countries/MY')).body.treasury.status).toBe('ACTIVE');
      const appointee = await api.registerUser();
      expect((await approved('APPOINT_ADMIN', { profileId: appointee.profileId, role: 'admin' })).event).toBe(
        'projected',
      );
      const role = await api.db.pool.query('SELECT role FROM user_profile WHERE profile_id = $1', [
        appointee.profileId,
      ]);
      expect(role.rows[0].role).toBe('admin');
    });
  },
);
