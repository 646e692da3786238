/**
 * The organizations service's routes (docs/api.md, v2: Organizations): proposals, endorsements, rules and
 * payment requests (202 + outbox; the rules are in rules.ts) and the read models. Stakeholders and staff read
 * an organization; to anyone else it does not exist (404).
 */
import {
  approvalRulesSchema,
  fabricUserIdSchema,
  maxOrganizationNameLength,
  memoSchema,
  organizationTypes,
  paymentStatuses,
  positiveAmountSchema,
  stakeholdersSchema,
} from '@gx/chaincode';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { hasRole } from '../../http/auth.js';
import { httpErrors } from '../../http/errors.js';
import { commandAcceptedSchema, errorResponses, idempotencyHeader, pageQuery } from '../../http/schemas.js';
import type { ZodTypeProvider } from '../../http/zod-schemas.js';
import { findProfile } from '../identity/index.js';
import type { CapabilityContext } from '../index.js';
import { transaction } from '../tokens/routes.js';
import { listTransactions } from '../tokens/wallets.js';
import { findOrganization, listOrganizations, listPayments } from './read-models.js';
import {
  actOnPayment,
  endorseOrganization,
  initiatePayment,
  OrganizationRefusedError,
  type PaymentAction,
  proposeOrganization,
  readerOf,
  setApprovalRules,
} from './rules.js';

const idSchema = z.string().regex(/^[0-9a-f]{32}$/, 'must be an id of 32 hex characters');
const orgParams = z.strictObject({ orgId: idSchema });
const paymentParams = z.strictObject({ orgId: idSchema, paymentId: idSchema });

const ruleSchema = z.object({
  minAmount: z.string(),
  requiredApprovals: z.number().int(),
  approvers: z.array(z.string()),
});

const organizationSchema = z.object({
  orgId: z.string(),
  name: z.string(),
  type: z.enum(organizationTypes),
  countryCode: z.string(),
  proposer: z.string(),
  status: z.enum(['PENDING', 'VERIFIED']),
  fabricUserId: z.string().nullable(),
  balance: z.string().nullable(),
  rules: z.array(ruleSchema),
  stakeholders: z.array(z.object({ fabricUserId: z.string(), endorsedAt: z.date().nullable() })),
  createdAt: z.date(),
  changedAt: z.date(),
});

const paymentSchema = z.object({
  paymentId: z.string(),
  orgId: z.string(),
  toFabricUserId: z.string(),
  amount: z.string(),
  memo: z.string(),
  initiator: z.string(),
  rule: ruleSchema,
  approvals: z.array(z.object({ fabricUserId: z.string(), approvedAt: z.date() })),
  status: z.enum(paymentStatuses),
  failure: z.object({ code: z.string(), message: z.string() }).nullable(),
  createdAt: z.date(),
  expiresAt: z.date(),
  changedAt: z.date(),
});

/** Maps the rules' refusals to HTTP errors. */
function refusalToHttp(error: unknown): never {
  if (!(error instanceof OrganizationRefusedError)) throw error;
  switch (error.refusal) {
    case 'UNKNOWN_CALLER':
      throw httpErrors.unauthorized(error.message);
    case 'CALLER_LOCKED':
      throw httpErrors.accountLocked();
    case 'CALLER_NOT_ON_LEDGER':
    case 'NOT_ADMIN':
    case 'NOT_AN_APPROVER':
      throw httpErrors.forbidden(error.message);
    case 'INVALID_FIELD':
      throw httpErrors.invalidInput([{ field: error.field ?? 'body', message: error.message }]);
    case 'NOT_FOUND':
      throw httpErrors.notFound(error.message);
    case 'WRONG_STATE':
      throw httpErrors.conflict(error.message);
  }
}

export async function organizationRoutes(root: FastifyInstance, options: CapabilityContext): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { pool, outbox } = options;
  const isStaff = (role: Parameters<typeof hasRole>[0]) => hasRole(role, 'auditor');

  app.post(
    '/api/v1/organizations',
    {
      config: { auth: 'user', idempotent: true },
      schema: {
        tags: ['organizations'],
        summary: 'Enqueue PROPOSE_ORGANIZATION (GOVERNMENT: admins only); the proposal is your endorsement',
        headers: idempotencyHeader,
        body: z.strictObject({
          name: z.string().trim().min(1).max(maxOrganizationNameLength),
          type: z.enum(organizationTypes),
          countryCode: z.string().regex(/^[A-Z]{2}$/, 'must be an upper-case ISO 3166-1 alpha-2 code'),
          stakeholders: stakeholdersSchema,
        }),
        response: {
          202: commandAcceptedSchema.extend({ orgId: z.string() }),
          ...errorResponses(400, 401, 403, 409, 413, 415, 429),
        },
      },
    },
    async (request, reply) => {
      const caller = { profileId: request.user.sub, isAdmin: hasRole(request.user.role, 'admin') };
      const command = await proposeOrganization(pool, outbox, caller, request.body).catch(refusalToHttp);
      return reply.code(202).send({ commandId: command.commandId, status: 'PENDING' as const, orgId: command.orgId });
    },
  );

  app.post(
    '/api/v1/organizations/:orgId/endorse',
    {
      config: { auth: 'user', idempotent: true },
      schema: {
        tags: ['organizations'],
        summary: 'Enqueue ENDORSE_ORGANIZATION (a stakeholder); the last endorsement verifies it',
        headers: idempotencyHeader,
        params: orgParams,
        response: { 202: commandAcceptedSchema, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      const command = await endorseOrganization(pool, outbox, request.user.sub, request.params.orgId).catch(
        refusalToHttp,
      );
      return reply.code(202).send({ commandId: command.commandId, status: 'PENDING' as const });
    },
  );

  app.put(
    '/api/v1/organizations/:orgId/rules',
    {
      config: { auth: 'user', idempotent: true },
      schema: {
        tags: ['organizations'],
        summary: 'Enqueue SET_APPROVAL_RULES (a stakeholder of a verified organization): replaces every rule',
        headers: idempotencyHeader,
        params: orgParams,
        body: approvalRulesSchema,
        response: { 202: commandAcceptedSchema, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const command = await setApprovalRules(pool, outbox, request.user.sub, request.params.orgId, request.body).catch(
        refusalToHttp,
      );
      return reply.code(202).send({ commandId: command.commandId, status: 'PENDING' as const });
    },
  );

  app.post(
    '/api/v1/organizations/:orgId/payments',
    {
      config: { auth: 'user', idempotent: true },
      schema: {
        tags: ['organizations'],
        summary: 'Enqueue INITIATE_ORGANIZATION_PAYMENT (a stakeholder): counts as its approval',
        headers: idempotencyHeader,
        params: orgParams,
        body: z.strictObject({
          toFabricUserId: fabricUserIdSchema,
          amount: positiveAmountSchema,
          memo: memoSchema.optional(),
        }),
        response: {
          202: commandAcceptedSchema.extend({ paymentId: z.string() }),
          ...errorResponses(400, 401, 403, 404, 409, 413, 415, 429),
        },
      },
    },
    async (request, reply) => {
      const command = await initiatePayment(pool, outbox, request.user.sub, request.params.orgId, request.body).catch(
        refusalToHttp,
      );
      return reply
        .code(202)
        .send({ commandId: command.commandId, status: 'PENDING' as const, paymentId: command.paymentId });
    },
  );

  for (const action of ['approve', 'reject'] as const satisfies readonly PaymentAction[]) {
    app.post(
      `/api/v1/organizations/:orgId/payments/:paymentId/${action}`,
      {
        config: { auth: 'user', idempotent: true },
        schema: {
          tags: ['organizations'],
          summary:
            action === 'approve'
              ? 'Enqueue APPROVE_ORGANIZATION_PAYMENT (an approver); the approval reaching the threshold executes it'
              : 'Enqueue REJECT_ORGANIZATION_PAYMENT (an approver): one rejection ends the request',
          headers: idempotencyHeader,
          params: paymentParams,
          response: { 202: commandAcceptedSchema, ...errorResponses(400, 401, 403, 404, 409, 429) },
        },
      },
      async (request, reply) => {
        const command = await actOnPayment(pool, outbox, request.user.sub, request.params, action).catch(refusalToHttp);
        return reply.code(202).send({ commandId: command.commandId, status: 'PENDING' as const });
      },
    );
  }

  app.get(
    '/api/v1/organizations',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['organizations'],
        summary: "The caller's organizations (staff: every organization), newest first",
        querystring: z.strictObject(pageQuery),
        response: {
          200: z.object({ items: z.array(organizationSchema), nextCursor: z.string().nullable() }),
          ...errorResponses(400, 401),
        },
      },
    },
    async (request) => {
      if (isStaff(request.user.role)) return listOrganizations(pool, undefined, request.query);
      const fabricUserId = (await findProfile(pool, request.user.sub))?.fabricUserId;
      if (!fabricUserId) return { items: [], nextCursor: null };
      return listOrganizations(pool, fabricUserId, request.query);
    },
  );

  const readable = async (request: { user: { sub: string; role: Parameters<typeof hasRole>[0] } }, orgId: string) =>
    readerOf(
      pool,
      { profileId: request.user.sub, isStaff: isStaff(request.user.role) },
      await findOrganization(pool, orgId),
    ).catch(refusalToHttp);

  app.get(
    '/api/v1/organizations/:orgId',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['organizations'],
        summary: 'An organization: stakeholders and endorsements, rules, account and balance',
        params: orgParams,
        response: { 200: organizationSchema, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => readable(request, request.params.orgId),
  );

  app.get(
    '/api/v1/organizations/:orgId/payments',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['organizations'],
        summary: "An organization's payment requests with each approval, newest first",
        params: orgParams,
        querystring: z.strictObject({ ...pageQuery, status: z.enum(paymentStatuses).optional() }),
        response: {
          200: z.object({ items: z.array(paymentSchema), nextCursor: z.string().nullable() }),
          ...errorResponses(400, 401, 404),
        },
      },
    },
    async (request) => {
      await readable(request, request.params.orgId);
      return listPayments(pool, request.params.orgId, request.query);
    },
  );

  app.get(
    '/api/v1/organizations/:orgId/transactions',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['organizations'],
        summary: "The organization account's transactions, newest first (empty before it is verified)",
        params: orgParams,
        querystring: z.strictObject(pageQuery),
        response: {
          200: z.object({ items: z.array(transaction), nextCursor: z.string().nullable() }),
          ...errorResponses(400, 401, 404),
        },
      },
    },
    async (request) => {
      const organization = await readable(request, request.params.orgId);
      if (organization.fabricUserId === null) return { items: [], nextCursor: null };
      return listTransactions(pool, organization.fabricUserId, request.query);
    },
  );
}
