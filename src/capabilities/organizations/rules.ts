/**
 * The organization rules the API checks before a command enters the outbox, against the read models. The
 * ledger remains the judge (docs/organizations.md): a read model a block behind can only let through a command
 * that then ends FAILED with its GX_ code, never a wrong organization or payment.
 */
import { randomUUID } from 'node:crypto';
import { type ApprovalRule, type OrganizationType, organizationIdOf, paymentIdOf } from '@gx/chaincode';
import type pg from 'pg';
import type { EnqueuedCommand } from '../../outbox/enqueue.js';
import type { OutboxBatcher } from '../../outbox/group-commit.js';
import { findProfile } from '../identity/index.js';
import { isActiveRegisteredUser } from '../trust/relationships.js';
import { countryUnknown, findOrganization, findPayment, type OrganizationView, walletExists } from './read-models.js';

export type OrganizationRefusal =
  /** The caller's profile no longer exists. */
  | 'UNKNOWN_CALLER'
  | 'CALLER_LOCKED'
  /** Organizations need an approved profile registered on the ledger. */
  | 'CALLER_NOT_ON_LEDGER'
  /** GOVERNMENT organizations are proposed by admins only. */
  | 'NOT_ADMIN'
  /** A body field is wrong in a way its schema cannot see (names the field). */
  | 'INVALID_FIELD'
  /** No organization (or payment request of it) with that id that the caller may see. */
  | 'NOT_FOUND'
  | 'NOT_AN_APPROVER'
  /** The organization or request is not in the status the action needs, or the caller already acted. */
  | 'WRONG_STATE';

export class OrganizationRefusedError extends Error {
  readonly refusal: OrganizationRefusal;
  /** The body field at fault, for INVALID_FIELD. */
  readonly field: string | undefined;

  constructor(refusal: OrganizationRefusal, message: string, field?: string) {
    super(message);
    this.name = 'OrganizationRefusedError';
    this.refusal = refusal;
    this.field = field;
  }
}

/** The caller's Fabric user id, if it may act for organizations. */
async function participant(pool: pg.Pool, profileId: string): Promise<string> {
  const profile = await findProfile(pool, profileId);
  if (!profile) throw new OrganizationRefusedError('UNKNOWN_CALLER', 'The account no longer exists');
  if (profile.isLocked) throw new OrganizationRefusedError('CALLER_LOCKED', 'The account is locked');
  if (profile.status !== 'APPROVED' || !profile.fabricUserId || profile.onchainStatus !== 'REGISTERED') {
    throw new OrganizationRefusedError(
      'CALLER_NOT_ON_LEDGER',
      'Organizations need an approved account registered on the ledger',
    );
  }
  return profile.fabricUserId;
}

/** The organization, if the caller is one of its stakeholders. */
async function organizationOfStakeholder(pool: pg.Pool, by: string, orgId: string): Promise<OrganizationView> {
  const organization = await findOrganization(pool, orgId);
  if (!organization) throw new OrganizationRefusedError('NOT_FOUND', 'Organization');
  // To anyone but its stakeholders an organization does not exist, as for the reads.
  if (!organization.stakeholders.some((s) => s.fabricUserId === by)) {
    throw new OrganizationRefusedError('NOT_FOUND', 'Organization');
  }
  return organization;
}

function requireVerified(organization: OrganizationView): string {
  if (organization.status !== 'VERIFIED' || organization.fabricUserId === null) {
    throw new OrganizationRefusedError(
      'WRONG_STATE',
      'The organization is not verified yet: every stakeholder must endorse it',
    );
  }
  return organization.fabricUserId;
}

export interface Proposal {
  name: string;
  type: OrganizationType;
  countryCode: string;
  stakeholders: string[];
}

/**
 * Enqueues PROPOSE_(GOVERNMENT_)ORGANIZATION; the organization's id is known now, derived from the request id.
 * A user proposes as itself, among the stakeholders. A GOVERNMENT organization is an admin's to propose, on
 * behalf of its first stakeholder (staff hold no ledger account): the proposal is that stakeholder's
 * endorsement (docs/organizations.md).
 */
export async function proposeOrganization(
  pool: pg.Pool,
  outbox: OutboxBatcher,
  caller: { profileId: string; isAdmin: boolean },
  proposal: Proposal,
): Promise<EnqueuedCommand & { orgId: string }> {
  let proposer: string;
  if (proposal.type === 'GOVERNMENT') {
    if (!caller.isAdmin) {
      throw new OrganizationRefusedError('NOT_ADMIN', 'Only an admin proposes a GOVERNMENT organization');
    }
    proposer = proposal.stakeholders[0] ?? '';
  } else {
    proposer = await participant(pool, caller.profileId);
  }
  if (!proposal.stakeholders.includes(proposer)) {
    throw new OrganizationRefusedError('INVALID_FIELD', 'must include your own account', 'stakeholders');
  }
  for (const [index, stakeholder] of proposal.stakeholders.entries()) {
    if (!(await isActiveRegisteredUser(pool, stakeholder))) {
      throw new OrganizationRefusedError(
        'INVALID_FIELD',
        'no active user registered on the ledger has this id',
        `stakeholders.${index}`,
      );
    }
  }
  if (await countryUnknown(pool, proposal.countryCode)) {
    throw new OrganizationRefusedError('INVALID_FIELD', 'no country of this code was bootstrapped', 'countryCode');
  }
  const requestId = randomUUID();
  const command = await outbox.enqueue({
    commandType: proposal.type === 'GOVERNMENT' ? 'PROPOSE_GOVERNMENT_ORGANIZATION' : 'PROPOSE_ORGANIZATION',
    payload: { proposerFabricUserId: proposer, ...proposal },
    requestId,
    submittedBy: caller.profileId,
  });
  return { ...command, orgId: organizationIdOf(requestId) };
}

/** Enqueues ENDORSE_ORGANIZATION: a stakeholder that has not endorsed a pending organization. */
export async function endorseOrganization(
  pool: pg.Pool,
  outbox: OutboxBatcher,
  profileId: string,
  orgId: string,
): Promise<EnqueuedCommand> {
  const by = await participant(pool, profileId);
  const organization = await organizationOfStakeholder(pool, by, orgId);
  if (organization.status !== 'PENDING') {
    throw new OrganizationRefusedError('WRONG_STATE', `The organization is already ${organization.status}`);
  }
  if (organization.stakeholders.some((s) => s.fabricUserId === by && s.endorsedAt !== null)) {
    throw new OrganizationRefusedError('WRONG_STATE', 'You have already endorsed this organization');
  }
  return outbox.enqueue({
    commandType: 'ENDORSE_ORGANIZATION',
    payload: { orgId, byFabricUserId: by },
    submittedBy: profileId,
  });
}

/** Enqueues SET_APPROVAL_RULES: a stakeholder of a verified organization; approvers among the stakeholders. */
export async function setApprovalRules(
  pool: pg.Pool,
  outbox: OutboxBatcher,
  profileId: string,
  orgId: string,
  rules: ApprovalRule[],
): Promise<EnqueuedCommand> {
  const by = await participant(pool, profileId);
  const organization = await organizationOfStakeholder(pool, by, orgId);
  requireVerified(organization);
  const stakeholders = new Set(organization.stakeholders.map((s) => s.fabricUserId));
  for (const [index, rule] of rules.entries()) {
    const outsider = rule.approvers.findIndex((approver) => !stakeholders.has(approver));
    if (outsider >= 0) {
      throw new OrganizationRefusedError('INVALID_FIELD', 'is not a stakeholder', `${index}.approvers.${outsider}`);
    }
  }
  return outbox.enqueue({
    commandType: 'SET_APPROVAL_RULES',
    payload: { orgId, byFabricUserId: by, rules },
    submittedBy: profileId,
  });
}

/** Enqueues INITIATE_ORGANIZATION_PAYMENT; the request's id is known now, derived from the request id. */
export async function initiatePayment(
  pool: pg.Pool,
  outbox: OutboxBatcher,
  profileId: string,
  orgId: string,
  payment: { toFabricUserId: string; amount: string; memo?: string | undefined },
): Promise<EnqueuedCommand & { paymentId: string }> {
  const by = await participant(pool, profileId);
  const organization = await organizationOfStakeholder(pool, by, orgId);
  const account = requireVerified(organization);
  if (payment.toFabricUserId === account) {
    throw new OrganizationRefusedError('INVALID_FIELD', 'the organization cannot pay itself', 'toFabricUserId');
  }
  if (!(await walletExists(pool, payment.toFabricUserId))) {
    throw new OrganizationRefusedError('INVALID_FIELD', 'no account on the ledger has this id', 'toFabricUserId');
  }
  const requestId = randomUUID();
  const command = await outbox.enqueue({
    commandType: 'INITIATE_ORGANIZATION_PAYMENT',
    payload: {
      orgId,
      byFabricUserId: by,
      organizationAccount: account,
      toFabricUserId: payment.toFabricUserId,
      amount: payment.amount,
      memo: payment.memo ?? '',
    },
    requestId,
    submittedBy: profileId,
  });
  return { ...command, paymentId: paymentIdOf(requestId) };
}

export type PaymentAction = 'approve' | 'reject';

/**
 * Enqueues APPROVE_ or REJECT_ORGANIZATION_PAYMENT: an approver of the request's rule, a pending request, and
 * for approval one the caller has not approved yet. Expiry is the ledger's to decide (its transaction time).
 */
export async function actOnPayment(
  pool: pg.Pool,
  outbox: OutboxBatcher,
  profileId: string,
  ids: { orgId: string; paymentId: string },
  action: PaymentAction,
): Promise<EnqueuedCommand> {
  const by = await participant(pool, profileId);
  const organization = await organizationOfStakeholder(pool, by, ids.orgId);
  const payment = await findPayment(pool, ids.orgId, ids.paymentId);
  if (!payment) throw new OrganizationRefusedError('NOT_FOUND', 'Payment request');
  if (!payment.rule.approvers.includes(by)) {
    throw new OrganizationRefusedError('NOT_AN_APPROVER', `Only an approver of this payment's rule can ${action} it`);
  }
  if (payment.status !== 'PENDING') {
    throw new OrganizationRefusedError('WRONG_STATE', `The payment request is ${payment.status}`);
  }
  if (action === 'approve' && payment.approvals.some((approval) => approval.fabricUserId === by)) {
    throw new OrganizationRefusedError('WRONG_STATE', 'You have already approved this payment request');
  }
  return outbox.enqueue({
    commandType: action === 'approve' ? 'APPROVE_ORGANIZATION_PAYMENT' : 'REJECT_ORGANIZATION_PAYMENT',
    payload: {
      paymentId: ids.paymentId,
      byFabricUserId: by,
      organizationAccount: organization.fabricUserId ?? '',
      toFabricUserId: payment.toFabricUserId,
    },
    submittedBy: profileId,
  });
}

/**
 * Who may read an organization: its stakeholders and staff. Returns the caller's Fabric user id (undefined for
 * staff without one); NOT_FOUND for anyone else, so others' organizations stay invisible.
 */
export async function readerOf(
  pool: pg.Pool,
  caller: { profileId: string; isStaff: boolean },
  organization: OrganizationView | undefined,
): Promise<OrganizationView> {
  if (!organization) throw new OrganizationRefusedError('NOT_FOUND', 'Organization');
  if (caller.isStaff) return organization;
  const fabricUserId = (await findProfile(pool, caller.profileId))?.fabricUserId;
  if (!fabricUserId || !organization.stakeholders.some((s) => s.fabricUserId === fabricUserId)) {
    throw new OrganizationRefusedError('NOT_FOUND', 'Organization');
  }
  return organization;
}
