/**
 * The scheduler's expiry job over the whole system: read model → outbox → submitter → devnet (real Fabric
 * Gateway client, gxtv3) → projector. The transaction time comes from the wall clock and a request's expiry is
 * at least an hour away, so the ledger's EXPIRED path is specified in chaincode/src/organization-contract
 * .unit.spec.ts; here the two paths the wall clock allows: a read model that says "due" while the ledger says
 * "not yet" (refused, nothing changed, never enqueued again) and a request decided before the expiry ran (a
 * committed no-op). Devnet only: it bootstraps its own ledger.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Session, TestApi } from '../../test/support/api-server.js';
import { devnetOnly, externalLedger } from '../../test/support/ledger.js';
import { waitForRows } from '../../test/support/outbox.js';
import { settleCommand, startTestSystem, type TestSystem } from '../../test/support/system.js';
import { DEFAULT_SYSTEM_PARAMS } from '../capabilities/admin/default-system-params.js';
import { enqueueExpiry, expirePaymentRequestsJob, expiryRequestId } from './expire-payment-requests.js';

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
let orgId: string;
let account: string;

async function member(): Promise<Member> {
  const session = await api.registerUser({ nationalityCountryCode: 'MY' });
  await api.passKyc(session);
  const approval = await api.request('POST', `/api/v1/admin/users/${session.profileId}/approve`, {
    token: admin.accessToken,
    body: { accountType: 0 },
  });
  expect((await settleCommand(api, approval, admin.accessToken)).event).toBe('projected');
  return { session, id: approval.body.fabricUserId as string };
}

async function projected(who: Member, method: string, path: string, body?: unknown) {
  const response = await api.request(method, path, { token: who.session.accessToken, body });
  const end = await settleCommand(api, response, who.session.accessToken);
  expect(end.event, JSON.stringify(end.data)).toBe('projected');
  return response.body;
}

/** The request as the ledger holds it. */
async function onLedger(paymentId: string): Promise<{ status: string; updatedAt: string }> {
  const bytes = await system.ledger.evaluate('OrganizationContract', 'GetPaymentRequest', [paymentId]);
  return JSON.parse(Buffer.from(bytes).toString('utf8'));
}

async function readModel(paymentId: string): Promise<{ status: string; last_block: string }> {
  const result = await api.db.pool.query('SELECT status, last_block FROM organization_payment WHERE payment_id = $1', [
    paymentId,
  ]);
  return result.rows[0];
}

async function expiryCommand(paymentId: string): Promise<{ id: string }[]> {
  const result = await api.db.pool.query('SELECT id FROM outbox_command WHERE request_id = $1', [
    expiryRequestId(paymentId),
  ]);
  return result.rows;
}

/** A 20 GX payment of the organization to carol, PENDING (2 of 2 approvals needed, alice's given). */
async function pendingPayment(): Promise<string> {
  const { paymentId } = await projected(alice, 'POST', `/api/v1/organizations/${orgId}/payments`, {
    toFabricUserId: carol.id,
    amount: (20n * GX).toString(),
  });
  expect((await readModel(paymentId)).status).toBe('PENDING');
  return paymentId as string;
}

beforeAll(async () => {
  if (externalLedger) return;
  system = await startTestSystem('scheduler-e2e');
  ({ api } = system);
  admin = await api.admin();
  const boot = await api.request('POST', '/api/v1/bootstrap', {
    token: admin.accessToken,
    body: { params: { ...DEFAULT_SYSTEM_PARAMS, multisigExpiryHours: 1 } },
  });
  expect((await settleCommand(api, boot, admin.accessToken)).event).toBe('projected');
  [alice, bob, carol] = [await member(), await member(), await member()];
  ({ orgId } = await projected(alice, 'POST', '/api/v1/organizations', {
    name: 'Two Partners Sdn Bhd',
    type: 'BUSINESS',
    countryCode: 'MY',
    stakeholders: [alice.id, bob.id],
  }));
  await projected(bob, 'POST', `/api/v1/organizations/${orgId}/endorse`);
  const organization = await api.request('GET', `/api/v1/organizations/${orgId}`, {
    token: alice.session.accessToken,
  });
  account = organization.body.fabricUserId as string;
  await projected(alice, 'POST', '/api/v1/transfers', { toFabricUserId: account, amount: (100n * GX).toString() });
  await projected(bob, 'PUT', `/api/v1/organizations/${orgId}/rules`, [
    { minAmount: (10n * GX).toString(), requiredApprovals: 2, approvers: [alice.id, bob.id] },
  ]);
}, 240_000);

afterAll(async () => {
  await system?.stop();
});

describe.skipIf(externalLedger)(
  `the scheduler's expiry job over the whole system ${devnetOnly('bootstraps its own ledger')}`,
  () => {
    it('a request the read model calls due but the ledger not yet: refused, nothing changed, not enqueued again', async () => {
      const paymentId = await pendingPayment();
      const before = await onLedger(paymentId);
      // The read model's clock ahead of the ledger's (a skew larger than the grace margin).
      await api.db.pool.query(
        `UPDATE organization_payment SET expires_at = now() - interval '1 hour' WHERE payment_id = $1`,
        [paymentId],
      );
      const job = expirePaymentRequestsJob(api.db.pool, { intervalMs: 1000 });
      expect(await job.run()).toEqual({ due: 1, enqueued: 1 });
      const [command] = await expiryCommand(paymentId);
      const [row] = await waitForRows(api.db.pool, [command?.id ?? '']);
      expect(row).toMatchObject({ command_type: 'EXPIRE_PAYMENT_REQUEST', status: 'FAILED' });
      expect(row?.error).toMatch(/GX_PAYMENT_NOT_EXPIRED/);
      expect(await onLedger(paymentId)).toEqual(before);
      expect((await readModel(paymentId)).status).toBe('PENDING');
      // Its expiry is in the outbox: later runs leave it to the operator (runbook: retry the dead letter).
      expect(await job.run()).toEqual({ due: 0, enqueued: 0 });
      expect(await expiryCommand(paymentId)).toHaveLength(1);
    });

    it('a request decided before its expiry ran: the expiry commits as a no-op, the request unchanged', async () => {
      const paymentId = await pendingPayment();
      await projected(bob, 'POST', `/api/v1/organizations/${orgId}/payments/${paymentId}/reject`);
      const decided = await onLedger(paymentId);
      expect(decided.status).toBe('REJECTED');

      expect(await enqueueExpiry(api.db.pool, paymentId)).toBe(true);
      expect(await enqueueExpiry(api.db.pool, paymentId)).toBe(false);
      const commands = await expiryCommand(paymentId);
      expect(commands).toHaveLength(1);
      const [row] = await waitForRows(api.db.pool, [commands[0]?.id ?? '']);
      expect(row).toMatchObject({ status: 'COMMITTED' });
      expect(await onLedger(paymentId)).toEqual(decided);
      // The projector applied its PaymentExpired (the request unchanged) at that block.
      await vi.waitFor(
        async () => expect(BigInt((await readModel(paymentId)).last_block)).toBe(BigInt(row?.block_number ?? -1)),
        { timeout: 20_000, interval: 50 },
      );
      expect((await readModel(paymentId)).status).toBe('REJECTED');
    });
  },
);
