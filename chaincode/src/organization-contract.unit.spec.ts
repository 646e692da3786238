import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EventPayload } from './events';
import { quoteFee } from './fee-schedule';
import { OrganizationContract } from './organization-contract';
import {
  type OrganizationRecord,
  organizationAccountIdOf,
  organizationIdOf,
  type PaymentRequestRecord,
  paymentIdOf,
} from './organizations';
import { domainFees, GX, individual, requestId, systemParams } from './testing/fixtures';
import { createTestIdentities, type TestIdentities } from './testing/identities';
import { TestLedger } from './testing/ledger';
import { keys } from './world-state';

type OrganizationChange = EventPayload<'OrganizationEndorsed'>;
type PaymentChange = EventPayload<'PaymentApproved'>;

const contract = new OrganizationContract();
let ids: TestIdentities;
let ledger: TestLedger;
/** Three active individuals holding their genesis (500, 500, 100 GX). */
let [alice, bob, carol] = ['', '', ''];

beforeAll(async () => {
  ids = await createTestIdentities();
});
beforeEach(async () => {
  ledger = new TestLedger(ids);
  await ledger.bootstrap();
  [alice, bob, carol] = [await user(), await user(), await user()];
});

const user = async () => (await ledger.createUser(individual())).fabricUserId;
const asRegistrar = (body: Parameters<TestLedger['asAdmin']>[0]) => ledger.world.invoke(ids.registrar, body);
const asTransfer = (body: Parameters<TestLedger['asAdmin']>[0]) => ledger.world.invoke(ids.transfer, body);
const parse = <T>(text: string): T => JSON.parse(text) as T;

const propose = async (stakeholders: string[], proposer = stakeholders[0] ?? '', type = 'BUSINESS', id = requestId()) =>
  parse<OrganizationChange>(
    await asRegistrar((ctx) =>
      contract.ProposeOrganization(ctx, id, proposer, 'Acme', type, 'MY', JSON.stringify(stakeholders)),
    ),
  ).organization;
const endorse = async (orgId: string, by: string) =>
  parse<OrganizationChange>(await asRegistrar((ctx) => contract.EndorseOrganization(ctx, requestId(), orgId, by)))
    .organization;
const setRules = async (orgId: string, by: string, rules: unknown) =>
  parse<OrganizationChange>(
    await asRegistrar((ctx) => contract.SetApprovalRules(ctx, requestId(), orgId, by, JSON.stringify(rules))),
  ).organization;
const initiate = async (orgId: string, by: string, to: string, amount: bigint, id = requestId()) =>
  parse<PaymentChange>(
    await asTransfer((ctx) => contract.InitiatePayment(ctx, id, orgId, by, to, amount.toString(), 'rent')),
  );
const approve = async (paymentId: string, by: string) =>
  parse<PaymentChange>(await asTransfer((ctx) => contract.ApprovePayment(ctx, requestId(), paymentId, by)));
const reject = async (paymentId: string, by: string) =>
  parse<PaymentChange>(await asTransfer((ctx) => contract.RejectPayment(ctx, requestId(), paymentId, by)));
const expire = async (paymentId: string, id = requestId()) =>
  parse<PaymentChange>(await asTransfer((ctx) => contract.ExpirePaymentRequest(ctx, id, paymentId)));
const stored = <T>(key: string): T => JSON.parse(ledger.world.read(key) ?? 'null') as T;

/** A verified BUSINESS organization of alice, bob and carol, holding `funds` sent by alice. */
async function verifiedOrganization(funds = 100n * GX): Promise<OrganizationRecord> {
  const proposed = await propose([alice, bob, carol]);
  await endorse(proposed.orgId, bob);
  const organization = await endorse(proposed.orgId, carol);
  if (organization.fabricUserId === null) throw new Error('not verified');
  if (funds > 0n) await ledger.transfer(alice, organization.fabricUserId, funds);
  return organization;
}

const twoOfThree = () => [{ minAmount: (10n * GX).toString(), requiredApprovals: 2, approvers: [alice, bob, carol] }];

describe('organizations: proposal, endorsement, verification', () => {
  it('is VERIFIED with an account of its type and an empty wallet when the last stakeholder endorses', async () => {
    const id = requestId();
    const proposed = await propose([alice, bob, carol], alice, 'BUSINESS', id);
    expect(proposed).toMatchObject({
      orgId: organizationIdOf(id),
      status: 'PENDING',
      fabricUserId: null,
      endorsements: [{ by: alice }],
    });
    expect((await endorse(proposed.orgId, bob)).status).toBe('PENDING');
    const verified = await endorse(proposed.orgId, carol);
    const account = organizationAccountIdOf(proposed.orgId, 'BUSINESS', 'MY');
    expect(verified).toMatchObject({ status: 'VERIFIED', fabricUserId: account });
    expect(verified.endorsements.map((endorsement) => endorsement.by)).toEqual([alice, bob, carol]);
    expect(account).toMatch(/^MY [0-9A-F]{3} AAA000 1[A-Z]{4} [0-9]{4}$/);
    expect(await ledger.balance(account)).toBe(0n);
    expect(ledger.world.read(keys.organizationAccount(account))).toBe(JSON.stringify(proposed.orgId));
    expect(ledger.events().map((event) => event.name)).toContain('OrganizationEndorsed');
  });

  it('types NON_PROFIT 2 and GOVERNMENT 7, and only the admin key proposes GOVERNMENT', async () => {
    const nonProfit = await propose([alice, bob], alice, 'NON_PROFIT');
    expect((await endorse(nonProfit.orgId, bob)).fabricUserId).toMatch(/ AAA000 2/);
    await expect(propose([alice, bob], alice, 'GOVERNMENT')).rejects.toThrow(/^GX_FORBIDDEN: type: only an admin/);
    const government = parse<OrganizationChange>(
      await ledger.asAdmin((ctx) =>
        contract.ProposeGovernmentOrganization(
          ctx,
          requestId(),
          alice,
          'Works',
          'GOVERNMENT',
          'MY',
          JSON.stringify([alice, bob]),
        ),
      ),
    ).organization;
    expect((await endorse(government.orgId, bob)).fabricUserId).toMatch(/ AAA000 7/);
    await expect(
      ledger.asAdmin((ctx) =>
        contract.ProposeGovernmentOrganization(
          ctx,
          requestId(),
          alice,
          'Shop',
          'BUSINESS',
          'MY',
          JSON.stringify([alice, bob]),
        ),
      ),
    ).rejects.toThrow(/^GX_INVALID_ARGUMENT: type: /);
  });

  it('needs 2 to 20 distinct active stakeholders, the proposer among them', async () => {
    await expect(propose([alice])).rejects.toThrow(/^GX_INVALID_ARGUMENT: invalid stakeholdersJson/);
    const many = [alice, bob, carol];
    while (many.length < 21) many.push(await user());
    await expect(propose(many)).rejects.toThrow(/^GX_INVALID_ARGUMENT: invalid stakeholdersJson/);
    expect((await propose(many.slice(0, 20))).stakeholders).toHaveLength(20);
    await expect(propose([alice, alice])).rejects.toThrow(/stakeholder twice/);
    await expect(propose([bob, carol], alice)).rejects.toThrow(/^GX_NOT_A_STAKEHOLDER: proposerFabricUserId/);
    const stranger = individual().fabricUserId;
    await expect(propose([alice, stranger])).rejects.toThrow(/^GX_NOT_FOUND: /);
    await ledger.world.invoke(ids.registrar, (ctx) =>
      ledger.identity.UpdateUserStatus(ctx, requestId(), carol, 'LOCKED', 'fraud review'),
    );
    await expect(propose([alice, carol])).rejects.toThrow(/^GX_ACCOUNT_LOCKED: stakeholdersJson\[1\]/);
  });

  it('refuses a second endorsement (the proposal is the proposer’s), an outsider and a verified organization', async () => {
    const proposed = await propose([alice, bob, carol]);
    await expect(endorse(proposed.orgId, alice)).rejects.toThrow(/^GX_ALREADY_ENDORSED: /);
    await endorse(proposed.orgId, bob);
    await expect(endorse(proposed.orgId, bob)).rejects.toThrow(/^GX_ALREADY_ENDORSED: /);
    await expect(endorse(proposed.orgId, await user())).rejects.toThrow(/^GX_NOT_A_STAKEHOLDER: /);
    await endorse(proposed.orgId, carol);
    await expect(endorse(proposed.orgId, carol)).rejects.toThrow(/^GX_ORGANIZATION_STATE: /);
    await expect(endorse('f'.repeat(32), carol)).rejects.toThrow(/^GX_NOT_FOUND: /);
    await expect(endorse('nope', carol)).rejects.toThrow(/^GX_INVALID_ARGUMENT: orgId/);
  });
});

describe('organizations: approval rules', () => {
  it('keeps approvers among the stakeholders and 1 ≤ requiredApprovals ≤ approvers', async () => {
    const pending = await propose([alice, bob]);
    await expect(setRules(pending.orgId, alice, [])).rejects.toThrow(/^GX_ORGANIZATION_STATE: /);
    const { orgId } = await verifiedOrganization(0n);
    const outsider = await user();
    await expect(
      setRules(orgId, alice, [{ minAmount: '1', requiredApprovals: 1, approvers: [outsider] }]),
    ).rejects.toThrow(/^GX_NOT_A_STAKEHOLDER: rulesJson\[0\]\.approvers/);
    await expect(
      setRules(orgId, alice, [{ minAmount: '1', requiredApprovals: 3, approvers: [alice, bob] }]),
    ).rejects.toThrow(/rulesJson\.0\.requiredApprovals: must be at most the number of approvers/);
    await expect(
      setRules(orgId, alice, [{ minAmount: '1', requiredApprovals: 0, approvers: [alice] }]),
    ).rejects.toThrow(/rulesJson\.0\.requiredApprovals/);
    const rule = { minAmount: '1', requiredApprovals: 1, approvers: [alice] };
    await expect(setRules(orgId, alice, [rule, rule])).rejects.toThrow(/listed twice/);
    await expect(setRules(orgId, outsider, [rule])).rejects.toThrow(/^GX_NOT_A_STAKEHOLDER: byFabricUserId/);
    expect((await setRules(orgId, bob, [rule])).rules).toEqual([rule]);
  });

  it('chooses the rule with the largest minAmount ≤ amount: just below, at and above each minAmount', async () => {
    const { orgId, fabricUserId } = await verifiedOrganization(400n * GX);
    const rules = [
      { minAmount: (10n * GX).toString(), requiredApprovals: 2, approvers: [alice, bob] },
      { minAmount: (50n * GX).toString(), requiredApprovals: 3, approvers: [alice, bob, carol] },
    ];
    await setRules(orgId, alice, rules);
    const cases: Array<[bigint, { requiredApprovals: number; minAmount: string }]> = [
      [10n * GX - 1n, { requiredApprovals: 1, minAmount: '0' }],
      [10n * GX, rules[0]!],
      [10n * GX + 1n, rules[0]!],
      [50n * GX - 1n, rules[0]!],
      [50n * GX, rules[1]!],
      [50n * GX + 1n, rules[1]!],
    ];
    for (const [amount, expected] of cases) {
      const { payment } = await initiate(orgId, alice, carol, amount);
      expect(payment.rule, `amount ${amount}`).toMatchObject(expected);
      // Below every rule the initiator's approval suffices, so the payment executes at once.
      expect(payment.status, `amount ${amount}`).toBe(expected.requiredApprovals === 1 ? 'EXECUTED' : 'PENDING');
    }
    expect(await ledger.balance(fabricUserId ?? '')).toBeLessThan(400n * GX);
  });
});

describe('organizations: payment requests', () => {
  it('2 of 3: initiation is the first approval, the second executes with the fees of a transfer', async () => {
    const { orgId, fabricUserId } = await verifiedOrganization();
    const account = fabricUserId ?? '';
    await setRules(orgId, alice, twoOfThree());
    const id = requestId();
    const amount = 20n * GX;
    const initiated = await initiate(orgId, alice, carol, amount, id);
    expect(initiated.payment).toMatchObject({
      paymentId: paymentIdOf(id),
      status: 'PENDING',
      approvals: [{ by: alice }],
    });
    expect(initiated.transfer).toBeNull();
    const carolBefore = await ledger.balance(carol);
    const executed = await approve(initiated.payment.paymentId, bob);
    const fee = quoteFee(domainFees(), account, carol, amount).fee;
    expect(fee).toBe((amount * 15n) / 10_000n); // MERCHANT LOCAL: a business paying a person
    expect(executed.payment.status).toBe('EXECUTED');
    expect(executed.transfer).toMatchObject({
      from: account,
      to: carol,
      amount: amount.toString(),
      fee: fee.toString(),
    });
    expect(await ledger.balance(account)).toBe(100n * GX - amount - fee);
    expect(await ledger.balance(carol)).toBe(carolBefore + amount);
    expect(ledger.world.read(keys.feeShard(account))).toBe(JSON.stringify(fee.toString()));
    await expect(approve(initiated.payment.paymentId, carol)).rejects.toThrow(/^GX_PAYMENT_STATE: /);
  });

  it('refuses a non-approver and a double approval, and one rejection ends the request', async () => {
    const { orgId } = await verifiedOrganization();
    await setRules(orgId, alice, [{ minAmount: '1', requiredApprovals: 2, approvers: [alice, bob] }]);
    const { payment } = await initiate(orgId, alice, carol, 5n * GX);
    await expect(approve(payment.paymentId, carol)).rejects.toThrow(/^GX_NOT_AN_APPROVER: /);
    await expect(reject(payment.paymentId, carol)).rejects.toThrow(/^GX_NOT_AN_APPROVER: /);
    await expect(approve(payment.paymentId, alice)).rejects.toThrow(/^GX_ALREADY_APPROVED: /);
    const rejected = await reject(payment.paymentId, bob);
    expect(rejected.payment.status).toBe('REJECTED');
    await expect(approve(payment.paymentId, bob)).rejects.toThrow(/^GX_PAYMENT_STATE: /);
    expect(stored<PaymentRequestRecord>(keys.paymentRequest(payment.paymentId)).status).toBe('REJECTED');
  });

  it('commits EXPIRED when someone acts at or past expiresAt (72 h by default), moving nothing', async () => {
    const { orgId, fabricUserId } = await verifiedOrganization();
    await setRules(orgId, alice, twoOfThree());
    const { payment } = await initiate(orgId, alice, carol, 20n * GX);
    expect(Date.parse(payment.expiresAt) - Date.parse(payment.createdAt)).toBe(72 * 3_600_000);
    // The next transaction is one second after the last; land exactly on expiresAt.
    ledger.world.advanceClock(72 * 3600 - 1);
    const before = ledger.heldEverywhere();
    const expired = await approve(payment.paymentId, bob);
    expect(expired.payment.status).toBe('EXPIRED');
    expect(expired.transfer).toBeNull();
    expect(await ledger.balance(fabricUserId ?? '')).toBe(100n * GX);
    expect(ledger.heldEverywhere()).toBe(before);
    await expect(reject(payment.paymentId, bob)).rejects.toThrow(/^GX_PAYMENT_STATE: /);
  });

  it('takes the expiry from multisigExpiryHours; one second before it the request is still open', async () => {
    ledger = new TestLedger(ids);
    await ledger.bootstrap(systemParams({ multisigExpiryHours: 1 }));
    [alice, bob, carol] = [await user(), await user(), await user()];
    const { orgId } = await verifiedOrganization();
    await setRules(orgId, alice, twoOfThree());
    const first = (await initiate(orgId, alice, carol, 20n * GX)).payment;
    const second = (await initiate(orgId, alice, carol, 20n * GX)).payment;
    expect(Date.parse(first.expiresAt) - Date.parse(first.createdAt)).toBe(3_600_000);
    // Transactions are one second apart: `second` is rejected one second before its expiry, then `first` is
    // acted on one second past its own.
    ledger.world.advanceClock(3600 - 2);
    expect((await reject(second.paymentId, bob)).payment.status).toBe('REJECTED');
    expect((await reject(first.paymentId, bob)).payment.status).toBe('EXPIRED');
  });

  it('ExpirePaymentRequest commits EXPIRED at expiresAt, refuses before it and answers a decided request unchanged', async () => {
    const { orgId, fabricUserId } = await verifiedOrganization();
    await setRules(orgId, alice, twoOfThree());
    const { payment } = await initiate(orgId, alice, carol, 20n * GX);
    const decided = (await initiate(orgId, alice, carol, 20n * GX)).payment;
    await reject(decided.paymentId, bob);
    // One second before expiresAt (the next transaction is one second after the last): refused, nothing written.
    ledger.world.advanceClock(72 * 3600 - 4);
    const retried = requestId();
    await expect(expire(payment.paymentId, retried)).rejects.toThrow(/^GX_PAYMENT_NOT_EXPIRED: /);
    expect(stored<PaymentRequestRecord>(keys.paymentRequest(payment.paymentId)).status).toBe('PENDING');
    // The refusal recorded nothing under the request id: the same id expires it once it is due.
    const before = ledger.heldEverywhere();
    const expired = await expire(payment.paymentId, retried);
    expect(expired).toMatchObject({ by: 'gx-scheduler', transfer: null, payment: { status: 'EXPIRED' } });
    expect(stored<PaymentRequestRecord>(keys.paymentRequest(payment.paymentId)).status).toBe('EXPIRED');
    expect(await ledger.balance(fabricUserId ?? '')).toBe(100n * GX);
    expect(ledger.heldEverywhere()).toBe(before);
    // Enqueued twice, or after someone else decided: the current status, unchanged.
    expect((await expire(payment.paymentId)).payment.status).toBe('EXPIRED');
    expect((await expire(decided.paymentId)).payment.status).toBe('REJECTED');
    expect(stored<PaymentRequestRecord>(keys.paymentRequest(decided.paymentId)).status).toBe('REJECTED');
    await expect(expire('not-an-id')).rejects.toThrow(/^GX_INVALID_ARGUMENT: paymentId/);
    await expect(expire('0'.repeat(32))).rejects.toThrow(/^GX_NOT_FOUND: /);
  });

  it('records FAILED, nothing moved, when the balance no longer covers amount + fee', async () => {
    const { orgId, fabricUserId } = await verifiedOrganization(30n * GX);
    const account = fabricUserId ?? '';
    await setRules(orgId, alice, twoOfThree());
    const first = (await initiate(orgId, alice, carol, 20n * GX)).payment;
    const second = (await initiate(orgId, alice, bob, 20n * GX)).payment;
    expect((await approve(first.paymentId, bob)).payment.status).toBe('EXECUTED');
    const balance = await ledger.balance(account);
    const before = ledger.heldEverywhere();
    const failed = await approve(second.paymentId, carol);
    expect(failed.payment).toMatchObject({ status: 'FAILED', failure: { code: 'GX_INSUFFICIENT_FUNDS' } });
    expect(failed.payment.approvals.map((approval) => approval.by)).toEqual([alice, carol]);
    expect(await ledger.balance(account)).toBe(balance);
    expect(ledger.heldEverywhere()).toBe(before);
    expect(stored<PaymentRequestRecord>(keys.paymentRequest(second.paymentId)).status).toBe('FAILED');
  });

  it('records FAILED for a frozen organization wallet; a pause refuses the approval itself', async () => {
    const { orgId, fabricUserId } = await verifiedOrganization();
    await setRules(orgId, alice, twoOfThree());
    const first = (await initiate(orgId, alice, carol, 20n * GX)).payment;
    const second = (await initiate(orgId, alice, carol, 20n * GX)).payment;
    await ledger.asSuperAdmin((ctx) => ledger.admin.PauseSystem(ctx, requestId(), 'drill'));
    await expect(approve(first.paymentId, bob)).rejects.toThrow(/^GX_SYSTEM_PAUSED: /);
    expect(stored<PaymentRequestRecord>(keys.paymentRequest(first.paymentId)).approvals).toHaveLength(1);
    await ledger.asSuperAdmin((ctx) => ledger.admin.ResumeSystem(ctx, requestId(), 'drill over'));
    expect((await approve(first.paymentId, bob)).payment.status).toBe('EXECUTED');
    await ledger.asAdmin((ctx) =>
      ledger.tokenomics.FreezeWallet(ctx, requestId(), fabricUserId ?? '', 'ADMIN_ACTION', 'audit'),
    );
    expect((await approve(second.paymentId, bob)).payment).toMatchObject({
      status: 'FAILED',
      failure: { code: 'GX_ACCOUNT_FROZEN' },
    });
  });

  it('lets anyone pay the organization, but the organization sends only through payment requests', async () => {
    const { fabricUserId } = await verifiedOrganization(5n * GX);
    const account = fabricUserId ?? '';
    expect(await ledger.balance(account)).toBe(5n * GX);
    await expect(ledger.transfer(account, alice, 1n)).rejects.toThrow(/^GX_FORBIDDEN: from: organization/);
  });

  it('refuses an outsider initiating, a pending organization, a malformed amount and paying itself', async () => {
    const pending = await propose([alice, bob]);
    await expect(initiate(pending.orgId, alice, carol, 1n)).rejects.toThrow(/^GX_ORGANIZATION_STATE: /);
    const { orgId, fabricUserId } = await verifiedOrganization();
    await expect(initiate(orgId, await user(), carol, 1n)).rejects.toThrow(/^GX_NOT_A_STAKEHOLDER: /);
    await expect(initiate(orgId, alice, carol, 0n)).rejects.toThrow(/^GX_INVALID_ARGUMENT: amount/);
    await expect(initiate(orgId, alice, fabricUserId ?? '', 1n)).rejects.toThrow(
      /^GX_INVALID_ARGUMENT: toFabricUserId/,
    );
  });

  it('replays a request id without applying it twice', async () => {
    const { orgId, fabricUserId } = await verifiedOrganization();
    const id = requestId();
    const first = await initiate(orgId, alice, carol, 2n * GX, id);
    const again = await initiate(orgId, alice, carol, 2n * GX, id);
    expect(again).toEqual(first);
    expect(first.payment.status).toBe('EXECUTED');
    expect(await ledger.balance(fabricUserId ?? '')).toBe(100n * GX - 2n * GX - BigInt(first.transfer?.fee ?? '0'));
  });
});
