import { describe, expect, it } from 'vitest';
import { CommandValidationError, toLedgerCall, validateCommand } from '../../commands/catalogue.js';

const alice = 'MY A3F HBF934 0ABCD 1234';
const bob = 'SG 0B1 AAA123 1WXYZ 9876';
const account = 'MY 3A1 AAA000 1KQZD 0417';
const orgId = '0123456789abcdef0123456789abcdef';
const paymentId = 'fedcba9876543210fedcba9876543210';

const fields = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof CommandValidationError) return error.issues.map((issue) => issue.field);
  }
  throw new Error('expected a CommandValidationError');
};

describe('organization commands', () => {
  it('proposes through the registrar, and a GOVERNMENT organization through the admin key', () => {
    const proposal = {
      proposerFabricUserId: alice,
      name: 'Acme',
      type: 'BUSINESS',
      countryCode: 'MY',
      stakeholders: [alice, bob],
    };
    expect(toLedgerCall('PROPOSE_ORGANIZATION', 'r', proposal)).toMatchObject({
      contract: 'OrganizationContract',
      fn: 'ProposeOrganization',
      args: ['r', alice, 'Acme', 'BUSINESS', 'MY', JSON.stringify([alice, bob])],
      signer: 'registrar',
    });
    expect(toLedgerCall('PROPOSE_GOVERNMENT_ORGANIZATION', 'r', { ...proposal, type: 'GOVERNMENT' })).toMatchObject({
      fn: 'ProposeGovernmentOrganization',
      signer: 'admin',
    });
  });

  it('serialises endorsements and rules on the organization, payment actions on the request and both wallets', () => {
    expect(toLedgerCall('ENDORSE_ORGANIZATION', 'r', { orgId, byFabricUserId: bob }).conflictKeys).toEqual([
      `organization:${orgId}`,
    ]);
    const rules = [{ minAmount: '5', requiredApprovals: 1, approvers: [alice] }];
    expect(toLedgerCall('SET_APPROVAL_RULES', 'r', { orgId, byFabricUserId: alice, rules })).toMatchObject({
      args: ['r', orgId, alice, JSON.stringify(rules)],
      conflictKeys: [`organization:${orgId}`],
    });
    const initiate = toLedgerCall('INITIATE_ORGANIZATION_PAYMENT', 'r', {
      orgId,
      byFabricUserId: alice,
      organizationAccount: account,
      toFabricUserId: bob,
      amount: '10',
    });
    expect(initiate).toMatchObject({
      fn: 'InitiatePayment',
      args: ['r', orgId, alice, bob, '10', ''],
      signer: 'transfer',
    });
    expect(initiate.conflictKeys).toEqual([`user:${account}`, `user:${bob}`]);
    const action = { paymentId, byFabricUserId: bob, organizationAccount: account, toFabricUserId: alice };
    expect(toLedgerCall('APPROVE_ORGANIZATION_PAYMENT', 'r', action)).toMatchObject({
      fn: 'ApprovePayment',
      args: ['r', paymentId, bob],
      conflictKeys: [`org-payment:${paymentId}`, `user:${account}`, `user:${alice}`],
    });
    expect(toLedgerCall('REJECT_ORGANIZATION_PAYMENT', 'r', action)).toMatchObject({
      fn: 'RejectPayment',
      conflictKeys: [`org-payment:${paymentId}`],
    });
  });

  it('names each bad field', () => {
    expect(
      fields(() =>
        validateCommand('PROPOSE_ORGANIZATION', {
          proposerFabricUserId: alice,
          name: '',
          type: 'CLUB',
          countryCode: 'my',
          stakeholders: [alice],
        }),
      ),
    ).toEqual(['name', 'type', 'countryCode', 'stakeholders']);
    expect(
      fields(() =>
        validateCommand('SET_APPROVAL_RULES', {
          orgId,
          byFabricUserId: alice,
          rules: [{ minAmount: '1', requiredApprovals: 2, approvers: [alice] }],
        }),
      ),
    ).toEqual(['rules.0.requiredApprovals']);
  });
});
