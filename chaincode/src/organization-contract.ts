import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { canonicalJson } from './canonical-json';
import { runIdempotent } from './idempotent-request';
import {
  approvePayment,
  endorseOrganization,
  expirePaymentRequest,
  initiatePayment,
  organizationOf,
  type PaymentChange,
  paymentRequestOf,
  proposeOrganization,
  rejectPayment,
  setApprovalRules,
} from './organization-ledger';

/** The event payload of a payment function (docs/organizations.md, Events). */
function paymentEvent(requestId: string, timestamp: string, change: PaymentChange) {
  return { version: 1 as const, requestId, timestamp, ...change };
}

/**
 * Organizations and their multi-signature payments (docs/organizations.md). The backend signs with a role
 * identity and names the acting user (`by…`); the rules check that user.
 */
@Info({ title: 'OrganizationContract', description: 'GX organizations and multi-signature payments' })
export class OrganizationContract extends Contract {
  constructor() {
    super('OrganizationContract');
  }

  /**
   * A stakeholder proposes a BUSINESS or NON_PROFIT organization with 2-20 active stakeholders, itself among
   * them; the proposal is its endorsement. The id derives from the request id. Emits OrganizationProposed.
   */
  @Transaction()
  @Returns('string')
  async ProposeOrganization(
    ctx: Context,
    requestId: string,
    proposerFabricUserId: string,
    name: string,
    type: string,
    countryCode: string,
    stakeholdersJson: string,
  ): Promise<string> {
    const proposal = { proposer: proposerFabricUserId, name, type, countryCode, stakeholdersJson };
    return runIdempotent(ctx, {
      fn: 'OrganizationContract:ProposeOrganization',
      requestId,
      args: [proposerFabricUserId, name, type, countryCode, stakeholdersJson],
      event: 'OrganizationProposed',
      apply: async (timestamp) => ({
        version: 1,
        requestId,
        timestamp,
        organization: await proposeOrganization(ctx, requestId, proposal, false, timestamp),
        by: proposerFabricUserId,
      }),
    });
  }

  /** As ProposeOrganization, for a GOVERNMENT organization: only through the admin key. */
  @Transaction()
  @Returns('string')
  async ProposeGovernmentOrganization(
    ctx: Context,
    requestId: string,
    proposerFabricUserId: string,
    name: string,
    type: string,
    countryCode: string,
    stakeholdersJson: string,
  ): Promise<string> {
    const proposal = { proposer: proposerFabricUserId, name, type, countryCode, stakeholdersJson };
    return runIdempotent(ctx, {
      fn: 'OrganizationContract:ProposeGovernmentOrganization',
      requestId,
      args: [proposerFabricUserId, name, type, countryCode, stakeholdersJson],
      event: 'OrganizationProposed',
      apply: async (timestamp) => ({
        version: 1,
        requestId,
        timestamp,
        organization: await proposeOrganization(ctx, requestId, proposal, true, timestamp),
        by: proposerFabricUserId,
      }),
    });
  }

  /** A stakeholder endorses; the last endorsement verifies (account id and wallet). Emits OrganizationEndorsed. */
  @Transaction()
  @Returns('string')
  async EndorseOrganization(ctx: Context, requestId: string, orgId: string, byFabricUserId: string): Promise<string> {
    return runIdempotent(ctx, {
      fn: 'OrganizationContract:EndorseOrganization',
      requestId,
      args: [orgId, byFabricUserId],
      event: 'OrganizationEndorsed',
      apply: async (timestamp) => ({
        version: 1,
        requestId,
        timestamp,
        organization: await endorseOrganization(ctx, orgId, byFabricUserId, timestamp),
        by: byFabricUserId,
      }),
    });
  }

  /** A stakeholder replaces the approval rules of a verified organization. Emits ApprovalRulesSet. */
  @Transaction()
  @Returns('string')
  async SetApprovalRules(
    ctx: Context,
    requestId: string,
    orgId: string,
    byFabricUserId: string,
    rulesJson: string,
  ): Promise<string> {
    return runIdempotent(ctx, {
      fn: 'OrganizationContract:SetApprovalRules',
      requestId,
      args: [orgId, byFabricUserId, rulesJson],
      event: 'ApprovalRulesSet',
      apply: async (timestamp) => ({
        version: 1,
        requestId,
        timestamp,
        organization: await setApprovalRules(ctx, orgId, byFabricUserId, rulesJson, timestamp),
        by: byFabricUserId,
      }),
    });
  }

  /**
   * A stakeholder asks the organization to pay; it counts as its approval (when an approver of the rule) and
   * executes at once if that meets the threshold. Emits PaymentInitiated (PENDING, EXECUTED or FAILED).
   */
  @Transaction()
  @Returns('string')
  async InitiatePayment(
    ctx: Context,
    requestId: string,
    orgId: string,
    byFabricUserId: string,
    toFabricUserId: string,
    amount: string,
    memo: string,
  ): Promise<string> {
    const initiation = { orgId, by: byFabricUserId, to: toFabricUserId, amount, memo };
    return runIdempotent(ctx, {
      fn: 'OrganizationContract:InitiatePayment',
      requestId,
      args: [orgId, byFabricUserId, toFabricUserId, amount, memo],
      event: 'PaymentInitiated',
      apply: async (timestamp) =>
        paymentEvent(requestId, timestamp, await initiatePayment(ctx, requestId, initiation, timestamp)),
    });
  }

  /**
   * An approver approves; reaching the threshold executes (or records FAILED); an expired request records
   * EXPIRED instead. Emits PaymentApproved.
   */
  @Transaction()
  @Returns('string')
  async ApprovePayment(ctx: Context, requestId: string, paymentId: string, byFabricUserId: string): Promise<string> {
    return runIdempotent(ctx, {
      fn: 'OrganizationContract:ApprovePayment',
      requestId,
      args: [paymentId, byFabricUserId],
      event: 'PaymentApproved',
      apply: async (timestamp) =>
        paymentEvent(requestId, timestamp, await approvePayment(ctx, paymentId, byFabricUserId, timestamp)),
    });
  }

  /** An approver rejects: the request is REJECTED (EXPIRED if it had expired). Emits PaymentRejected. */
  @Transaction()
  @Returns('string')
  async RejectPayment(ctx: Context, requestId: string, paymentId: string, byFabricUserId: string): Promise<string> {
    return runIdempotent(ctx, {
      fn: 'OrganizationContract:RejectPayment',
      requestId,
      args: [paymentId, byFabricUserId],
      event: 'PaymentRejected',
      apply: async (timestamp) =>
        paymentEvent(requestId, timestamp, await rejectPayment(ctx, paymentId, byFabricUserId, timestamp)),
    });
  }

  /**
   * The scheduler expires a PENDING request at or past its expiresAt; a request no longer PENDING is answered
   * unchanged; one not yet expired is GX_PAYMENT_NOT_EXPIRED. Emits PaymentExpired.
   */
  @Transaction()
  @Returns('string')
  async ExpirePaymentRequest(ctx: Context, requestId: string, paymentId: string): Promise<string> {
    return runIdempotent(ctx, {
      fn: 'OrganizationContract:ExpirePaymentRequest',
      requestId,
      args: [paymentId],
      event: 'PaymentExpired',
      apply: async (timestamp) =>
        paymentEvent(requestId, timestamp, await expirePaymentRequest(ctx, paymentId, timestamp)),
    });
  }

  /** The organization record (GX_NOT_FOUND for an unknown id). */
  @Transaction(false)
  @Returns('string')
  async GetOrganization(ctx: Context, orgId: string): Promise<string> {
    return canonicalJson(await organizationOf(ctx, orgId));
  }

  /** The payment request record with its approvals (GX_NOT_FOUND for an unknown id). */
  @Transaction(false)
  @Returns('string')
  async GetPaymentRequest(ctx: Context, paymentId: string): Promise<string> {
    return canonicalJson(await paymentRequestOf(ctx, paymentId));
  }
}
