/**
 * Organizations and multi-signature payment requests (docs/organizations.md): types, ids, record schemas and
 * the choice of a payment's rule. Pure, and exported by the package, so the API's checks, the projector's
 * parsing and the ledger's decisions are the same code.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { amountSchema, fabricUserIdSchema } from './arguments';
import { accountTypes } from './fabric-user-id';

export const organizationTypes = ['BUSINESS', 'NON_PROFIT', 'GOVERNMENT'] as const;
export type OrganizationType = (typeof organizationTypes)[number];

/** The account type digit of an organization's Fabric id (domain.md, "Reading"). */
export const organizationAccountTypes: Readonly<Record<OrganizationType, number>> = {
  BUSINESS: accountTypes.BUSINESS,
  NON_PROFIT: accountTypes.NON_PROFIT,
  GOVERNMENT: accountTypes.GOVERNMENT_BODY,
};

export const organizationStatuses = ['PENDING', 'VERIFIED'] as const;
export const paymentStatuses = ['PENDING', 'EXECUTED', 'REJECTED', 'EXPIRED', 'FAILED'] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];

export const minStakeholders = 2;
export const maxStakeholders = 20;
export const maxApprovalRules = 10;
export const maxOrganizationNameLength = 100;
/** Hours a payment request stays open when the parameters do not say (`multisigExpiryHours`). */
export const defaultMultisigExpiryHours = 72;

const hexId = z.string().regex(/^[0-9a-f]{32}$/);
const timestampSchema = z.iso.datetime();

/** One approval rule: `requiredApprovals` of `approvers` for an amount ≥ `minAmount`. */
export const approvalRuleSchema = z
  .strictObject({
    minAmount: amountSchema,
    requiredApprovals: z.number().int().min(1),
    approvers: z.array(fabricUserIdSchema).min(1).max(maxStakeholders),
  })
  .superRefine((rule, ctx) => {
    if (new Set(rule.approvers).size !== rule.approvers.length) {
      ctx.addIssue({ code: 'custom', path: ['approvers'], message: 'lists an approver twice' });
    }
    if (rule.requiredApprovals > rule.approvers.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['requiredApprovals'],
        message: `must be at most the number of approvers (${rule.approvers.length})`,
      });
    }
  });
export type ApprovalRule = z.infer<typeof approvalRuleSchema>;

/** SetApprovalRules' `rulesJson`: the whole list, distinct `minAmount`s (approvers ⊆ stakeholders is checked on the ledger). */
export const approvalRulesSchema = z
  .array(approvalRuleSchema)
  .max(maxApprovalRules)
  .superRefine((rules, ctx) => {
    const seen = new Set<string>();
    for (const [index, rule] of rules.entries()) {
      if (seen.has(rule.minAmount)) {
        ctx.addIssue({ code: 'custom', path: [index, 'minAmount'], message: `${rule.minAmount} is listed twice` });
      }
      seen.add(rule.minAmount);
    }
  });

/** ProposeOrganization's `stakeholdersJson`. */
export const stakeholdersSchema = z
  .array(fabricUserIdSchema)
  .min(minStakeholders)
  .max(maxStakeholders)
  .refine((ids) => new Set(ids).size === ids.length, 'lists a stakeholder twice');

export const organizationRecordSchema = z.object({
  orgId: hexId,
  name: z.string().min(1).max(maxOrganizationNameLength),
  type: z.enum(organizationTypes),
  countryCode: z.string().regex(/^[A-Z]{2}$/),
  proposer: z.string().min(1),
  stakeholders: z.array(z.string().min(1)),
  /** Stakeholders who endorsed, in order; the proposer first (the proposal is its endorsement). */
  endorsements: z.array(z.object({ by: z.string().min(1), at: timestampSchema })),
  status: z.enum(organizationStatuses),
  /** The organization's account, set when it verifies. */
  fabricUserId: z.string().nullable(),
  rules: z.array(approvalRuleSchema),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});
export type OrganizationRecord = z.infer<typeof organizationRecordSchema>;

export const paymentRequestRecordSchema = z.object({
  paymentId: hexId,
  orgId: hexId,
  /** The organization's account. */
  from: z.string().min(1),
  to: z.string().min(1),
  amount: amountSchema,
  memo: z.string(),
  initiator: z.string().min(1),
  /** The rule fixed at initiation: the largest minAmount ≤ amount, or one approval of any stakeholder. */
  rule: approvalRuleSchema,
  approvals: z.array(z.object({ by: z.string().min(1), at: timestampSchema })),
  status: z.enum(paymentStatuses),
  /** Why execution was refused (FAILED only): the refusal's GX_ code and message. */
  failure: z.object({ code: z.string().min(1), message: z.string() }).nullable(),
  createdAt: timestampSchema,
  expiresAt: timestampSchema,
  updatedAt: timestampSchema,
});
export type PaymentRequestRecord = z.infer<typeof paymentRequestRecordSchema>;

function idOf(prefix: string, requestId: string): string {
  return createHash('sha256').update(`${prefix}${requestId}`, 'utf8').digest('hex').slice(0, 32);
}

/** The organization a ProposeOrganization request creates. */
export function organizationIdOf(requestId: string): string {
  return idOf('gx-organization:', requestId);
}

/** The payment request an InitiatePayment request creates. */
export function paymentIdOf(requestId: string): string {
  return idOf('gx-org-payment:', requestId);
}

const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * The organization's account id, `CC CCC AAA000 TLLLL NNNN`, derived from its orgId alone so that every
 * endorser computes the same one: checksum, letters and digits from `sha256("gx-organization-account:" + orgId)`.
 */
export function organizationAccountIdOf(orgId: string, type: OrganizationType, countryCode: string): string {
  const digest = createHash('sha256').update(`gx-organization-account:${orgId}`, 'utf8').digest();
  const checksum = digest.toString('hex').slice(0, 3).toUpperCase();
  const randomLetters = [4, 5, 6, 7].map((index) => letters[(digest[index] ?? 0) % 26]).join('');
  const digits = String(digest.readUInt32BE(8) % 10_000).padStart(4, '0');
  const typeDigit = organizationAccountTypes[type].toString(16).toUpperCase();
  return `${countryCode} ${checksum} AAA000 ${typeDigit}${randomLetters} ${digits}`;
}

/**
 * The rule an outgoing payment of `amount` needs: the one with the largest minAmount ≤ amount; below every rule
 * (or with none), one approval of any stakeholder (domain.md, "Approval rules").
 */
export function ruleFor(rules: readonly ApprovalRule[], stakeholders: readonly string[], amount: bigint): ApprovalRule {
  let chosen: ApprovalRule | undefined;
  for (const rule of rules) {
    if (
      BigInt(rule.minAmount) <= amount &&
      (chosen === undefined || BigInt(rule.minAmount) > BigInt(chosen.minAmount))
    ) {
      chosen = rule;
    }
  }
  return chosen ?? { minAmount: '0', requiredApprovals: 1, approvers: [...stakeholders] };
}

/** The expiry time of a request initiated at `createdAt` (ISO), `hours` later. */
export function expiryOf(createdAt: string, hours: number): string {
  return new Date(Date.parse(createdAt) + hours * 3_600_000).toISOString();
}
