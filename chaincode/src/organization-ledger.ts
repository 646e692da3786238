/**
 * The organization and payment-request rules of docs/organizations.md over the world state. Every key written
 * is per organization, per account or per request (world-state.ts), so organizations never conflict with each
 * other, and approvals of one request conflict only with each other.
 */
import type { Context } from 'fabric-contract-api';
import { requireNotPaused } from './accounts';
import { parsePositiveAmount } from './amounts';
import { maxMemoLength } from './arguments';
import { type ErrorCode, errorCodeOf, gxError } from './errors';
import { parseJson } from './json-argument';
import { requireSystemParams, requireUser, requireUserIdFormat } from './lookups';
import {
  type ApprovalRule,
  approvalRulesSchema,
  defaultMultisigExpiryHours,
  expiryOf,
  maxOrganizationNameLength,
  type OrganizationRecord,
  type OrganizationType,
  organizationAccountIdOf,
  organizationIdOf,
  organizationTypes,
  type PaymentRequestRecord,
  paymentIdOf,
  ruleFor,
  stakeholdersSchema,
} from './organizations';
import type { CountryRecord } from './system-params';
import { applyTransfer, planTransfer, type TransferOutcome } from './transfers';
import { keys, readRecord, type WalletRecord, writeRecord } from './world-state';

/** What a payment function did: the request after it and, when it executed, the transfer. */
export interface PaymentChange {
  payment: PaymentRequestRecord;
  by: string;
  transfer: TransferOutcome | null;
}

const hexIdPattern = /^[0-9a-f]{32}$/;

async function requireActiveUser(ctx: Context, field: string, fabricUserId: string): Promise<void> {
  const user = await requireUser(ctx, field, fabricUserId);
  if (user.status !== 'ACTIVE') throw gxError('GX_ACCOUNT_LOCKED', `${field}: user "${fabricUserId}" is locked`);
}

async function requireOrganization(ctx: Context, orgId: string): Promise<OrganizationRecord> {
  if (typeof orgId !== 'string' || !hexIdPattern.test(orgId)) {
    throw gxError('GX_INVALID_ARGUMENT', `orgId "${String(orgId)}" is not 32 hex characters`);
  }
  const record = await readRecord<OrganizationRecord>(ctx, keys.organization(orgId));
  if (record === undefined) throw gxError('GX_NOT_FOUND', `organization "${orgId}" does not exist`);
  return record;
}

function requireStakeholder(organization: OrganizationRecord, by: string): void {
  requireUserIdFormat('byFabricUserId', by);
  if (!organization.stakeholders.includes(by)) {
    throw gxError('GX_NOT_A_STAKEHOLDER', `byFabricUserId: "${by}" is not a stakeholder of "${organization.orgId}"`);
  }
}

function requireVerified(organization: OrganizationRecord): string {
  if (organization.status !== 'VERIFIED' || organization.fabricUserId === null) {
    throw gxError(
      'GX_ORGANIZATION_STATE',
      `organization "${organization.orgId}" is ${organization.status}, not VERIFIED`,
    );
  }
  return organization.fabricUserId;
}

export async function proposeOrganization(
  ctx: Context,
  requestId: string,
  proposal: { proposer: string; name: string; type: string; countryCode: string; stakeholdersJson: string },
  government: boolean,
  timestamp: string,
): Promise<OrganizationRecord> {
  const { proposer, name, countryCode } = proposal;
  requireUserIdFormat('proposerFabricUserId', proposer);
  if (typeof name !== 'string' || name.trim().length === 0 || name.length > maxOrganizationNameLength) {
    throw gxError('GX_INVALID_ARGUMENT', `name must be 1-${maxOrganizationNameLength} characters, not blank`);
  }
  if (!(organizationTypes as readonly string[]).includes(proposal.type)) {
    throw gxError('GX_INVALID_ARGUMENT', `type must be one of ${organizationTypes.join(', ')}, got "${proposal.type}"`);
  }
  const type = proposal.type as OrganizationType;
  if ((type === 'GOVERNMENT') !== government) {
    throw gxError(
      government ? 'GX_INVALID_ARGUMENT' : 'GX_FORBIDDEN',
      government
        ? `type: ProposeGovernmentOrganization proposes GOVERNMENT organizations only, got "${type}"`
        : 'type: only an admin proposes a GOVERNMENT organization (ProposeGovernmentOrganization)',
    );
  }
  if (typeof countryCode !== 'string' || !/^[A-Z]{2}$/.test(countryCode)) {
    throw gxError('GX_INVALID_ARGUMENT', `countryCode "${String(countryCode)}" is not an upper-case ISO 3166-1 code`);
  }
  const stakeholders = parseJson('stakeholdersJson', proposal.stakeholdersJson, stakeholdersSchema);
  if (!stakeholders.includes(proposer)) {
    throw gxError('GX_NOT_A_STAKEHOLDER', `proposerFabricUserId: "${proposer}" is not among the stakeholders`);
  }
  await requireSystemParams(ctx);
  if ((await readRecord<CountryRecord>(ctx, keys.country(countryCode))) === undefined) {
    throw gxError('GX_NOT_FOUND', `countryCode: no country "${countryCode}" was bootstrapped`);
  }
  for (const [index, stakeholder] of stakeholders.entries()) {
    await requireActiveUser(ctx, `stakeholdersJson[${index}]`, stakeholder);
  }
  const orgId = organizationIdOf(requestId);
  if ((await readRecord<OrganizationRecord>(ctx, keys.organization(orgId))) !== undefined) {
    throw gxError('GX_ALREADY_EXISTS', `organization "${orgId}" already exists`);
  }
  const organization: OrganizationRecord = {
    orgId,
    name,
    type,
    countryCode,
    proposer,
    stakeholders,
    // The proposal is the proposer's endorsement (docs/organizations.md).
    endorsements: [{ by: proposer, at: timestamp }],
    status: 'PENDING',
    fabricUserId: null,
    rules: [],
    createdAt: timestamp,
    updatedAt: timestamp,
  };
  await writeRecord(ctx, keys.organization(orgId), organization);
  return organization;
}

/** A stakeholder endorses; the endorsement that completes the set verifies: account id and empty wallet. */
export async function endorseOrganization(
  ctx: Context,
  orgId: string,
  by: string,
  timestamp: string,
): Promise<OrganizationRecord> {
  const record = await requireOrganization(ctx, orgId);
  requireStakeholder(record, by);
  if (record.status !== 'PENDING') {
    throw gxError('GX_ORGANIZATION_STATE', `organization "${orgId}" is already ${record.status}`);
  }
  if (record.endorsements.some((endorsement) => endorsement.by === by)) {
    throw gxError('GX_ALREADY_ENDORSED', `byFabricUserId: "${by}" has already endorsed "${orgId}"`);
  }
  await requireActiveUser(ctx, 'byFabricUserId', by);
  const endorsements = [...record.endorsements, { by, at: timestamp }];
  let organization: OrganizationRecord = { ...record, endorsements, updatedAt: timestamp };
  if (endorsements.length === record.stakeholders.length) {
    const account = organizationAccountIdOf(orgId, record.type, record.countryCode);
    if ((await readRecord<WalletRecord>(ctx, keys.wallet(account))) !== undefined) {
      throw gxError('GX_ALREADY_EXISTS', `account "${account}" already has a wallet`);
    }
    await writeRecord(ctx, keys.wallet(account), { account, balance: '0' } satisfies WalletRecord);
    await writeRecord(ctx, keys.organizationAccount(account), orgId);
    organization = { ...organization, status: 'VERIFIED', fabricUserId: account };
  }
  await writeRecord(ctx, keys.organization(orgId), organization);
  return organization;
}

/** Replaces the rules of a verified organization (approvers ⊆ stakeholders). */
export async function setApprovalRules(
  ctx: Context,
  orgId: string,
  by: string,
  rulesJson: string,
  timestamp: string,
): Promise<OrganizationRecord> {
  const record = await requireOrganization(ctx, orgId);
  requireStakeholder(record, by);
  requireVerified(record);
  const rules = parseJson('rulesJson', rulesJson, approvalRulesSchema);
  for (const [index, rule] of rules.entries()) {
    const outsider = rule.approvers.find((approver) => !record.stakeholders.includes(approver));
    if (outsider !== undefined) {
      throw gxError('GX_NOT_A_STAKEHOLDER', `rulesJson[${index}].approvers: "${outsider}" is not a stakeholder`);
    }
  }
  const organization: OrganizationRecord = { ...record, rules, updatedAt: timestamp };
  await writeRecord(ctx, keys.organization(orgId), organization);
  return organization;
}

/**
 * Executes the request if its approvals reach the threshold. A paused system throws (the approval is not
 * recorded); any other refusal of the transfer becomes FAILED with its code, nothing moved.
 */
async function executeIfApproved(
  ctx: Context,
  payment: PaymentRequestRecord,
): Promise<{ payment: PaymentRequestRecord; transfer: TransferOutcome | null }> {
  if (payment.approvals.length < payment.rule.requiredApprovals) return { payment, transfer: null };
  await requireNotPaused(ctx);
  let plan: Awaited<ReturnType<typeof planTransfer>>;
  try {
    plan = await planTransfer(ctx, {
      from: payment.from,
      to: payment.to,
      value: BigInt(payment.amount),
      memo: payment.memo,
      organizationMaySend: true,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code: ErrorCode | undefined = errorCodeOf(message);
    // Only a refusal of the ledger's rules becomes FAILED; anything else is a fault and aborts the transaction.
    if (code === undefined) throw error;
    return { payment: { ...payment, status: 'FAILED', failure: { code, message } }, transfer: null };
  }
  await applyTransfer(ctx, plan);
  return { payment: { ...payment, status: 'EXECUTED' }, transfer: plan.outcome };
}

export async function initiatePayment(
  ctx: Context,
  requestId: string,
  initiation: { orgId: string; by: string; to: string; amount: string; memo: string },
  timestamp: string,
): Promise<PaymentChange> {
  const { by, to, memo } = initiation;
  const value = parsePositiveAmount('amount', initiation.amount);
  if (typeof memo !== 'string' || memo.length > maxMemoLength) {
    throw gxError('GX_INVALID_ARGUMENT', `memo must be at most ${maxMemoLength} characters`);
  }
  requireUserIdFormat('toFabricUserId', to);
  const organization = await requireOrganization(ctx, initiation.orgId);
  requireStakeholder(organization, by);
  const account = requireVerified(organization);
  if (to === account) throw gxError('GX_INVALID_ARGUMENT', 'toFabricUserId: the organization cannot pay itself');
  await requireNotPaused(ctx);
  await requireActiveUser(ctx, 'byFabricUserId', by);
  const params = await requireSystemParams(ctx);
  const paymentId = paymentIdOf(requestId);
  if ((await readRecord<PaymentRequestRecord>(ctx, keys.paymentRequest(paymentId))) !== undefined) {
    throw gxError('GX_ALREADY_EXISTS', `payment request "${paymentId}" already exists`);
  }
  const rule: ApprovalRule = ruleFor(organization.rules, organization.stakeholders, value);
  const pending: PaymentRequestRecord = {
    paymentId,
    orgId: organization.orgId,
    from: account,
    to,
    amount: value.toString(),
    memo,
    initiator: by,
    rule,
    // Initiating is the initiator's approval when it is one of the rule's approvers.
    approvals: rule.approvers.includes(by) ? [{ by, at: timestamp }] : [],
    status: 'PENDING',
    failure: null,
    createdAt: timestamp,
    expiresAt: expiryOf(timestamp, params.multisigExpiryHours ?? defaultMultisigExpiryHours),
    updatedAt: timestamp,
  };
  const { payment, transfer } = await executeIfApproved(ctx, pending);
  await writeRecord(ctx, keys.paymentRequest(paymentId), payment);
  return { payment, by, transfer };
}

async function requirePendingPayment(ctx: Context, paymentId: string, by: string): Promise<PaymentRequestRecord> {
  if (typeof paymentId !== 'string' || !hexIdPattern.test(paymentId)) {
    throw gxError('GX_INVALID_ARGUMENT', `paymentId "${String(paymentId)}" is not 32 hex characters`);
  }
  requireUserIdFormat('byFabricUserId', by);
  const payment = await readRecord<PaymentRequestRecord>(ctx, keys.paymentRequest(paymentId));
  if (payment === undefined) throw gxError('GX_NOT_FOUND', `payment request "${paymentId}" does not exist`);
  if (!payment.rule.approvers.includes(by)) {
    throw gxError('GX_NOT_AN_APPROVER', `byFabricUserId: "${by}" is not an approver of "${paymentId}"`);
  }
  if (payment.status !== 'PENDING') {
    throw gxError('GX_PAYMENT_STATE', `payment request "${paymentId}" is ${payment.status}, not PENDING`);
  }
  return payment;
}

/** Whether the request has expired at this transaction's time (the tx timestamp: the same on every endorser). */
function expired(payment: PaymentRequestRecord, timestamp: string): boolean {
  return Date.parse(timestamp) >= Date.parse(payment.expiresAt);
}

/** An approver approves; the approval reaching the threshold executes (or fails) in this transaction. */
export async function approvePayment(
  ctx: Context,
  paymentId: string,
  by: string,
  timestamp: string,
): Promise<PaymentChange> {
  const record = await requirePendingPayment(ctx, paymentId, by);
  let change: { payment: PaymentRequestRecord; transfer: TransferOutcome | null };
  if (expired(record, timestamp)) {
    change = { payment: { ...record, status: 'EXPIRED' }, transfer: null };
  } else {
    if (record.approvals.some((approval) => approval.by === by)) {
      throw gxError('GX_ALREADY_APPROVED', `byFabricUserId: "${by}" has already approved "${paymentId}"`);
    }
    await requireActiveUser(ctx, 'byFabricUserId', by);
    change = await executeIfApproved(ctx, { ...record, approvals: [...record.approvals, { by, at: timestamp }] });
  }
  const payment: PaymentRequestRecord = { ...change.payment, updatedAt: timestamp };
  await writeRecord(ctx, keys.paymentRequest(paymentId), payment);
  return { payment, by, transfer: change.transfer };
}

/** One approver's rejection ends the request (or records its expiry, if it has expired). */
export async function rejectPayment(
  ctx: Context,
  paymentId: string,
  by: string,
  timestamp: string,
): Promise<PaymentChange> {
  const record = await requirePendingPayment(ctx, paymentId, by);
  const status = expired(record, timestamp) ? 'EXPIRED' : 'REJECTED';
  const payment: PaymentRequestRecord = { ...record, status, updatedAt: timestamp };
  await writeRecord(ctx, keys.paymentRequest(paymentId), payment);
  return { payment, by, transfer: null };
}

/** The `by` of PaymentExpired: no user acts, the backend's scheduler does. */
export const expiryActor = 'gx-scheduler';

/**
 * The scheduler's expiry: a PENDING request at or past expiresAt commits EXPIRED. A request that is no longer
 * PENDING is answered unchanged (a no-op: whoever acted first decided it, and an expiry enqueued twice must not
 * fail twice); one not yet expired is refused (GX_PAYMENT_NOT_EXPIRED), writing nothing, so the same request id
 * can expire it later.
 */
export async function expirePaymentRequest(ctx: Context, paymentId: string, timestamp: string): Promise<PaymentChange> {
  const record = await paymentRequestOf(ctx, paymentId);
  if (record.status !== 'PENDING') return { payment: record, by: expiryActor, transfer: null };
  if (!expired(record, timestamp)) {
    throw gxError(
      'GX_PAYMENT_NOT_EXPIRED',
      `payment request "${paymentId}" expires at ${record.expiresAt}, after this transaction (${timestamp})`,
    );
  }
  const payment: PaymentRequestRecord = { ...record, status: 'EXPIRED', updatedAt: timestamp };
  await writeRecord(ctx, keys.paymentRequest(paymentId), payment);
  return { payment, by: expiryActor, transfer: null };
}

export async function organizationOf(ctx: Context, orgId: string): Promise<OrganizationRecord> {
  return requireOrganization(ctx, orgId);
}

export async function paymentRequestOf(ctx: Context, paymentId: string): Promise<PaymentRequestRecord> {
  if (typeof paymentId !== 'string' || !hexIdPattern.test(paymentId)) {
    throw gxError('GX_INVALID_ARGUMENT', `paymentId "${String(paymentId)}" is not 32 hex characters`);
  }
  const payment = await readRecord<PaymentRequestRecord>(ctx, keys.paymentRequest(paymentId));
  if (payment === undefined) throw gxError('GX_NOT_FOUND', `payment request "${paymentId}" does not exist`);
  return payment;
}
