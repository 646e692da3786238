/**
 * Organizations and multi-signature payments over the whole system: HTTP → outbox → submitter → devnet (real
 * Fabric Gateway client, gxtv3) → projector → read models. The life of an organization of three stakeholders,
 * each rule boundary, the refusals, a FAILED execution and concurrent approvals. Expiry needs the transaction
 * time to move past `expiresAt`, which the client sets from the wall clock: it is specified in
 * chaincode/src/organization-contract.unit.spec.ts.
 *
 * Devnet only: it bootstraps its own ledger.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session, TestApi } from '../../../test/support/api-server.js';
import { devnetOnly, externalLedger } from '../../../test/support/ledger.js';
import { settleCommand, startTestSystem, type TestSystem } from '../../../test/support/system.js';
import { DEFAULT_SYSTEM_PARAMS } from '../admin/default-system-params.js';

const GX = 1_000_000n;
let system: TestSystem;
let api: TestApi;
let admin: Session;

interface Member {
  session: Session;
  id: string;
}
let alice: Member;
let bob: Member;
let carol: Member;
let dave: Member;
let erin: Member;

/** Registers a user and approves it as an individual (with its genesis), followed to the projection. */
async function member(countryCode = 'MY'): Promise<Member> {
  const session = await api.registerUser({ nationalityCountryCode: countryCode });
  await api.passKyc(session);
  const approval = await api.request('POST', `/api/v1/admin/users/${session.profileId}/approve`, {
    token: admin.accessToken,
    body: { accountType: 0 },
  });
  expect((await settleCommand(api, approval, admin.accessToken)).event).toBe('projected');
  return { session, id: approval.body.fabricUserId as string };
}

const send = (who: Member, method: string, path: string, body?: unknown) =>
  api.request(method, path, { token: who.session.accessToken, body });

/** A command request that must be accepted (202) and projected; returns the 202 body. */
async function projected(who: Member, method: string, path: string, body?: unknown) {
  const response = await send(who, method, path, body);
  const end = await settleCommand(api, response, who.session.accessToken);
  expect(end.event, JSON.stringify(end.data)).toBe('projected');
  return response.body;
}

const organization = async (who: Member, orgId: string) =>
  (await send(who, 'GET', `/api/v1/organizations/${orgId}`)).body;
const paymentOf = async (who: Member, orgId: string, paymentId: string) => {
  const list = await send(who, 'GET', `/api/v1/organizations/${orgId}/payments`);
  return list.body.items.find((item: { paymentId: string }) => item.paymentId === paymentId);
};
async function balanceOf(id: string): Promise<bigint> {
  const row = await api.db.pool.query<{ balance: string }>(
    'SELECT balance::text FROM wallet WHERE fabric_user_id = $1',
    [id],
  );
  return BigInt(row.rows[0]?.balance ?? '-1');
}

/** A verified organization of `members` (the first proposes, the others endorse), funded by `funder`. */
async function verified(members: Member[], funds: bigint, funder: Member): Promise<{ orgId: string; account: string }> {
  const [proposer, ...others] = members as [Member, ...Member[]];
  const { orgId } = await projected(proposer, 'POST', '/api/v1/organizations', {
    name: 'Acme Trading',
    type: 'BUSINESS',
    countryCode: 'MY',
    stakeholders: members.map((m) => m.id),
  });
  for (const other of others) await projected(other, 'POST', `/api/v1/organizations/${orgId}/endorse`);
  const account = (await organization(proposer, orgId)).fabricUserId as string;
  await projected(funder, 'POST', '/api/v1/transfers', { toFabricUserId: account, amount: funds.toString() });
  return { orgId, account };
}

beforeAll(async () => {
  if (externalLedger) return;
  system = await startTestSystem('organizations-e2e');
  ({ api } = system);
  admin = await api.admin();
  const boot = await api.request('POST', '/api/v1/bootstrap', {
    token: admin.accessToken,
    body: { params: DEFAULT_SYSTEM_PARAMS },
  });
  expect((await settleCommand(api, boot, admin.accessToken)).event).toBe('projected');
  [alice, bob, carol, dave, erin] = [await member(), await member(), await member(), await member(), await member()];
}, 180_000);

afterAll(async () => {
  await system?.stop();
});

describe.skipIf(externalLedger)(
  `organizations over the whole system ${devnetOnly('bootstraps its own ledger')}`,
  () => {
    it('lives: proposed, endorsed, verified, funded; a 2-of-3 payment executes with the fee; rejects and refusals', async () => {
      const { orgId } = await projected(alice, 'POST', '/api/v1/organizations', {
        name: 'Three Friends Sdn Bhd',
        type: 'BUSINESS',
        countryCode: 'MY',
        stakeholders: [alice.id, bob.id, carol.id],
      });
      expect(await organization(bob, orgId)).toMatchObject({
        status: 'PENDING',
        fabricUserId: null,
        proposer: alice.id,
      });
      await projected(bob, 'POST', `/api/v1/organizations/${orgId}/endorse`);
      expect((await organization(bob, orgId)).status).toBe('PENDING');
      expect((await send(bob, 'POST', `/api/v1/organizations/${orgId}/endorse`)).status).toBe(409);
      await projected(carol, 'POST', `/api/v1/organizations/${orgId}/endorse`);
      const live = await organization(carol, orgId);
      expect(live).toMatchObject({ status: 'VERIFIED', balance: '0' });
      expect(live.fabricUserId).toMatch(/^MY [0-9A-F]{3} AAA000 1[A-Z]{4} [0-9]{4}$/);
      expect(live.stakeholders.every((s: { endorsedAt: string | null }) => s.endorsedAt !== null)).toBe(true);
      expect((await send(dave, 'GET', `/api/v1/organizations/${orgId}`)).status).toBe(404);
      const account = live.fabricUserId as string;
      await projected(alice, 'POST', '/api/v1/transfers', { toFabricUserId: account, amount: (200n * GX).toString() });
      expect(await balanceOf(account)).toBe(200n * GX);

      await projected(bob, 'PUT', `/api/v1/organizations/${orgId}/rules`, [
        { minAmount: (10n * GX).toString(), requiredApprovals: 2, approvers: [alice.id, bob.id] },
      ]);
      const daveBefore = await balanceOf(dave.id);
      const { paymentId } = await projected(alice, 'POST', `/api/v1/organizations/${orgId}/payments`, {
        toFabricUserId: dave.id,
        amount: (20n * GX).toString(),
        memo: 'invoice 7',
      });
      expect(await paymentOf(carol, orgId, paymentId)).toMatchObject({
        status: 'PENDING',
        approvals: [{ fabricUserId: alice.id }],
        rule: { requiredApprovals: 2 },
      });
      // carol is a stakeholder but no approver of the rule; alice approved by initiating.
      expect((await send(carol, 'POST', `/api/v1/organizations/${orgId}/payments/${paymentId}/approve`)).status).toBe(
        403,
      );
      expect((await send(alice, 'POST', `/api/v1/organizations/${orgId}/payments/${paymentId}/approve`)).status).toBe(
        409,
      );
      await projected(bob, 'POST', `/api/v1/organizations/${orgId}/payments/${paymentId}/approve`);
      const fee = (20n * GX * 15n) / 10_000n; // MERCHANT LOCAL: a business paying a person
      expect(await paymentOf(alice, orgId, paymentId)).toMatchObject({ status: 'EXECUTED', failure: null });
      expect(await balanceOf(account)).toBe(200n * GX - 20n * GX - fee);
      expect(await balanceOf(dave.id)).toBe(daveBefore + 20n * GX);
      const history = (await send(bob, 'GET', `/api/v1/organizations/${orgId}/transactions`)).body.items;
      expect(history[0]).toMatchObject({
        type: 'TRANSFER_OUT',
        to: dave.id,
        amount: (20n * GX).toString(),
        fee: fee.toString(),
      });

      const second = await projected(alice, 'POST', `/api/v1/organizations/${orgId}/payments`, {
        toFabricUserId: dave.id,
        amount: (30n * GX).toString(),
      });
      await projected(bob, 'POST', `/api/v1/organizations/${orgId}/payments/${second.paymentId}/reject`);
      expect((await paymentOf(alice, orgId, second.paymentId)).status).toBe('REJECTED');
      expect(
        (await send(bob, 'POST', `/api/v1/organizations/${orgId}/payments/${second.paymentId}/approve`)).status,
      ).toBe(409);
      expect(await balanceOf(account)).toBe(200n * GX - 20n * GX - fee);
      const rejected = await send(alice, 'GET', `/api/v1/organizations/${orgId}/payments?status=REJECTED`);
      expect(rejected.body.items.map((item: { paymentId: string }) => item.paymentId)).toEqual([second.paymentId]);
    });

    it('uses the rule of the largest minAmount ≤ amount: just below, at and above each', async () => {
      const { orgId } = await verified([alice, bob, carol], 100n * GX, bob);
      const rules = [
        { minAmount: (10n * GX).toString(), requiredApprovals: 2, approvers: [alice.id, bob.id] },
        { minAmount: (50n * GX).toString(), requiredApprovals: 3, approvers: [alice.id, bob.id, carol.id] },
      ];
      await projected(alice, 'PUT', `/api/v1/organizations/${orgId}/rules`, rules);
      const cases: Array<[bigint, number, string]> = [
        [10n * GX - 1n, 1, 'EXECUTED'],
        [10n * GX, 2, 'PENDING'],
        [10n * GX + 1n, 2, 'PENDING'],
        [50n * GX - 1n, 2, 'PENDING'],
        [50n * GX, 3, 'PENDING'],
        [50n * GX + 1n, 3, 'PENDING'],
      ];
      for (const [amount, required, status] of cases) {
        const { paymentId } = await projected(alice, 'POST', `/api/v1/organizations/${orgId}/payments`, {
          toFabricUserId: erin.id,
          amount: amount.toString(),
        });
        expect(await paymentOf(alice, orgId, paymentId), `amount ${amount}`).toMatchObject({
          status,
          rule: { requiredApprovals: required },
        });
      }
    });

    it('records FAILED with nothing moved when the balance no longer covers amount + fee', async () => {
      const { orgId, account } = await verified([alice, bob, carol], 150n * GX, carol);
      await projected(alice, 'PUT', `/api/v1/organizations/${orgId}/rules`, [
        { minAmount: '1', requiredApprovals: 2, approvers: [alice.id, bob.id] },
      ]);
      const pay = () =>
        projected(alice, 'POST', `/api/v1/organizations/${orgId}/payments`, {
          toFabricUserId: erin.id,
          amount: (100n * GX).toString(),
        });
      const [first, second] = [await pay(), await pay()];
      await projected(bob, 'POST', `/api/v1/organizations/${orgId}/payments/${first.paymentId}/approve`);
      const left = await balanceOf(account);
      const erinBefore = await balanceOf(erin.id);
      await projected(bob, 'POST', `/api/v1/organizations/${orgId}/payments/${second.paymentId}/approve`);
      expect(await paymentOf(bob, orgId, second.paymentId)).toMatchObject({
        status: 'FAILED',
        failure: { code: 'GX_INSUFFICIENT_FUNDS' },
      });
      expect(await balanceOf(account)).toBe(left);
      expect(await balanceOf(erin.id)).toBe(erinBefore);
    });

    it('executes once when three approvers approve the same request at the same time', async () => {
      const { orgId, account } = await verified([alice, bob, carol, dave], 100n * GX, dave);
      await projected(alice, 'PUT', `/api/v1/organizations/${orgId}/rules`, [
        { minAmount: '1', requiredApprovals: 2, approvers: [bob.id, carol.id, dave.id] },
      ]);
      // alice is no approver: her initiation approves nothing, so two of the three approvals are needed.
      const { paymentId } = await projected(alice, 'POST', `/api/v1/organizations/${orgId}/payments`, {
        toFabricUserId: erin.id,
        amount: (10n * GX).toString(),
      });
      const erinBefore = await balanceOf(erin.id);
      const approvers = [bob, carol, dave];
      const responses = await Promise.all(
        approvers.map((who) => send(who, 'POST', `/api/v1/organizations/${orgId}/payments/${paymentId}/approve`)),
      );
      const ends = await Promise.all(
        responses.map((response, index) =>
          response.status === 202
            ? settleCommand(api, response, approvers[index]!.session.accessToken).then((end) => end.event)
            : Promise.resolve(`http ${response.status}`),
        ),
      );
      // Two approvals commit (the second executes); the third meets an executed request.
      expect(ends.filter((end) => end === 'projected')).toHaveLength(2);
      const payment = await paymentOf(alice, orgId, paymentId);
      expect(payment.status).toBe('EXECUTED');
      expect(payment.approvals).toHaveLength(2);
      expect(await balanceOf(erin.id)).toBe(erinBefore + 10n * GX);
      const history = (await send(alice, 'GET', `/api/v1/organizations/${orgId}/transactions`)).body.items;
      expect(history.filter((row: { type: string }) => row.type === 'TRANSFER_OUT')).toHaveLength(1);
      expect(await balanceOf(account)).toBe(100n * GX - 10n * GX - (10n * GX * 15n) / 10_000n);
    });

    it('lets an admin propose a GOVERNMENT organization on behalf of its first stakeholder: a government body', async () => {
      const proposal = {
        name: 'Works Department',
        type: 'GOVERNMENT',
        countryCode: 'MY',
        stakeholders: [alice.id, bob.id],
      };
      expect((await send(alice, 'POST', '/api/v1/organizations', proposal)).status).toBe(403);
      const response = await api.request('POST', '/api/v1/organizations', { token: admin.accessToken, body: proposal });
      expect((await settleCommand(api, response, admin.accessToken)).event).toBe('projected');
      const { orgId } = response.body;
      expect(await organization(bob, orgId)).toMatchObject({
        type: 'GOVERNMENT',
        proposer: alice.id,
        status: 'PENDING',
      });
      await projected(bob, 'POST', `/api/v1/organizations/${orgId}/endorse`);
      expect((await organization(alice, orgId)).fabricUserId).toMatch(/^MY [0-9A-F]{3} AAA000 7[A-Z]{4} [0-9]{4}$/);
    });

    it('refuses bad input with a 400 naming the field, enqueuing nothing', async () => {
      const before = await api.db.pool.query('SELECT count(*)::int AS n FROM outbox_command');
      const propose = (body: Record<string, unknown>) => send(alice, 'POST', '/api/v1/organizations', body);
      const base = { name: 'X', type: 'BUSINESS', countryCode: 'MY', stakeholders: [alice.id, bob.id] };
      const fieldOf = async (response: Promise<{ status: number; body: { details?: Array<{ field: string }> } }>) => {
        const answer = await response;
        expect(answer.status).toBe(400);
        return answer.body.details?.[0]?.field;
      };
      expect(await fieldOf(propose({ ...base, stakeholders: [alice.id] }))).toBe('stakeholders');
      expect(await fieldOf(propose({ ...base, stakeholders: [bob.id, carol.id] }))).toBe('stakeholders');
      expect(await fieldOf(propose({ ...base, stakeholders: [alice.id, 'MY A3F HBF934 0ABCD 1234'] }))).toBe(
        'stakeholders.1',
      );
      expect(await fieldOf(propose({ ...base, type: 'CLUB' }))).toBe('type');
      expect(await fieldOf(propose({ ...base, countryCode: 'ZZ' }))).toBe('countryCode');
      expect((await propose({ ...base, type: 'GOVERNMENT' })).status).toBe(403);
      const { orgId } = await verified([alice, bob], 10n * GX, bob);
      const rules = (body: unknown) => send(alice, 'PUT', `/api/v1/organizations/${orgId}/rules`, body);
      expect(await fieldOf(rules([{ minAmount: '1', requiredApprovals: 3, approvers: [alice.id, bob.id] }]))).toMatch(
        /requiredApprovals/,
      );
      expect(await fieldOf(rules([{ minAmount: '1', requiredApprovals: 1, approvers: [carol.id] }]))).toBe(
        '0.approvers.0',
      );
      const pay = (body: unknown) => send(alice, 'POST', `/api/v1/organizations/${orgId}/payments`, body);
      expect(await fieldOf(pay({ toFabricUserId: erin.id, amount: '-5' }))).toBe('amount');
      const account = (await organization(alice, orgId)).fabricUserId;
      expect(await fieldOf(pay({ toFabricUserId: account, amount: '5' }))).toBe('toFabricUserId');
      const after = await api.db.pool.query('SELECT count(*)::int AS n FROM outbox_command');
      // Only the commands of `verified` (propose, endorse, fund) were enqueued.
      expect(after.rows[0].n - before.rows[0].n).toBe(3);
    });
  },
);
