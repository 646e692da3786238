/** The organizations slice's commands (OrganizationContract, docs/organizations.md). */
import {
  approvalRulesSchema,
  fabricUserIdSchema,
  maxOrganizationNameLength,
  memoSchema,
  organizationTypes,
  positiveAmountSchema,
  stakeholdersSchema,
} from '@gx/chaincode';
import { z } from 'zod';
import { defineCommand } from '../../commands/definition.js';

const hexIdSchema = z.string().regex(/^[0-9a-f]{32}$/, 'must be an id of 32 hex characters');

const proposalPayload = z
  .object({
    proposerFabricUserId: fabricUserIdSchema,
    name: z.string().trim().min(1).max(maxOrganizationNameLength),
    type: z.enum(organizationTypes),
    countryCode: z.string().regex(/^[A-Z]{2}$/, 'must be an upper-case ISO 3166-1 alpha-2 code'),
    stakeholders: stakeholdersSchema,
  })
  .strict();
type ProposalPayload = z.infer<typeof proposalPayload>;

const proposalArgs = (requestId: string, payload: ProposalPayload) => [
  requestId,
  payload.proposerFabricUserId,
  payload.name,
  payload.type,
  payload.countryCode,
  JSON.stringify(payload.stakeholders),
];

/**
 * A payment request's action. The organization's account and the recipient are not arguments of the chaincode
 * (it reads the request); they name the wallets an executing approval writes, so the submitter runs commands
 * on one wallet one after the other (conflict keys), as it does transfers.
 */
const paymentActionPayload = z
  .object({
    paymentId: hexIdSchema,
    byFabricUserId: fabricUserIdSchema,
    organizationAccount: fabricUserIdSchema,
    toFabricUserId: fabricUserIdSchema,
  })
  .strict();
type PaymentActionPayload = z.infer<typeof paymentActionPayload>;

const paymentActionArgs = (requestId: string, payload: PaymentActionPayload) => [
  requestId,
  payload.paymentId,
  payload.byFabricUserId,
];
const paymentActionKeys = (payload: PaymentActionPayload) => [
  `org-payment:${payload.paymentId}`,
  `user:${payload.organizationAccount}`,
  `user:${payload.toFabricUserId}`,
];

export const organizationCommands = {
  PROPOSE_ORGANIZATION: defineCommand({
    payload: proposalPayload,
    contract: 'OrganizationContract',
    fn: 'ProposeOrganization',
    args: proposalArgs,
    signer: 'registrar',
    enqueuedBy: ['organizations'],
    // A new organization's key derives from the request id: nothing else writes it.
    conflictKeys: () => [],
  }),
  PROPOSE_GOVERNMENT_ORGANIZATION: defineCommand({
    payload: proposalPayload,
    contract: 'OrganizationContract',
    fn: 'ProposeGovernmentOrganization',
    args: proposalArgs,
    signer: 'admin',
    enqueuedBy: ['organizations'],
    conflictKeys: () => [],
  }),
  ENDORSE_ORGANIZATION: defineCommand({
    payload: z.object({ orgId: hexIdSchema, byFabricUserId: fabricUserIdSchema }).strict(),
    contract: 'OrganizationContract',
    fn: 'EndorseOrganization',
    args: (requestId, payload) => [requestId, payload.orgId, payload.byFabricUserId],
    signer: 'registrar',
    enqueuedBy: ['organizations'],
    // Endorsements live in the organization's record.
    conflictKeys: (payload) => [`organization:${payload.orgId}`],
  }),
  SET_APPROVAL_RULES: defineCommand({
    payload: z.object({ orgId: hexIdSchema, byFabricUserId: fabricUserIdSchema, rules: approvalRulesSchema }).strict(),
    contract: 'OrganizationContract',
    fn: 'SetApprovalRules',
    args: (requestId, payload) => [requestId, payload.orgId, payload.byFabricUserId, JSON.stringify(payload.rules)],
    signer: 'registrar',
    enqueuedBy: ['organizations'],
    conflictKeys: (payload) => [`organization:${payload.orgId}`],
  }),
  INITIATE_ORGANIZATION_PAYMENT: defineCommand({
    payload: z
      .object({
        orgId: hexIdSchema,
        byFabricUserId: fabricUserIdSchema,
        organizationAccount: fabricUserIdSchema,
        toFabricUserId: fabricUserIdSchema,
        amount: positiveAmountSchema,
        memo: memoSchema.default(''),
      })
      .strict(),
    contract: 'OrganizationContract',
    fn: 'InitiatePayment',
    args: (requestId, payload) => [
      requestId,
      payload.orgId,
      payload.byFabricUserId,
      payload.toFabricUserId,
      payload.amount,
      payload.memo,
    ],
    signer: 'transfer',
    enqueuedBy: ['organizations'],
    // It may execute at once (below every rule), writing both wallets.
    conflictKeys: (payload) => [`user:${payload.organizationAccount}`, `user:${payload.toFabricUserId}`],
  }),
  APPROVE_ORGANIZATION_PAYMENT: defineCommand({
    payload: paymentActionPayload,
    contract: 'OrganizationContract',
    fn: 'ApprovePayment',
    args: paymentActionArgs,
    signer: 'transfer',
    enqueuedBy: ['organizations'],
    conflictKeys: paymentActionKeys,
  }),
  REJECT_ORGANIZATION_PAYMENT: defineCommand({
    payload: paymentActionPayload,
    contract: 'OrganizationContract',
    fn: 'RejectPayment',
    args: paymentActionArgs,
    signer: 'transfer',
    enqueuedBy: ['organizations'],
    conflictKeys: (payload) => [`org-payment:${payload.paymentId}`],
  }),
  /** Enqueued by the scheduler (src/scheduler/), once per expired PENDING request; it moves nothing. */
  EXPIRE_PAYMENT_REQUEST: defineCommand({
    payload: z.object({ paymentId: hexIdSchema }).strict(),
    contract: 'OrganizationContract',
    fn: 'ExpirePaymentRequest',
    args: (requestId, payload) => [requestId, payload.paymentId],
    signer: 'transfer',
    enqueuedBy: ['scheduler'],
    conflictKeys: (payload) => [`org-payment:${payload.paymentId}`],
  }),
} as const;
